// E-mail digests (R18) end to end: a real `danhba run` with digests every
// second, Debian's aiosmtpd on loopback as the relay (messages kept in a
// Maildir); each agency's mailbox gets the people hired, moved and gone, with
// their addresses.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon.h"
#include "e2e_test_util.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::string Event(const std::string& id, const std::string& type, const std::string& fields) {
  return R"({"id":")" + id + R"(","type":")" + type +
         R"(","decision":{"number":"1/QĐ-UBND","date":"2025-01-02","issuer":"UBND tỉnh"},)" + fields + "}";
}

// Every message in the Maildir, whole.
std::vector<std::string> Messages(const fs::path& maildir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& each : fs::directory_iterator(maildir / "new", ec)) {
    std::ifstream in(each.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

TEST(DaemonDigests, AgencyMailboxesGetTheirPeopleHiredMovedAndGone) {
  if (!fs::exists("/usr/lib/python3/dist-packages/aiosmtpd")) {
    GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/install-deps.sh installs it)";
  }
  auto dir = TempDir::Make("danhba-digest");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  const fs::path maildir = dir->path() / "maildir";
  ChildProcess relay;
  ASSERT_TRUE(relay.Start({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(*port),
                           "-c", "aiosmtpd.handlers.Mailbox", maildir.string()},
                          dir->path() / "relay.log").ok());

  DaemonOptions options;
  options.binary = DANHBA_BINARY;
  options.dir = dir->path() / "site";
  options.extra_yaml = "backup:\n  enabled: false\ndigests:\n  enabled: true\n  smtp_relay: 127.0.0.1:" +
                       std::to_string(*port) + "\n  interval: 1s\n";
  auto created = Daemon::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  auto token = daemon.AddSender("hr-snv");
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  HttpClient client("127.0.0.1", daemon.ingest_port());
  client.SetBearerToken(*token);
  auto post = [&](const std::string& json) {
    auto posted = client.PostJson("/api/v1/events", "[" + json + "]");
    ASSERT_TRUE(posted.ok());
    ASSERT_EQ(posted->status, 202) << posted->body;
  };
  post(Event("a-1", "agency.create", R"("agency":{"code":"stttt","name":"Sở TT&TT"})"));
  post(Event("a-2", "agency.create", R"("agency":{"code":"skhcn","name":"Sở KH&CN"})"));
  post(Event("h-1", "hire", R"("person":{"id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt"})"));
  post(Event("h-2", "hire", R"("person":{"id":"CB2","full_name":"Trần Thị Bình","agency":"stttt"})"));
  post(Event("t-1", "transfer", R"("person":{"id":"CB1"},"to_agency":"skhcn")"));
  post(Event("l-1", "leave", R"("person":{"id":"CB2"})"));

  auto find = [&](const std::string& to, const std::string& text) {
    for (const std::string& m : Messages(maildir)) {
      if (m.find("To: " + to) != std::string::npos && m.find(text) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(PollUntil(seconds(60), [&] {
    return find("stttt@dongnai.gov.vn", "Nghỉ việc") && find("skhcn@dongnai.gov.vn", "Chuyển đến");
  })) << daemon.LogTail() << Messages(maildir).size() << " messages";
  EXPECT_TRUE(find("stttt@dongnai.gov.vn", "Nguyễn Văn An <annv@dongnai.gov.vn>"));
  EXPECT_TRUE(find("stttt@dongnai.gov.vn", "Trần Thị Bình <binhtt@dongnai.gov.vn>"));
  EXPECT_TRUE(find("skhcn@dongnai.gov.vn", "Nguyễn Văn An <annv@dongnai.gov.vn> (từ stttt)"));
  EXPECT_TRUE(find("stttt@dongnai.gov.vn", "From: danhba@dongnai.gov.vn"));
  // Each change once: a later run with nothing new sends nothing more.
  std::size_t count = Messages(maildir).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more digest runs, on purpose
  EXPECT_EQ(Messages(maildir).size(), count);
  ASSERT_TRUE(daemon.Stop().ok());
}

}  // namespace
}  // namespace danhba::e2e
