// Events end to end: journal -> engine -> LdapDirectory -> a real slapd, checked
// with LDAP searches (as root) and binds.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/client.h"
#include "danhba/ldap/error.h"
#include "danhba/ldap/filter.h"
#include "danhba/journal/fault_env.h"
#include "danhba/model/event.h"
#include "danhba/sync/engine.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::sync {
namespace {

namespace fs = std::filesystem;
using danhba::testing::Directory;
using danhba::testing::TestConnectOptions;
using journal::EventState;

constexpr char kDecision[] =
    R"("decision":{"number":"15/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"})";

std::string Hire(std::string_view id, std::string_view person, std::string_view name,
                 std::string_view agency, std::string_view effective = "") {
  std::string json = "{\"id\":\"" + std::string(id) + "\",\"type\":\"hire\"," + kDecision;
  if (!effective.empty()) json += ",\"effective_date\":\"" + std::string(effective) + "\"";
  return json + ",\"person\":{\"id\":\"" + std::string(person) + "\",\"full_name\":\"" +
         std::string(name) + "\",\"birth_date\":\"1990-05-01\",\"title\":\"Chuyên viên\"," +
         "\"phone\":\"0251 3822 000\",\"agency\":\"" + std::string(agency) + "\"}}";
}

std::string PersonEvent(std::string_view id, std::string_view type, std::string_view person_body,
                        std::string_view extra = "") {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"" + std::string(type) + "\"," + kDecision +
         ",\"person\":" + std::string(person_body) + std::string(extra) + "}";
}

std::string AgencyEvent(std::string_view id, std::string_view type, std::string_view body,
                        std::string_view extra = "") {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"" + std::string(type) + "\"," + kDecision +
         ",\"agency\":" + std::string(body) + std::string(extra) + "}";
}

class SyncIntegrationTest : public danhba::testing::LdapTest {
 protected:
  void SetUp() override {
    LdapTest::SetUp();
    if (HasFatalFailure()) return;
    layout_ = directory::Layout::ForBase(subtree());
    for (const char* ou : {"people", "former", "agencies", "decisions"}) {
      ldap::Entry e;
      e.dn = std::string("ou=") + ou + "," + subtree();
      e.Add("objectClass", "organizationalUnit").Add("ou", ou);
      ASSERT_TRUE(root_connection().Add(e).ok());
    }
    work_ = fs::temp_directory_path() /
            ("danhba-sync-it-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    fs::create_directories(work_);
    journal::JournalOptions options;
    options.dir = (work_ / "journal").string();
    // The journal keeps the test's time too: it decides at append whether an
    // effective date lies ahead.
    journal_env_.SetClock([this] { return now_; });
    options.env = &journal_env_;
    journal_ = journal::Journal::Open(options).value();
  }
  void TearDown() override {
    engine_.reset();
    directories_.clear();
    journal_.reset();
    fs::remove_all(work_);
    LdapTest::TearDown();
  }

  directory::LdapDirectory& NewDirectory(ldap::RetryPolicy policy = QuickRetry()) {
    const auto& dir = Directory();
    auto client = std::make_unique<ldap::Client>(
        TestConnectOptions(dir.url), ldap::Credentials::Simple(dir.sync_dn, dir.sync_password),
        policy);
    directories_.push_back(std::make_unique<directory::LdapDirectory>(
        std::move(client), directory::LdapDirectoryOptions{layout_, "dongnai.gov.vn", false}));
    return *directories_.back();
  }

  static ldap::RetryPolicy QuickRetry() {
    ldap::RetryPolicy policy;
    policy.max_attempts = 3;
    policy.initial_backoff = std::chrono::milliseconds(50);
    policy.max_backoff = std::chrono::milliseconds(200);
    policy.max_total = std::chrono::milliseconds(1000);
    return policy;
  }

  EngineOptions Options() {
    EngineOptions options;
    options.handover_dir = (work_ / "handover").string();
    options.clock = [this] { return now_; };
    options.start_of_day = [](const model::Date& d) { return TimePoint(d.ToSysDays()); };
    options.initial_backoff = std::chrono::milliseconds(100);
    options.max_backoff = std::chrono::milliseconds(500);
    return options;
  }

  Engine& MakeEngine(std::size_t workers = 1, EngineOptions options = {}) {
    if (options.handover_dir.empty()) options = Options();
    std::vector<directory::Directory*> dirs;
    for (std::size_t i = 0; i < workers; ++i) dirs.push_back(&NewDirectory());
    engine_ = std::make_unique<Engine>(*journal_, dirs, std::move(options));
    return *engine_;
  }

  journal::AppendResult Append(const std::string& json) {
    auto event = model::ParseEvent(json);
    EXPECT_TRUE(event.ok()) << event.error() << "\n" << json;
    journal::NewEvent e{event->id, "test", model::ToJson(*event), std::nullopt};
    if (event->effective_date) e.not_before = TimePoint(event->effective_date->ToSysDays());
    auto appended = journal_->Append(std::move(e));
    EXPECT_TRUE(appended.ok()) << appended.error();
    return appended.ok() ? *appended : journal::AppendResult{};
  }

  journal::EventInfo Info(const std::string& id) { return journal_->Lookup(id).value(); }

  std::vector<ldap::Entry> SearchRoot(const std::string& base, const std::string& filter,
                                      std::vector<std::string> attributes = {}) {
    ldap::SearchRequest request;
    request.base = base;
    request.filter = filter;
    request.attributes = std::move(attributes);
    // A fresh connection: a test may have restarted the server.
    auto root = danhba::testing::ConnectAsRoot();
    EXPECT_TRUE(root.ok()) << root.error();
    if (!root.ok()) return {};
    auto found = root->SearchAll(request);
    EXPECT_TRUE(found.ok()) << found.error();
    return found.ok() ? *found : std::vector<ldap::Entry>{};
  }

  std::optional<ldap::Entry> PersonEntry(const std::string& person_id) {
    auto found = SearchRoot(subtree(), ldap::Filter::Eq("danhbaPersonId", person_id).ToString(),
                            {"*", "pwdReset"});
    EXPECT_LE(found.size(), 1u);
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  std::string Handover(const std::string& agency) {
    std::ifstream in(work_ / "handover" / (agency + ".csv"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // The password handed over for `event_id`.
  std::string HandedPassword(const std::string& agency, const std::string& event_id) {
    std::istringstream in(Handover(agency));
    std::string line;
    while (std::getline(in, line)) {
      if (line.size() > event_id.size() &&
          line.compare(line.size() - event_id.size() - 1, std::string::npos, "," + event_id) == 0) {
        std::string rest = line.substr(0, line.size() - event_id.size() - 1);
        return rest.substr(rest.rfind(',') + 1);
      }
    }
    return {};
  }

  Status Bind(const std::string& dn, const std::string& password) {
    auto c = ldap::Connection::Open(TestConnectOptions(Directory().url),
                                    ldap::Credentials::Simple(dn, password));
    if (!c.ok()) return c.take_error();
    return Ok();
  }

  void CreateAgency(const std::string& id, const std::string& code, const std::string& name) {
    Append(AgencyEvent(id, "agency.create",
                       R"({"code":")" + code + R"(","name":")" + name + R"(","parent":null})"));
  }

  directory::Layout layout_;
  fs::path work_;
  journal::FaultEnv journal_env_;
  std::unique_ptr<journal::Journal> journal_;
  std::vector<std::unique_ptr<directory::LdapDirectory>> directories_;
  std::unique_ptr<Engine> engine_;
  TimePoint now_ =
      TimePoint(model::Date::FromYmd(2026, 11, 28).value().ToSysDays()) + std::chrono::hours(12);
};

TEST_F(SyncIntegrationTest, HireWritesThePersonTheDecisionAndAForcedPassword) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9001", "Nguyễn Văn An", "stttt"));
  RoundResult round = MakeEngine().RunOnce(now_);
  ASSERT_EQ(round.applied, 2u) << Info("h-1").detail << " / " << Info("a-1").detail;
  EXPECT_EQ(Info("h-1").detail, "uid=annv mail=annv@dongnai.gov.vn");

  auto person = PersonEntry("CB9001");
  ASSERT_TRUE(person);
  EXPECT_EQ(person->dn, layout_.PersonDn("annv"));
  EXPECT_EQ(person->Get("cn"), (ldap::Values{"Nguyễn Văn An", "nguyen van an", "An Nguyễn Văn", "an nguyen van"}));
  EXPECT_EQ(person->Get("sn"), (ldap::Values{"Nguyễn", "nguyen"}));
  EXPECT_EQ(person->First("givenName"), "An");
  EXPECT_EQ(person->First("mail"), "annv@dongnai.gov.vn");
  EXPECT_EQ(person->First("departmentNumber"), "stttt");
  EXPECT_EQ(person->First("ou"), "Sở Thông tin và Truyền thông");  // clients' Department
  EXPECT_EQ(person->First("title"), "Chuyên viên");
  EXPECT_EQ(person->First("telephoneNumber"), "0251 3822 000");
  EXPECT_EQ(person->First("danhbaStatus"), "active");
  EXPECT_EQ(person->First("danhbaBirthDate"), "19900501000000Z");
  EXPECT_TRUE(ldap::EqualsIgnoreCase(person->First("danhbaAgencyDN").value_or(""),
                                     layout_.AgencyDn("stttt")));
  // The password is reset by the sync account: the server forces a change (R13).
  EXPECT_EQ(person->First("pwdReset"), "TRUE");

  auto decisions = SearchRoot(layout_.decisions_dn, "(danhbaEventId=h-1)");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].First("danhbaDecisionNumber"), "15/QĐ-SNV");
  EXPECT_EQ(decisions[0].First("danhbaDecisionIssuer"), "Sở Nội vụ");
  EXPECT_EQ(decisions[0].First("danhbaDecisionType"), "hire");
  EXPECT_EQ(decisions[0].First("danhbaDecisionDate"), "20261120000000Z");
  EXPECT_TRUE(person->HasValue("danhbaDecisionDN", decisions[0].dn));

  auto agency = SearchRoot(layout_.agencies_dn, "(ou=stttt)");
  ASSERT_EQ(agency.size(), 1u);
  EXPECT_EQ(agency[0].First("mail"), "stttt@dongnai.gov.vn");
  EXPECT_EQ(agency[0].First("displayName"), "Sở Thông tin và Truyền thông");

  fs::path file = work_ / "handover" / "stttt.csv";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string password = HandedPassword("stttt", "h-1");
  EXPECT_GE(password.size(), 12u);
  // The handed-over password is the one in force.
  EXPECT_TRUE(Bind(person->dn, password).ok());
  EXPECT_FALSE(Bind(person->dn, password + "x").ok());
}

TEST_F(SyncIntegrationTest, ANameCorrectionWithNewAddressKeepsTheOldOneAsAnAlias) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9050", "Nguyễn Văn An", "stttt"));
  // A correction alone keeps the address.
  Append(R"({"id":"u-1","type":"update",)" + std::string(kDecision) +
         R"(,"person":{"id":"CB9050","full_name":"Nguyễn Văn Ăn"}})");
  Engine& engine = MakeEngine();
  engine.RunOnce(now_);
  ASSERT_EQ(Info("u-1").state, EventState::kApplied) << Info("u-1").detail;
  EXPECT_EQ(PersonEntry("CB9050")->First("mail"), "annv@dongnai.gov.vn");

  // Asked for: the address the corrected name gives, the old one an alias.
  Append(R"({"id":"u-2","type":"update",)" + std::string(kDecision) +
         R"(,"person":{"id":"CB9050","full_name":"Nguyễn Văn Anh","new_address":true}})");
  engine.RunOnce(now_);
  ASSERT_EQ(Info("u-2").state, EventState::kApplied) << Info("u-2").detail;
  EXPECT_EQ(Info("u-2").detail, "uid=anhnv mail=anhnv@dongnai.gov.vn alias=annv@dongnai.gov.vn");
  auto person = PersonEntry("CB9050");
  ASSERT_TRUE(person);
  EXPECT_EQ(person->dn, layout_.PersonDn("anhnv"));
  EXPECT_EQ(person->Get("uid"), ldap::Values{"anhnv"});
  EXPECT_EQ(person->First("mail"), "anhnv@dongnai.gov.vn");
  EXPECT_EQ(person->Get("danhbaMailAlias"), ldap::Values{"annv@dongnai.gov.vn"});
  EXPECT_EQ(person->First("displayName"), "Nguyễn Văn Anh");
  // The password the person had still works; the old address stays taken.
  EXPECT_TRUE(Bind(person->dn, HandedPassword("stttt", "h-1")).ok());
  EXPECT_TRUE(*directories_.front()->AddressTaken("annv"));
  Append(Hire("h-2", "CB9051", "Nguyễn Văn An", "stttt"));
  engine.RunOnce(now_);
  EXPECT_EQ(Info("h-2").detail, "uid=annv1 mail=annv1@dongnai.gov.vn");
}

TEST_F(SyncIntegrationTest, TheSameIdTwiceAppliesOnce) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9101", "Trần Thị Bình", "stttt"));
  EXPECT_TRUE(Append(Hire("h-1", "CB9101", "Trần Thị Bình", "stttt")).duplicate);
  Engine& engine = MakeEngine();
  engine.RunOnce(now_);
  engine.RunOnce(now_);
  EXPECT_EQ(SearchRoot(layout_.people_dn, "(danhbaPersonId=CB9101)").size(), 1u);
  EXPECT_EQ(SearchRoot(layout_.decisions_dn, "(danhbaEventId=h-1)").size(), 1u);
}

TEST_F(SyncIntegrationTest, CollidingNamesGetNumberedAddresses) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9201", "Nguyễn Văn Hùng", "stttt"));
  Append(Hire("h-2", "CB9202", "Nguyễn Văn Hưng", "stttt"));
  MakeEngine().RunOnce(now_);
  EXPECT_EQ(Info("h-1").detail, "uid=hungnv mail=hungnv@dongnai.gov.vn");
  EXPECT_EQ(Info("h-2").detail, "uid=hungnv1 mail=hungnv1@dongnai.gov.vn");
  auto second = PersonEntry("CB9202");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Get("cn"), (ldap::Values{"Nguyễn Văn Hưng", "nguyen van hung", "Hưng Nguyễn Văn", "hung nguyen van"}));
}

TEST_F(SyncIntegrationTest, TransferAndUpdateKeepTheAddress) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  CreateAgency("a-2", "skhcn", "Sở Khoa học và Công nghệ");
  Append(Hire("h-1", "CB9301", "Lê Văn Tám", "stttt"));
  Append(PersonEvent("t-1", "transfer", R"({"id":"CB9301","title":"Phó Trưởng phòng"})",
                     R"(,"to_agency":"skhcn")"));
  Append(PersonEvent("u-1", "update", R"({"id":"CB9301","full_name":"Lê Văn Thắm","phone":null})"));
  MakeEngine().RunOnce(now_);
  EXPECT_EQ(Info("u-1").state, EventState::kApplied) << Info("u-1").detail;
  auto person = PersonEntry("CB9301");
  ASSERT_TRUE(person);
  EXPECT_EQ(person->dn, layout_.PersonDn("tamlv"));
  EXPECT_EQ(person->First("mail"), "tamlv@dongnai.gov.vn");
  EXPECT_EQ(person->First("departmentNumber"), "skhcn");
  EXPECT_EQ(person->First("ou"), "Sở Khoa học và Công nghệ");  // the new agency's name
  EXPECT_EQ(person->First("title"), "Phó Trưởng phòng");
  EXPECT_EQ(person->Get("cn"), (ldap::Values{"Lê Văn Thắm", "le van tham", "Thắm Lê Văn", "tham le van"}));
  EXPECT_EQ(person->First("givenName"), "Thắm");
  EXPECT_FALSE(person->Has("telephoneNumber"));
  EXPECT_EQ(person->Get("danhbaDecisionDN").size(), 3u);
}

TEST_F(SyncIntegrationTest, LeaveHidesThePersonAndRehireGivesTheOldAddress) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9401", "Phạm Thị Lan", "stttt"));
  Append(PersonEvent("l-1", "leave", R"({"id":"CB9401"})"));
  Append(Hire("h-2", "CB9402", "Phạm Thị Lan", "stttt"));
  Engine& engine = MakeEngine();
  engine.RunOnce(now_);
  ASSERT_EQ(Info("l-1").state, EventState::kApplied) << Info("l-1").detail;
  std::string password = HandedPassword("stttt", "h-1");
  ASSERT_FALSE(password.empty());

  EXPECT_TRUE(SearchRoot(layout_.people_dn, "(uid=lanpt)").empty());
  auto former = SearchRoot(layout_.former_dn, "(uid=lanpt)", {"*", "userPassword"});
  ASSERT_EQ(former.size(), 1u);
  EXPECT_EQ(former[0].First("danhbaStatus"), "left");
  EXPECT_FALSE(former[0].Has("userPassword"));
  auto bind = Bind(former[0].dn, password);
  ASSERT_FALSE(bind.ok());
  EXPECT_EQ(bind.error().code, ErrorCode::kAuth);
  // Nobody else gets the address (R9).
  EXPECT_EQ(Info("h-2").detail, "uid=lanpt1 mail=lanpt1@dongnai.gov.vn");

  Append(Hire("h-3", "CB9401", "Phạm Thị Lan", "stttt"));
  engine.RunOnce(now_);
  ASSERT_EQ(Info("h-3").state, EventState::kApplied) << Info("h-3").detail;
  EXPECT_EQ(Info("h-3").detail, "uid=lanpt mail=lanpt@dongnai.gov.vn");
  auto back = PersonEntry("CB9401");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->dn, layout_.PersonDn("lanpt"));
  EXPECT_EQ(back->First("danhbaStatus"), "active");
  EXPECT_EQ(back->First("pwdReset"), "TRUE");
  EXPECT_TRUE(Bind(back->dn, HandedPassword("stttt", "h-3")).ok());
}

TEST_F(SyncIntegrationTest, AFutureEffectiveDateWaits) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(Hire("h-1", "CB9501", "Đỗ Văn Nam", "stttt", "2026-12-01"));
  Engine& engine = MakeEngine();
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(Info("h-1").state, EventState::kScheduled);
  ASSERT_TRUE(round.next_due);
  EXPECT_FALSE(PersonEntry("CB9501"));
  now_ = *round.next_due;
  engine.RunOnce(now_);
  EXPECT_EQ(Info("h-1").state, EventState::kApplied);
  EXPECT_TRUE(PersonEntry("CB9501"));
}

TEST_F(SyncIntegrationTest, ACrashBetweenStepsIsMendedByReplay) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  MakeEngine().RunOnce(now_);
  int n = 0;
  for (Step step : {Step::kPersonAdded, Step::kHandoverWritten}) {
    const std::string id = "h-" + std::to_string(n);
    const std::string person = "CB96" + std::to_string(n++);
    Append(Hire(id, person, "Võ Thị Sáu", "stttt"));
    EngineOptions crashing = Options();
    crashing.fault = [&](std::string_view event, Step at) -> Status {
      return event == id && at == step ? Transient("stopped after " + std::string(ToString(at)))
                                       : Ok();
    };
    EXPECT_TRUE(MakeEngine(1, crashing).RunOnce(now_).transient_failure);
    EXPECT_EQ(Info(id).state, EventState::kQueued);
    MakeEngine().RunOnce(now_);
    EXPECT_EQ(Info(id).state, EventState::kApplied) << ToString(step);
    auto entries = SearchRoot(subtree(), "(danhbaPersonId=" + person + ")");
    EXPECT_EQ(entries.size(), 1u) << ToString(step);
    ASSERT_FALSE(entries.empty());
    EXPECT_TRUE(Bind(entries[0].dn, HandedPassword("stttt", id)).ok()) << ToString(step);
  }
  // Leave, stopped after the move: replay finishes it.
  Append(PersonEvent("l-0", "leave", R"({"id":"CB960"})"));
  EngineOptions crashing = Options();
  crashing.fault = [](std::string_view, Step at) -> Status {
    return at == Step::kPersonMoved ? Transient("stopped") : Ok();
  };
  MakeEngine(1, crashing).RunOnce(now_);
  MakeEngine().RunOnce(now_);
  EXPECT_EQ(Info("l-0").state, EventState::kApplied);
  auto left = SearchRoot(subtree(), "(danhbaPersonId=CB960)", {"danhbaStatus", "userPassword"});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].First("danhbaStatus"), "left");
  EXPECT_FALSE(left[0].Has("userPassword"));
}

TEST_F(SyncIntegrationTest, AgencyMergeMovesStaffAndKeepsTheAddressAsAnAlias) {
  CreateAgency("a-1", "sgtvt", "Sở Giao thông Vận tải");
  CreateAgency("a-2", "sxd", "Sở Xây dựng");
  Append(Hire("h-1", "CB9701", "Hồ Văn Mười", "sgtvt"));
  Append(AgencyEvent("a-3", "agency.head", R"({"code":"sgtvt","head":"CB9701"})"));
  Append(AgencyEvent("a-4", "agency.dissolve", R"({"code":"sgtvt"})"));
  Append(AgencyEvent("a-5", "agency.merge", R"({"code":"sgtvt"})", R"(,"into":"sxd")"));
  MakeEngine().RunOnce(now_);
  EXPECT_EQ(Info("a-3").state, EventState::kApplied) << Info("a-3").detail;
  EXPECT_EQ(Info("a-4").state, EventState::kRejected);
  ASSERT_EQ(Info("a-5").state, EventState::kApplied) << Info("a-5").detail;
  auto old = SearchRoot(layout_.agencies_dn, "(ou=sgtvt)");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].First("danhbaStatus"), "merged");
  EXPECT_FALSE(old[0].Has("mail"));
  EXPECT_TRUE(ldap::EqualsIgnoreCase(old[0].First("danhbaHeadDN").value_or(""),
                                     layout_.PersonDn("muoihv")));
  auto target = SearchRoot(layout_.agencies_dn, "(ou=sxd)");
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(target[0].Get("danhbaMailAlias"), ldap::Values{"sgtvt@dongnai.gov.vn"});
  auto person = PersonEntry("CB9701");
  ASSERT_TRUE(person);
  EXPECT_EQ(person->First("departmentNumber"), "sxd");
}

TEST_F(SyncIntegrationTest, ANewAgencyCodeRenamesTheEntryAndKeepsTheOldAddressAsAnAlias) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  Append(AgencyEvent("a-2", "agency.create",
                     R"({"code":"stttt.tt","name":"Trung tâm CNTT","parent":"stttt"})"));
  Append(Hire("h-1", "CB9801", "Đinh Văn Hải", "stttt"));
  Append(Hire("h-2", "CB9802", "Lý Thị Lan", "stttt"));
  Append(PersonEvent("l-2", "leave", R"({"id":"CB9802"})"));
  Append(AgencyEvent(
      "r-1", "agency.update",
      R"({"code":"stttt","new_code":"skhcndt","name":"Sở Khoa học, Công nghệ và Truyền thông"})"));
  Append(Hire("h-3", "CB9803", "Mai Văn Tâm", "stttt"));  // sent before the sender knew
  Append(Hire("h-4", "CB9804", "Mai Thị Tâm", "skhcndt"));
  MakeEngine().RunOnce(now_);
  ASSERT_EQ(Info("r-1").state, EventState::kApplied) << Info("r-1").detail;
  EXPECT_EQ(Info("r-1").detail,
            "agency=skhcndt mail=skhcndt@dongnai.gov.vn alias=stttt@dongnai.gov.vn "
            "renamed_from=stttt");
  const std::string new_dn = layout_.AgencyDn("skhcndt");
  EXPECT_TRUE(SearchRoot(layout_.agencies_dn, "(ou=stttt)").empty());
  auto renamed = SearchRoot(layout_.agencies_dn, "(ou=skhcndt)");
  ASSERT_EQ(renamed.size(), 1u);
  EXPECT_TRUE(ldap::EqualsIgnoreCase(renamed[0].dn, new_dn)) << renamed[0].dn;
  EXPECT_EQ(renamed[0].Get("ou"), ldap::Values{"skhcndt"});
  EXPECT_EQ(renamed[0].First("danhbaAgencyCode"), "skhcndt");
  EXPECT_EQ(renamed[0].Get("mail"), ldap::Values{"skhcndt@dongnai.gov.vn"});
  EXPECT_EQ(renamed[0].First("displayName"), "Sở Khoa học, Công nghệ và Truyền thông");
  EXPECT_TRUE(renamed[0].HasValue("danhbaDecisionDN", layout_.DecisionDn("r-1")));
  // Mail to the old address still arrives: it is the renamed agency's alias, and
  // only its.
  auto old_address =
      SearchRoot(subtree(), "(|(mail=stttt@dongnai.gov.vn)(danhbaMailAlias=stttt@dongnai.gov.vn))",
                 {"mail", "danhbaMailAlias"});
  ASSERT_EQ(old_address.size(), 1u);
  EXPECT_TRUE(ldap::EqualsIgnoreCase(old_address[0].dn, new_dn));
  EXPECT_EQ(old_address[0].Get("danhbaMailAlias"), ldap::Values{"stttt@dongnai.gov.vn"});
  // People in service and former staff carry the new code, and point at the new DN.
  for (const char* id : {"CB9801", "CB9802"}) {
    auto person = PersonEntry(id);
    ASSERT_TRUE(person) << id;
    EXPECT_EQ(person->Get("departmentNumber"), ldap::Values{"skhcndt"}) << id;
    // Mail clients' Department follows the agency's new name.
    EXPECT_EQ(person->Get("ou"), ldap::Values{"Sở Khoa học, Công nghệ và Truyền thông"}) << id;
    EXPECT_TRUE(ldap::EqualsIgnoreCase(person->First("danhbaAgencyDN").value_or(""), new_dn))
        << id << ": " << person->First("danhbaAgencyDN").value_or("");
    EXPECT_TRUE(person->HasValue("danhbaDecisionDN", layout_.DecisionDn("r-1"))) << id;
  }
  EXPECT_NE(PersonEntry("CB9802")->dn.find(layout_.former_dn), std::string::npos);
  auto sub = SearchRoot(layout_.agencies_dn, "(ou=stttt.tt)", {"danhbaParentDN"});
  ASSERT_EQ(sub.size(), 1u);
  EXPECT_TRUE(ldap::EqualsIgnoreCase(sub[0].First("danhbaParentDN").value_or(""), new_dn));
  auto decision = SearchRoot(layout_.decisions_dn, "(danhbaEventId=r-1)", {"danhbaSubjectDN"});
  ASSERT_EQ(decision.size(), 1u);
  EXPECT_EQ(decision[0].Get("danhbaSubjectDN").size(), 1u);
  EXPECT_TRUE(ldap::EqualsIgnoreCase(decision[0].First("danhbaSubjectDN").value_or(""), new_dn));
  // slapo-refint rewrites older references to the agency in the background: the
  // agency.create decision's subject follows within a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string subject;
  while (std::chrono::steady_clock::now() < deadline) {
    auto created = SearchRoot(layout_.decisions_dn, "(danhbaEventId=a-1)", {"danhbaSubjectDN"});
    ASSERT_EQ(created.size(), 1u);
    subject = created[0].First("danhbaSubjectDN").value_or("");
    if (ldap::EqualsIgnoreCase(subject, new_dn)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(ldap::EqualsIgnoreCase(subject, new_dn)) << subject;
  // Later events: the old code is refused with the news, the new one works.
  EXPECT_EQ(Info("h-3").state, EventState::kRejected);
  EXPECT_NE(Info("h-3").detail.find("it was renamed to 'skhcndt'"), std::string::npos)
      << Info("h-3").detail;
  ASSERT_EQ(Info("h-4").state, EventState::kApplied) << Info("h-4").detail;
  EXPECT_EQ(PersonEntry("CB9804")->Get("departmentNumber"), ldap::Values{"skhcndt"});
  // The old address is never issued again.
  auto taken = NewDirectory().AddressTaken("stttt");
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_TRUE(*taken);
}

TEST_F(SyncIntegrationTest, ARenameStoppedAfterAnyStepIsFinishedByReplay) {
  CreateAgency("a-1", "sgtvt", "Sở Giao thông Vận tải");
  Append(AgencyEvent("a-2", "agency.create",
                     R"({"code":"sgtvt.dk","name":"Phòng Đăng kiểm","parent":"sgtvt"})"));
  Append(Hire("h-1", "CB9811", "Quách Văn Lực", "sgtvt"));
  MakeEngine().RunOnce(now_);
  ASSERT_EQ(Info("h-1").state, EventState::kApplied) << Info("h-1").detail;
  std::string code = "sgtvt";
  int n = 0;
  for (Step step : {Step::kDecisionWritten, Step::kAgencyRenamed, Step::kPersonUpdated,
                    Step::kSubAgenciesUpdated, Step::kAgencyWritten}) {
    const std::string next = "sgt" + std::to_string(n);
    const std::string id = "r-" + std::to_string(n++);
    Append(AgencyEvent(id, "agency.update",
                       R"({"code":")" + code + R"(","new_code":")" + next + R"("})"));
    EngineOptions crashing = Options();
    crashing.fault = [&](std::string_view event, Step at) -> Status {
      return event == id && at == step ? Transient("stopped after " + std::string(ToString(at)))
                                       : Ok();
    };
    EXPECT_TRUE(MakeEngine(1, crashing).RunOnce(now_).transient_failure) << ToString(step);
    EXPECT_EQ(Info(id).state, EventState::kQueued) << ToString(step);
    MakeEngine().RunOnce(now_);
    ASSERT_EQ(Info(id).state, EventState::kApplied) << ToString(step) << ": " << Info(id).detail;
    const std::string dn = layout_.AgencyDn(next);
    auto agency = SearchRoot(layout_.agencies_dn, "(danhbaAgencyCode=" + next + ")");
    ASSERT_EQ(agency.size(), 1u) << ToString(step);
    EXPECT_EQ(agency[0].Get("mail"), ldap::Values{next + "@dongnai.gov.vn"});
    // Every earlier code of the agency is an alias, once.
    EXPECT_EQ(agency[0].Get("danhbaMailAlias").size(), static_cast<std::size_t>(n))
        << ToString(step);
    EXPECT_TRUE(agency[0].HasValue("danhbaMailAlias", code + "@dongnai.gov.vn"));
    auto person = PersonEntry("CB9811");
    ASSERT_TRUE(person);
    EXPECT_EQ(person->Get("departmentNumber"), ldap::Values{next}) << ToString(step);
    EXPECT_EQ(person->Get("ou"), ldap::Values{"Sở Giao thông Vận tải"}) << ToString(step);
    EXPECT_TRUE(ldap::EqualsIgnoreCase(person->First("danhbaAgencyDN").value_or(""), dn));
    auto sub = SearchRoot(layout_.agencies_dn, "(ou=sgtvt.dk)", {"danhbaParentDN"});
    ASSERT_EQ(sub.size(), 1u);
    EXPECT_TRUE(ldap::EqualsIgnoreCase(sub[0].First("danhbaParentDN").value_or(""), dn))
        << ToString(step);
    code = next;
  }
}

TEST_F(SyncIntegrationTest, AgencyMergeMovesSubAgenciesToTheTarget) {
  CreateAgency("a-1", "sgtvt", "Sở Giao thông Vận tải");
  CreateAgency("a-2", "sxd", "Sở Xây dựng");
  Append(AgencyEvent("a-3", "agency.create",
                     R"({"code":"sgtvt.dk","name":"Phòng Đăng kiểm","parent":"sgtvt"})"));
  Append(AgencyEvent("a-4", "agency.merge", R"({"code":"sgtvt"})", R"(,"into":"sxd")"));
  MakeEngine().RunOnce(now_);
  ASSERT_EQ(Info("a-4").state, EventState::kApplied) << Info("a-4").detail;
  auto sub =
      SearchRoot(layout_.agencies_dn, "(ou=sgtvt.dk)", {"danhbaParentDN", "danhbaDecisionDN"});
  ASSERT_EQ(sub.size(), 1u);
  EXPECT_TRUE(
      ldap::EqualsIgnoreCase(sub[0].First("danhbaParentDN").value_or(""), layout_.AgencyDn("sxd")));
  EXPECT_TRUE(sub[0].HasValue("danhbaDecisionDN", layout_.DecisionDn("a-4")));
}

TEST_F(SyncIntegrationTest, AnOutageDelaysButLosesAndReordersNothing) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  for (int i = 0; i < 5; ++i) {
    Append(Hire("h-" + std::to_string(i), "CB98" + std::to_string(i), "Bùi Văn Khoa", "stttt"));
  }
  EngineOptions options = Options();
  options.clock = nullptr;  // the wall clock: Run() measures its back-off with it
  options.poll_interval = std::chrono::milliseconds(200);
  Engine& engine = MakeEngine(2, options);
  std::jthread runner([&](std::stop_token stop) { engine.Run(stop); });
  auto wait_applied = [&](const std::string& id) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Info(id).state == EventState::kApplied) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(wait_applied("h-4"));

  ASSERT_TRUE(danhba::testing::KillSlapd().ok());
  for (int i = 5; i < 10; ++i) {
    Append(Hire("h-" + std::to_string(i), "CB98" + std::to_string(i), "Bùi Văn Khoa", "stttt"));
  }
  Append(PersonEvent("t-5", "update", R"({"id":"CB985","title":"Trưởng phòng"})"));
  Append(PersonEvent("l-5", "leave", R"({"id":"CB985"})"));
  engine.Notify();
  // While the server is down the events wait in the journal.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (engine.backoff().count() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(engine.backoff().count(), 0);
  EXPECT_EQ(Info("h-5").state, EventState::kQueued);
  ASSERT_TRUE(danhba::testing::StartSlapd().ok());
  engine.Notify();
  // Workers mark their results as they go: wait for every one.
  for (std::string id : {"h-5", "h-6", "h-7", "h-8", "h-9", "t-5", "l-5"}) {
    ASSERT_TRUE(wait_applied(id)) << id << ": " << Info(id).detail;
  }
  runner.request_stop();
  runner.join();
  for (int i = 0; i < 10; ++i) {
    std::string id = "h-" + std::to_string(i);
    EXPECT_EQ(Info(id).state, EventState::kApplied) << id;
  }
  // Ten namesakes, ten addresses: khoabv, khoabv1 ... khoabv9, none lost or given
  // twice. Two workers apply hires of different people concurrently, so which
  // namesake got which number is not fixed.
  std::set<std::string> addresses;
  for (int i = 0; i < 10; ++i) addresses.insert(Info("h-" + std::to_string(i)).detail);
  std::set<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    std::string uid = "khoabv" + (i == 0 ? std::string() : std::to_string(i));
    expected.insert("uid=" + uid + " mail=" + uid + "@dongnai.gov.vn");
  }
  EXPECT_EQ(addresses, expected);
  auto left = SearchRoot(subtree(), "(danhbaPersonId=CB985)", {"danhbaStatus", "title"});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].First("danhbaStatus"), "left");
  EXPECT_EQ(left[0].First("title"), "Trưởng phòng");
  EXPECT_EQ(SearchRoot(layout_.people_dn, "(uid=khoabv*)").size(), 9u);
}

}  // namespace
}  // namespace danhba::sync

namespace danhba::sync {
namespace {

// The server dies while hires are being written (answers of adds may be lost):
// after it is back every person has exactly one entry and one handover line.
TEST_F(SyncIntegrationTest, AKillWhileWritingLeavesExactlyOneEntryPerPerson) {
  CreateAgency("a-1", "stttt", "Sở Thông tin và Truyền thông");
  const int kHires = 60;
  for (int i = 0; i < kHires; ++i) {
    Append(Hire("k-" + std::to_string(i), "CB99" + std::to_string(i), "Đinh Thị Hoa", "stttt"));
  }
  EngineOptions options = Options();
  options.clock = nullptr;
  options.poll_interval = std::chrono::milliseconds(200);
  options.batch_size = 4;
  options.journal_batch = 1;
  Engine& engine = MakeEngine(3, options);
  std::jthread runner([&](std::stop_token stop) { engine.Run(stop); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (journal_->Count().applied < 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(danhba::testing::KillSlapd().ok());
  EXPECT_LT(journal_->Count().applied, static_cast<std::size_t>(kHires + 1));
  ASSERT_TRUE(danhba::testing::StartSlapd().ok());
  engine.Notify();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (journal_->Count().applied < static_cast<std::size_t>(kHires + 1) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  runner.request_stop();
  runner.join();
  ASSERT_EQ(journal_->Count().applied, static_cast<std::size_t>(kHires + 1));
  EXPECT_EQ(journal_->Count().rejected, 0u);
  auto people =
      SearchRoot(layout_.people_dn, "(objectClass=danhbaPerson)", {"uid", "danhbaPersonId"});
  EXPECT_EQ(people.size(), static_cast<std::size_t>(kHires));
  std::set<std::string> ids, uids;
  for (const auto& p : people) {
    ids.insert(p.First("danhbaPersonId").value_or(""));
    uids.insert(p.First("uid").value_or(""));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kHires));
  EXPECT_EQ(uids.size(), static_cast<std::size_t>(kHires));
  std::string handover = Handover("stttt");
  for (int i = 0; i < kHires; ++i) {
    std::string id = "k-" + std::to_string(i);
    std::size_t lines = 0;
    for (std::size_t at = handover.find("," + id + "\n"); at != std::string::npos;
         at = handover.find("," + id + "\n", at + 1)) {
      ++lines;
    }
    EXPECT_EQ(lines, 1u) << id;
    // The password handed over is the one in force.
    auto entry = SearchRoot(layout_.people_dn, "(danhbaPersonId=CB99" + std::to_string(i) + ")");
    ASSERT_EQ(entry.size(), 1u);
    EXPECT_TRUE(Bind(entry[0].dn, HandedPassword("stttt", id)).ok()) << id;
  }
}

}  // namespace
}  // namespace danhba::sync
