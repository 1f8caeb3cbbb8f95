// The usage report (R19) against a tree built by a real daemon from known
// events with effective dates in the first half of 2025: the numbers of
// `danhba report` in json and csv, and the HTML rendered by headless chromium
// (a screenshot and a PDF kept as test artifacts; the numbers read back from
// the rendered DOM).
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
using Json = nlohmann::json;
using std::chrono::seconds;

std::string Event(const std::string& id, const std::string& type, const std::string& effective,
                  const std::string& fields) {
  return R"({"id":")" + id + R"(","type":")" + type +
         R"(","decision":{"number":")" + id + R"(/QĐ-UBND","date":")" + effective +
         R"(","issuer":"UBND tỉnh Đồng Nai"},"effective_date":")" + effective + R"(",)" + fields + "}";
}

Result<CommandOutput> Danhba(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DANHBA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunToCompletion(argv);
}

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = TempDir::Make("danhba-report");
    ASSERT_TRUE(dir.ok()) << dir.error().detail;
    dir_ = new TempDir(std::move(dir).value());
    DaemonOptions options;
    options.binary = DANHBA_BINARY;
    options.dir = dir_->path() / "site";
    options.extra_yaml = "backup:\n  enabled: false\n";
    auto created = Daemon::Create(options);
    ASSERT_TRUE(created.ok()) << created.error().detail;
    daemon_ = created->release();
    auto token = daemon_->AddSender("hr-snv");
    ASSERT_TRUE(token.ok()) << token.error().detail;
    ASSERT_TRUE(daemon_->Start().ok());
    ASSERT_TRUE(daemon_->WaitReady(seconds(60)).ok()) << daemon_->LogTail();
    HttpClient client("127.0.0.1", daemon_->ingest_port());
    client.SetBearerToken(*token);
    const std::vector<std::pair<std::string, std::string>> events = {
        {"a-1", Event("a-1", "agency.create", "2024-01-01", R"("agency":{"code":"stttt","name":"Sở Thông tin và Truyền thông"})")},
        {"a-2", Event("a-2", "agency.create", "2024-01-01", R"("agency":{"code":"skhcn","name":"Sở Khoa học và Công nghệ"})")},
        {"h-0", Event("h-0", "hire", "2024-12-01", R"("person":{"id":"CB0","full_name":"Phạm Văn Định","agency":"stttt"})")},
        {"h-1", Event("h-1", "hire", "2025-01-15", R"("person":{"id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt"})")},
        {"h-2", Event("h-2", "hire", "2025-02-10", R"("person":{"id":"CB2","full_name":"Trần Thị Bình","agency":"stttt"})")},
        {"h-3", Event("h-3", "hire", "2025-03-05", R"("person":{"id":"CB3","full_name":"Lê Văn Cường","agency":"skhcn"})")},
        {"h-4", Event("h-4", "hire", "2025-07-01", R"("person":{"id":"CB4","full_name":"Võ Thị Hoa","agency":"skhcn"})")},
        {"t-1", Event("t-1", "transfer", "2025-04-01", R"("person":{"id":"CB1"},"to_agency":"skhcn")")},
        {"u-1", Event("u-1", "update", "2025-05-02", R"("person":{"id":"CB3","full_name":"Lê Văn Dũng","new_address":true})")},
        {"l-1", Event("l-1", "leave", "2025-06-20", R"("person":{"id":"CB2"})")},
        {"x-1", Event("x-1", "transfer", "2025-06-21", R"("person":{"id":"CB99"},"to_agency":"skhcn")")},
    };
    // One at a time, in order: each depends on the one before.
    for (const auto& [id, json] : events) {
      auto posted = client.PostJson("/api/v1/events", "[" + json + "]");
      ASSERT_TRUE(posted.ok()) << posted.error().detail;
      ASSERT_EQ(posted->status, 202) << posted->body;
      std::string status;
      bool done = PollUntil(seconds(60), [&] {
        auto reply = client.Get("/api/v1/events/" + id);
        if (!reply.ok() || reply->status != 200) return false;
        status = Json::parse(reply->body).value("status", "");
        return status == "applied" || status == "rejected";
      });
      ASSERT_TRUE(done) << id << " " << status << daemon_->LogTail();
      ASSERT_EQ(status, id == "x-1" ? "rejected" : "applied") << id;
    }
  }

  static void TearDownTestSuite() {
    if (daemon_ != nullptr) (void)daemon_->Stop();
    delete daemon_;
    delete dir_;
  }

  static Result<CommandOutput> Report(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"report", "--config", daemon_->config_file().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Danhba(args);
  }

  static TempDir* dir_;
  static Daemon* daemon_;
};

TempDir* ReportTest::dir_ = nullptr;
Daemon* ReportTest::daemon_ = nullptr;

const std::vector<std::string> kHalf = {"--from", "2025-01-01", "--to", "2025-06-30"};

TEST_F(ReportTest, JsonCountsEveryKindOfChangePerAgency) {
  auto args = kHalf;
  args.insert(args.end(), {"--format", "json"});
  auto run = Report(args);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->err;
  Json report = Json::parse(run->out);
  const Json& total = report["total"];
  EXPECT_EQ(total["mailboxes_start"], 1);  // CB0
  EXPECT_EQ(total["mailboxes_end"], 3);    // CB0, CB1, CB3 (CB2 left, CB4 from July)
  EXPECT_EQ(total["created"], 3);
  EXPECT_EQ(total["transferred"], 1);
  EXPECT_EQ(total["removed"], 1);
  EXPECT_EQ(total["renamed"], 1);
  EXPECT_EQ(total["active_now"], 4);
  EXPECT_EQ(total["password_changed"], 0);  // nobody changed the initial password
  EXPECT_EQ(total["locked"], 0);
  std::map<std::string, Json> agencies;
  for (const Json& a : report["agencies"]) agencies[a["code"]] = a;
  ASSERT_TRUE(agencies.contains("skhcn")) << run->out;
  EXPECT_EQ(agencies["skhcn"]["mailboxes_end"], 2);
  EXPECT_EQ(agencies["skhcn"]["transferred"], 1);
  EXPECT_EQ(agencies["stttt"]["removed"], 1);
  EXPECT_EQ(agencies["stttt"]["mailboxes_start"], 1);
  ASSERT_EQ(report["months"].size(), 6U);
  EXPECT_EQ(report["months"][3]["transferred"], 1);  // April
  EXPECT_EQ(report["months"][5]["removed"], 1);      // June
  std::set<std::string> numbers;
  for (const Json& d : report["decisions"]) numbers.insert(d["number"]);
  EXPECT_EQ(numbers, (std::set<std::string>{"h-1/QĐ-UBND", "h-2/QĐ-UBND", "h-3/QĐ-UBND", "t-1/QĐ-UBND",
                                            "u-1/QĐ-UBND", "l-1/QĐ-UBND"}));

  // Rejections count by the day they were received: today, inside a wide period.
  auto wide = Report({"--from", "2025-01-01", "--to", "2099-12-31", "--format", "json", "--agency", "skhcn"});
  ASSERT_TRUE(wide.ok());
  ASSERT_EQ(wide->exit_code, 0) << wide->err;
  Json all = Json::parse(wide->out);
  EXPECT_EQ(all["rejected"]["total"], 1);
  EXPECT_EQ(all["agencies"].size(), 1U);
  EXPECT_EQ(all["total"]["mailboxes_end"], 3);  // CB1, CB3, CB4
}

TEST_F(ReportTest, CsvHasOneRowPerAgencyAndTheTotal) {
  auto args = kHalf;
  args.insert(args.end(), {"--format", "csv"});
  auto run = Report(args);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->err;
  EXPECT_NE(run->out.find("skhcn,Sở Khoa học và Công nghệ,0,2,2,1,0,1,3,0,"), std::string::npos) << run->out;
  EXPECT_NE(run->out.find("stttt,Sở Thông tin và Truyền thông,1,1,1,0,1,0,1,0,"), std::string::npos) << run->out;
  EXPECT_NE(run->out.find("TOTAL,,1,3,3,1,1,1,4,0,"), std::string::npos) << run->out;
}

TEST_F(ReportTest, BadArgumentsAreRefusedWithAClearMessage) {
  auto backwards = Report({"--from", "2025-07-01", "--to", "2025-01-01"});
  ASSERT_TRUE(backwards.ok());
  EXPECT_EQ(backwards->exit_code, 1);
  EXPECT_NE(backwards->err.find("--from 2025-07-01 is after --to 2025-01-01"), std::string::npos) << backwards->err;
  auto bad_date = Report({"--from", "2025-02-30", "--to", "2025-06-30"});
  ASSERT_TRUE(bad_date.ok());
  EXPECT_EQ(bad_date->exit_code, 1);
  EXPECT_NE(bad_date->err.find("--from"), std::string::npos) << bad_date->err;
  auto unknown = Report({"--from", "2025-01-01", "--to", "2025-06-30", "--agency", "nope"});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->exit_code, 1);
  EXPECT_NE(unknown->err.find("'nope'"), std::string::npos) << unknown->err;
}

TEST_F(ReportTest, HtmlRendersInChromiumWithTheNumbers) {
  const fs::path chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  auto run = Report(kHalf);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->err;
  const fs::path html = dir_->path() / "report.html";
  std::ofstream(html) << run->out;
  const fs::path artifacts = DANHBA_TEST_ARTIFACTS;
  fs::create_directories(artifacts);
  const fs::path screenshot = artifacts / "report.png";
  const fs::path pdf = artifacts / "report.pdf";
  fs::remove(screenshot);
  fs::remove(pdf);
  auto chrome = [&](const std::string& what, const std::string& profile) {
    return RunToCompletion({chromium.string(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--window-size=900,2400", "--user-data-dir=" + (dir_->path() / profile).string(), what,
                            "file://" + html.string()});
  };
  auto dom = chrome("--dump-dom", "profile-dom");
  ASSERT_TRUE(dom.ok()) << dom.error().detail;
  ASSERT_EQ(dom->exit_code, 0) << dom->err;
  EXPECT_NE(dom->out.find(R"(id="mailboxes-start">1<)"), std::string::npos);
  EXPECT_NE(dom->out.find(R"(id="mailboxes-end">3<)"), std::string::npos);
  EXPECT_NE(dom->out.find(R"(id="created">3<)"), std::string::npos);
  EXPECT_NE(dom->out.find(R"(id="removed">1<)"), std::string::npos);
  EXPECT_NE(dom->out.find("Sở Khoa học và Công nghệ"), std::string::npos);
  EXPECT_NE(dom->out.find("<svg"), std::string::npos);
  auto shot = chrome("--screenshot=" + screenshot.string(), "profile-shot");
  ASSERT_TRUE(shot.ok());
  EXPECT_EQ(shot->exit_code, 0) << shot->err;
  ASSERT_TRUE(fs::exists(screenshot)) << shot->err;
  EXPECT_GT(fs::file_size(screenshot), 10'000U);
  auto printed = chrome("--print-to-pdf=" + pdf.string(), "profile-pdf");
  ASSERT_TRUE(printed.ok());
  EXPECT_EQ(printed->exit_code, 0) << printed->err;
  ASSERT_TRUE(fs::exists(pdf)) << printed->err;
  std::ifstream in(pdf, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(bytes.starts_with("%PDF"));
  // A4 is 595 x 842 points.
  EXPECT_NE(bytes.find("/MediaBox [0 0 594.9"), std::string::npos) << "not A4";
  std::printf("[ artifact ] %s\n[ artifact ] %s\n", screenshot.c_str(), pdf.c_str());
}

}  // namespace
}  // namespace danhba::e2e
