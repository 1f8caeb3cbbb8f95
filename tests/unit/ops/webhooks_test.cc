// `danhba subscribe add`'s checks: the URL's scheme (http or https) and the
// private CA file of an https subscriber. A refused subscriber changes nothing.
#include "danhba/ops/webhooks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::system_clock::time_point kNow{std::chrono::seconds(1796524380)};

class SubscribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("danhba-subscribe-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(rd()));
    fs::create_directories(root_);
    config_.data_dir = root_;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::size_t Count() {
    auto loaded = LoadSubscribers(config_);
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? loaded->size() : 0;
  }

  fs::path root_;
  config::Config config_;
};

TEST_F(SubscribeTest, HttpsIsAcceptedWithTheSystemsCas) {
  auto added = AddSubscriber(config_, "portal", "https://hooks.example.vn:8443/danhba", {}, kNow);
  ASSERT_TRUE(added.ok()) << added.error().detail;
  EXPECT_EQ(added->ca_file, "");
  auto loaded = LoadSubscribers(config_);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1U);
  EXPECT_EQ((*loaded)[0].url, "https://hooks.example.vn:8443/danhba");
}

TEST_F(SubscribeTest, OtherSchemesAreRefusedNamingTheUrl) {
  for (const std::string url : {"ftp://hooks.example.vn/x", "hooks.example.vn/x", "HTTPS//x", "https://:443/x",
                                "https://host:port/x", "http://user@host/x"}) {
    auto added = AddSubscriber(config_, "portal", url, {}, kNow);
    ASSERT_FALSE(added.ok()) << url;
    EXPECT_EQ(added.error().code, ErrorCode::kInvalidInput) << url;
    EXPECT_NE(added.error().detail.find("--url '" + url + "'"), std::string::npos) << added.error().detail;
  }
  auto ftp = AddSubscriber(config_, "portal", "ftp://hooks.example.vn/x", {}, kNow);
  EXPECT_NE(ftp.error().detail.find("scheme 'ftp' is not supported"), std::string::npos) << ftp.error().detail;
  EXPECT_EQ(Count(), 0U);
}

TEST_F(SubscribeTest, CaFileOnlyForHttpsAndMustHoldACertificate) {
  auto http = AddSubscriber(config_, "portal", "http://127.0.0.1:8080/x", {}, kNow, "/etc/ssl/certs/ca.pem");
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().detail.find("only for an https:// --url"), std::string::npos) << http.error().detail;

  const fs::path missing = root_ / "missing.pem";
  auto absent = AddSubscriber(config_, "portal", "https://127.0.0.1:8443/x", {}, kNow, missing.string());
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.error().detail.find("CA file " + missing.string() + " cannot be read"), std::string::npos)
      << absent.error().detail;

  const fs::path junk = root_ / "junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  auto not_pem = AddSubscriber(config_, "portal", "https://127.0.0.1:8443/x", {}, kNow, junk.string());
  ASSERT_FALSE(not_pem.ok());
  EXPECT_NE(not_pem.error().detail.find("CA file " + junk.string() + " holds no PEM certificate"), std::string::npos)
      << not_pem.error().detail;
  EXPECT_EQ(Count(), 0U);
}

}  // namespace
}  // namespace danhba::ops
