// A server that accepts connections but never answers: requests must end with a
// transient timeout error, not hang.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "danhba/ldap/client.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/error.h"

namespace danhba::ldap {
namespace {

// A loopback listener that never accepts: the kernel completes the TCP
// handshake, and nothing is ever read or written.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(LdapTimeout, SilentServerGivesATransientTimeout) {
  SilentListener server;
  ASSERT_NE(server.port(), 0);
  ConnectOptions options;
  options.url = "ldap://127.0.0.1:" + std::to_string(server.port());
  options.network_timeout = std::chrono::milliseconds(500);
  options.operation_timeout = std::chrono::milliseconds(300);
  auto c = Connection::Open(options, Credentials::Simple("cn=x,dc=example,dc=net", "secret"));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.error().transient()) << c.error();
  EXPECT_EQ(ResultCode(c.error()), kTimeout) << c.error();
  EXPECT_NE(c.error().detail.find("bind cn=x,dc=example,dc=net"), std::string::npos) << c.error();
}

TEST(LdapTimeout, ClientGivesUpOnASilentServer) {
  SilentListener server;
  ASSERT_NE(server.port(), 0);
  ConnectOptions options;
  options.url = "ldap://127.0.0.1:" + std::to_string(server.port());
  options.operation_timeout = std::chrono::milliseconds(200);
  RetryPolicy policy;
  policy.max_attempts = 2;
  policy.initial_backoff = std::chrono::milliseconds(10);
  Client client(options, Credentials::Anonymous(), policy);
  auto who = client.WhoAmI();
  ASSERT_FALSE(who.ok());
  EXPECT_TRUE(who.error().transient()) << who.error();
  EXPECT_NE(who.error().detail.find("gave up after 2 attempts"), std::string::npos) << who.error();
}

}  // namespace
}  // namespace danhba::ldap
