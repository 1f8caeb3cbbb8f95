// The sync engine against an in-memory directory: order, scheduling, back-off,
// rejections and replay after a crash between steps.
#include "danhba/sync/engine.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "danhba/journal/fault_env.h"
#include "danhba/model/event.h"
#include "unit/sync/fake_directory.h"

namespace danhba::sync {
namespace {

namespace fs = std::filesystem;
using journal::EventState;
using testing::FakeDirectory;
using testing::FakeTree;

constexpr char kDecision[] =
    R"("decision":{"number":"1/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"})";

std::string Hire(std::string_view id, std::string_view person, std::string_view name,
                 std::string_view agency = "stttt", std::string_view effective = "") {
  std::string json = "{\"id\":\"" + std::string(id) + "\",\"type\":\"hire\"," + kDecision;
  if (!effective.empty()) json += ",\"effective_date\":\"" + std::string(effective) + "\"";
  json += ",\"person\":{\"id\":\"" + std::string(person) + "\",\"full_name\":\"" +
          std::string(name) +
          "\",\"birth_date\":\"1990-05-01\",\"title\":\"Chuyên viên\",\"agency\":\"" +
          std::string(agency) + "\"}}";
  return json;
}

std::string Transfer(std::string_view id, std::string_view person, std::string_view to,
                     std::string_view title) {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"transfer\"," + kDecision +
         ",\"person\":{\"id\":\"" + std::string(person) + "\",\"title\":\"" + std::string(title) +
         "\"},\"to_agency\":\"" + std::string(to) + "\"}";
}

std::string Leave(std::string_view id, std::string_view person) {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"leave\"," + kDecision +
         ",\"person\":{\"id\":\"" + std::string(person) + "\"}}";
}

std::string AgencyEvent(std::string_view id, std::string_view type, std::string_view agency_body,
                        std::string_view extra = "") {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"" + std::string(type) + "\"," + kDecision +
         ",\"agency\":" + std::string(agency_body) + std::string(extra) + "}";
}

TimePoint At(int y, int m, int d, int hour = 0) {
  auto date = model::Date::FromYmd(y, m, d).value();
  return TimePoint(date.ToSysDays()) + std::chrono::hours(hour);
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("danhba-sync-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    journal::JournalOptions options;
    options.dir = (dir_ / "journal").string();
    // The journal keeps the test's time too: it decides at append whether an
    // effective date lies ahead.
    journal_env_.SetClock([this] { return now_; });
    options.env = &journal_env_;
    journal_ = journal::Journal::Open(options).value();
    AddAgency("stttt", "Sở Thông tin và Truyền thông");
    AddAgency("skhcn", "Sở Khoa học và Công nghệ");
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  void AddAgency(const std::string& code, const std::string& name) {
    directory::AgencyRecord a;
    a.code = code;
    a.name = name;
    a.dn = fake_.layout().AgencyDn(code);
    a.mail = code + "@dongnai.gov.vn";
    tree_.agencies[code] = a;
  }

  EngineOptions Options() {
    EngineOptions options;
    options.handover_dir = (dir_ / "handover").string();
    options.clock = [this] { return now_; };
    options.start_of_day = [](const model::Date& d) { return TimePoint(d.ToSysDays()); };
    return options;
  }

  // Appends as the ingest API does: canonical JSON, not_before = effective date.
  void Append(const std::string& json) {
    auto event = model::ParseEvent(json);
    ASSERT_TRUE(event.ok()) << event.error() << "\n" << json;
    journal::NewEvent e{event->id, "test", model::ToJson(*event), std::nullopt};
    if (event->effective_date) e.not_before = TimePoint(event->effective_date->ToSysDays());
    auto appended = journal_->Append(std::move(e));
    ASSERT_TRUE(appended.ok()) << appended.error();
  }

  journal::EventInfo Info(const std::string& id) { return journal_->Lookup(id).value(); }

  const directory::PersonRecord* PersonById(const std::string& id) {
    for (const auto& [uid, p] : tree_.people) {
      if (p.person_id == id) return &p;
    }
    return nullptr;
  }

  std::string ReadFile(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::size_t CountLines(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
    return n;
  }

  fs::path dir_;
  journal::FaultEnv journal_env_;
  std::unique_ptr<journal::Journal> journal_;
  FakeTree tree_;
  FakeDirectory fake_{tree_};
  TimePoint now_ = At(2026, 11, 28, 12);
};

TEST_F(EngineTest, HireCreatesThePersonAndHandsOverThePassword) {
  Append(Hire("e1", "CB1", "Nguyễn Văn An"));
  Engine engine(*journal_, fake_, Options());
  ASSERT_TRUE(engine.Validate().ok());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.applied, 1u);
  auto info = Info("e1");
  EXPECT_EQ(info.state, EventState::kApplied);
  EXPECT_EQ(info.detail, "uid=annv mail=annv@dongnai.gov.vn");
  ASSERT_EQ(round.outcomes.size(), 1u);
  ASSERT_TRUE(round.outcomes[0].applied.has_value());
  EXPECT_EQ(round.outcomes[0].applied->uid, "annv");
  EXPECT_EQ(round.outcomes[0].applied->mail, "annv@dongnai.gov.vn");
  EXPECT_EQ(round.outcomes[0].applied->ToString(), info.detail);
  const auto* p = PersonById("CB1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->uid, "annv");
  EXPECT_EQ(p->agency_code, "stttt");
  EXPECT_EQ(p->title, "Chuyên viên");
  EXPECT_EQ(p->full_name, "Nguyễn Văn An");
  EXPECT_EQ(p->family_name, "Nguyễn");
  EXPECT_EQ(p->given_name, "An");
  EXPECT_TRUE(p->HasDecision(fake_.layout().DecisionDn("e1")));
  ASSERT_TRUE(tree_.decisions.count("e1"));
  const std::string password = tree_.passwords.at("annv");
  EXPECT_GE(password.size(), 12u);

  fs::path file = dir_ / "handover" / "stttt.csv";
  std::string text = ReadFile(file);
  EXPECT_EQ(text, "uid,email,full_name,password,event_id\nannv,annv@dongnai.gov.vn,Nguyễn Văn An," +
                      password + ",e1\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / "handover").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(EngineTest, CollidingNamesGetTheNextCandidate) {
  Append(Hire("e1", "CB1", "Nguyễn Văn Hùng"));
  Append(Hire("e2", "CB2", "Nguyễn Văn Hưng"));
  Append(Hire("e3", "CB3", "Nguyễn Văn Hùng", "skhcn"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(Info("e1").detail, "uid=hungnv mail=hungnv@dongnai.gov.vn");
  EXPECT_EQ(Info("e2").detail, "uid=hungnv1 mail=hungnv1@dongnai.gov.vn");
  EXPECT_EQ(Info("e3").detail, "uid=hungnv2 mail=hungnv2@dongnai.gov.vn");
}

TEST_F(EngineTest, AgencyAddressesAreTakenToo) {
  AddAgency("annv", "Ấp An Nhơn Vĩnh");
  Append(Hire("e1", "CB1", "Nguyễn Văn An"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(Info("e1").detail, "uid=annv1 mail=annv1@dongnai.gov.vn");
}

TEST_F(EngineTest, RejectionsSayWhy) {
  Append(Hire("e1", "CB1", "Nguyễn Văn An", "nosuch"));
  Append(Transfer("e2", "CB404", "skhcn", "Trưởng phòng"));
  Append(Hire("e3", "CB3", "Trần Thị Bình"));
  Append(Hire("e4", "CB3", "Trần Thị Bình"));  // a second hire of the same person (R3)
  Append(Leave("e5", "CB404"));
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.rejected, 4u);
  EXPECT_EQ(Info("e1").state, EventState::kRejected);
  EXPECT_EQ(Info("e1").detail, "unknown agency 'nosuch'");
  EXPECT_EQ(Info("e2").detail, "unknown person id CB404");
  EXPECT_EQ(Info("e3").state, EventState::kApplied);
  EXPECT_EQ(Info("e4").state, EventState::kRejected);
  EXPECT_EQ(Info("e4").detail, "person id CB3 already has the mailbox binhtt@dongnai.gov.vn (R3)");
  EXPECT_EQ(Info("e5").detail, "unknown person id CB404");
  EXPECT_EQ(tree_.people.size(), 1u);
}

TEST_F(EngineTest, AFutureEffectiveDateWaitsAndHoldsBackLaterEventsOfThatPerson) {
  Append(Hire("e1", "CB1", "Nguyễn Văn An", "stttt", "2026-12-01"));
  Append(Transfer("e2", "CB1", "skhcn", "Phó Trưởng phòng"));
  Append(Hire("e3", "CB2", "Lê Thị Cúc"));
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.applied, 1u);
  EXPECT_EQ(Info("e1").state, EventState::kScheduled);
  EXPECT_EQ(Info("e2").state, EventState::kQueued);
  EXPECT_EQ(Info("e3").state, EventState::kApplied);
  ASSERT_TRUE(round.next_due);
  EXPECT_EQ(*round.next_due, At(2026, 12, 1));
  EXPECT_EQ(PersonById("CB1"), nullptr);

  now_ = At(2026, 12, 1, 0);
  round = engine.RunOnce(now_);
  EXPECT_EQ(round.applied, 2u);
  EXPECT_EQ(Info("e1").state, EventState::kApplied);
  EXPECT_EQ(Info("e2").state, EventState::kApplied);
  const auto* p = PersonById("CB1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->agency_code, "skhcn");
  EXPECT_EQ(p->title, "Phó Trưởng phòng");
  EXPECT_EQ(p->uid, "annv");  // the address stays (R8)
}

TEST_F(EngineTest, AnEventAcknowledgedUnderLooserRulesIsAppliedAfterTheyTighten) {
  // Journaled when titles could be longer (or agency codes looser): today's
  // intake would refuse both, but what was acknowledged must still apply.
  const std::string long_title(300, 'a');
  const std::string hire = std::string(R"({"id":"old-1","type":"hire",)") + kDecision +
                           R"(,"person":{"id":"CB1","full_name":"Nguyễn Văn An",)"
                           R"("agency":"stttt","title":")" + long_title + R"("}})";
  ASSERT_FALSE(model::ParseEvent(hire).ok()) << "the rules no longer accept this title";
  ASSERT_TRUE(journal_->Append({"old-1", "test", hire, std::nullopt}).ok());
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.applied, 1u);
  EXPECT_EQ(round.rejected, 0u);
  EXPECT_EQ(Info("old-1").state, EventState::kApplied) << Info("old-1").detail;
  const auto* p = PersonById("CB1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->title, long_title);
}

TEST_F(EngineTest, AStoredEventWithoutThePartsItsTypeActsOnIsRejectedWithTheField) {
  // A damaged or hand-edited journal entry: rejected, with what is missing.
  const std::string transfer = std::string(R"({"id":"bad-1","type":"transfer",)") + kDecision +
                               R"(,"person":{"id":"CB1"}})";
  ASSERT_TRUE(journal_->Append({"bad-1", "test", transfer, std::nullopt}).ok());
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.rejected, 1u);
  auto info = Info("bad-1");
  EXPECT_EQ(info.state, EventState::kRejected);
  EXPECT_NE(info.detail.find("to_agency: required for a transfer"), std::string::npos)
      << info.detail;
}

TEST_F(EngineTest, AQueuedEventWhoseTimeHasNotComeIsMarkedScheduled) {
  // Appended by a journal whose clock ran ahead of the engine's.
  journal_env_.SetNow(At(2026, 12, 5));
  Append(Hire("e1", "CB1", "Nguyễn Văn An", "stttt", "2026-12-01"));
  ASSERT_EQ(Info("e1").state, EventState::kQueued);
  journal_env_.SetClock([this] { return now_; });
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.scheduled, 1u);
  EXPECT_EQ(round.applied, 0u);
  auto info = Info("e1");
  EXPECT_EQ(info.state, EventState::kScheduled);
  EXPECT_EQ(info.detail, "effective 2026-12-01");
  ASSERT_TRUE(info.not_before);
  EXPECT_EQ(*info.not_before, At(2026, 12, 1));
  EXPECT_EQ(PersonById("CB1"), nullptr);
}

TEST_F(EngineTest, AFailedPasswordGenerationLeavesTheClaimedAddressFree) {
  // Alone (batch_size 1) and in a batch: the address the failed hire claimed
  // goes to the next namesake, not "annv2".
  for (std::size_t batch_size : {std::size_t{1}, std::size_t{64}}) {
    SCOPED_TRACE("batch_size " + std::to_string(batch_size));
    tree_.people.clear();
    const std::string n = std::to_string(batch_size);
    bool fail = true;
    EngineOptions options = Options();
    options.batch_size = batch_size;
    options.generate_password = [&fail]() -> Result<std::string> {
      if (fail) return Internal("no entropy");
      return std::string("Abcdefgh23456789");
    };
    Engine engine(*journal_, fake_, options);
    Append(Hire("fail-" + n, "CBF" + n, "Nguyễn Văn An"));
    engine.RunOnce(now_);
    EXPECT_EQ(Info("fail-" + n).state, EventState::kRejected);
    EXPECT_NE(Info("fail-" + n).detail.find("no entropy"), std::string::npos)
        << Info("fail-" + n).detail;
    EXPECT_TRUE(tree_.people.empty());

    fail = false;
    Append(Hire("ok-" + n, "CBO" + n, "Nguyễn Văn An"));
    engine.RunOnce(now_);
    EXPECT_EQ(Info("ok-" + n).state, EventState::kApplied) << Info("ok-" + n).detail;
    const auto* p = PersonById("CBO" + n);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->uid, "annv");
  }
}

TEST_F(EngineTest, AnEffectiveDateNotYetReachedIsScheduledEvenWhenQueued) {
  // Appended without not_before (e.g. by an older client): the engine schedules it.
  auto event = model::ParseEvent(Hire("e1", "CB1", "Nguyễn Văn An", "stttt", "2027-01-01")).value();
  ASSERT_TRUE(journal_->Append({"e1", "test", model::ToJson(event), std::nullopt}).ok());
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_EQ(round.scheduled, 1u);
  auto info = Info("e1");
  EXPECT_EQ(info.state, EventState::kScheduled);
  ASSERT_TRUE(info.not_before);
  EXPECT_EQ(*info.not_before, At(2027, 1, 1));
  EXPECT_TRUE(tree_.people.empty());
}

TEST_F(EngineTest, TransientFailureLeavesEverythingQueuedInOrder) {
  for (int i = 0; i < 5; ++i) {
    Append(Hire("h" + std::to_string(i), "CB" + std::to_string(i), "Nguyễn Văn An"));
  }
  Append(Transfer("t0", "CB0", "skhcn", "Trưởng phòng"));
  std::atomic<bool> down{true};
  tree_.fail = [&](const std::string&) -> Status {
    if (down) return Transient("connect ldap://127.0.0.1: can't contact LDAP server (-1)");
    return Ok();
  };
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  EXPECT_TRUE(round.transient_failure);
  EXPECT_EQ(round.applied, 0u);
  EXPECT_NE(round.transient_detail.find("can't contact"), std::string::npos);
  for (const auto& info : journal_->List()) EXPECT_EQ(info.state, EventState::kQueued) << info.id;

  down = false;
  round = engine.RunOnce(now_);
  EXPECT_FALSE(round.transient_failure);
  EXPECT_EQ(round.applied, 6u);
  // Appended order gives the candidate order: annv, annv1, ...
  EXPECT_EQ(PersonById("CB0")->uid, "annv");
  EXPECT_EQ(PersonById("CB4")->uid, "annv4");
  EXPECT_EQ(PersonById("CB0")->agency_code, "skhcn");
}

TEST_F(EngineTest, ALaterEventNeverOvertakesOneThatFailed) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An"));
  Append(Hire("h2", "CB2", "Trần Thị Bình"));
  Append(Transfer("t1", "CB1", "skhcn", "Trưởng phòng"));
  Append(Leave("l2", "CB2"));
  // Only CB1's hire fails (the server answers the others).
  std::atomic<bool> down{true};
  tree_.fail = [&](const std::string& op) -> Status {
    if (down && op == "find CB1") return Transient("server down");
    return Ok();
  };
  FakeTree& tree = tree_;
  FakeDirectory second(tree);
  EngineOptions options = Options();
  options.batch_size = 1;
  Engine engine(*journal_, std::vector<directory::Directory*>{&fake_, &second}, options);
  RoundResult round = engine.RunOnce(now_);
  EXPECT_TRUE(round.transient_failure);
  EXPECT_EQ(Info("h1").state, EventState::kQueued);
  EXPECT_EQ(Info("t1").state, EventState::kQueued);
  EXPECT_EQ(PersonById("CB1"), nullptr);

  down = false;
  round = engine.RunOnce(now_);
  EXPECT_EQ(Info("h1").state, EventState::kApplied);
  EXPECT_EQ(Info("t1").state, EventState::kApplied);
  EXPECT_EQ(Info("h2").state, EventState::kApplied);
  EXPECT_EQ(Info("l2").state, EventState::kApplied);
  EXPECT_EQ(PersonById("CB1")->agency_code, "skhcn");
  EXPECT_EQ(PersonById("CB2")->status, "left");
}

TEST_F(EngineTest, LeaveMovesToFormerAndRehireGetsTheSameAddress) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An"));
  Append(Leave("l1", "CB1"));
  Append(Hire("h2", "CB2", "Nguyễn Văn An"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  const auto* p = PersonById("CB1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->status, "left");
  EXPECT_EQ(p->dn, fake_.layout().PersonDn("annv", true));
  EXPECT_FALSE(tree_.passwords.count("annv"));
  // The address of someone who left is never given to another person (R9).
  EXPECT_EQ(PersonById("CB2")->uid, "annv1");

  Append(Hire("h3", "CB1", "Nguyễn Văn An", "skhcn"));
  engine.RunOnce(now_);
  EXPECT_EQ(Info("h3").state, EventState::kApplied) << Info("h3").detail;
  p = PersonById("CB1");
  EXPECT_EQ(p->uid, "annv");
  EXPECT_EQ(p->status, "active");
  EXPECT_EQ(p->dn, fake_.layout().PersonDn("annv"));
  EXPECT_EQ(p->agency_code, "skhcn");
  EXPECT_TRUE(tree_.passwords.count("annv"));
  EXPECT_EQ(CountLines(ReadFile(dir_ / "handover" / "skhcn.csv"), ",h3"), 1u);
}

TEST_F(EngineTest, ACrashAfterAnyStepIsMendedByReplay) {
  const Step steps[] = {Step::kPersonAdded, Step::kDecisionWritten, Step::kHandoverWritten};
  int n = 0;
  for (Step step : steps) {
    std::string id = "h" + std::to_string(n);
    std::string person = "CB" + std::to_string(n++);
    Append(Hire(id, person, "Phạm Minh Châu"));
    EngineOptions options = Options();
    options.fault = [&](std::string_view event, Step at) -> Status {
      if (event == id && at == step) return Transient("crash after " + std::string(ToString(at)));
      return Ok();
    };
    {
      Engine crashing(*journal_, fake_, options);
      RoundResult round = crashing.RunOnce(now_);
      EXPECT_TRUE(round.transient_failure);
      EXPECT_EQ(Info(id).state, EventState::kQueued);
    }
    Engine engine(*journal_, fake_, Options());
    engine.RunOnce(now_);
    EXPECT_EQ(Info(id).state, EventState::kApplied) << ToString(step);
    // Exactly one entry, and exactly one handover line for the event.
    int entries = 0;
    for (const auto& [uid, p] : tree_.people) entries += p.person_id == person;
    EXPECT_EQ(entries, 1) << ToString(step);
    std::string text = ReadFile(dir_ / "handover" / "stttt.csv");
    EXPECT_EQ(CountLines(text, "," + id), 1u) << ToString(step) << "\n" << text;
    // The handed-over password is the one in force.
    const auto* p = PersonById(person);
    EXPECT_NE(text.find(p->uid + "," + p->mail + ",Phạm Minh Châu," + tree_.passwords.at(p->uid) +
                        "," + id),
              std::string::npos)
        << text;
  }
}

TEST_F(EngineTest, HiresUnderOneDecisionShareItsEntry) {
  for (int i = 0; i < 5; ++i)
    Append(Hire("s" + std::to_string(i), "CS" + std::to_string(i), "Lê Thị Hoa"));
  std::string other = Hire("s5", "CS5", "Lê Văn Nam");
  other.replace(other.find("1/QĐ-SNV"), std::string_view("1/QĐ-SNV").size(), "2/QĐ-SNV");
  Append(other);
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(journal_->Count().applied, 6u);
  ASSERT_EQ(tree_.decisions.size(), 2u);
  const auto& shared = tree_.decisions.at("s0");
  ASSERT_EQ(shared.subject_dns.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const auto* p = PersonById("CS" + std::to_string(i));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->decision_dns, std::vector<std::string>{fake_.layout().DecisionDn("s0")});
    EXPECT_EQ(p->created_by_event, "s" + std::to_string(i));
    EXPECT_EQ(shared.subject_dns[i], p->dn);
  }
  EXPECT_EQ(tree_.decisions.at("s5").decision.number, "2/QĐ-SNV");
  EXPECT_EQ(tree_.decisions.at("s5").subject_dns, std::vector<std::string>{PersonById("CS5")->dn});
}

TEST_F(EngineTest, AStaffListIsLookedUpABatchAtATime) {
  // Namesakes too: the second An asks for annv1 by itself.
  for (int i = 0; i < 40; ++i) {
    Append(Hire("b" + std::to_string(i), "CL" + std::to_string(i),
                i < 2 ? "Nguyễn Văn An" : "Trần Thị Bình " + std::string(1, char('A' + i % 26))));
  }
  std::map<std::string, int> ops;
  tree_.fail = [&](const std::string& op) -> Status {
    ops[op.substr(0, op.find(' '))]++;
    return Ok();
  };
  EngineOptions options = Options();
  options.batch_size = 16;
  Engine engine(*journal_, fake_, options);
  engine.RunOnce(now_);
  EXPECT_EQ(journal_->Count().applied, 40u);
  EXPECT_EQ(PersonById("CL0")->uid, "annv");
  EXPECT_EQ(PersonById("CL1")->uid, "annv1");
  EXPECT_EQ(ops["find-many"], 3);  // 16 + 16 + 8 hires
  EXPECT_EQ(ops["taken-many"], 3);
  EXPECT_EQ(ops["find"], 0);
  EXPECT_EQ(ops["agency"], 1);  // read once for the run
  EXPECT_EQ(ops["create"], 3);
  EXPECT_EQ(ops["decision"], 3);
}

TEST_F(EngineTest, AnAddressTakenBehindTheBatchsBackGoesToTheNextCandidate) {
  Append(Hire("w0", "CW0", "Đỗ Văn Khoa"));
  Append(Hire("w1", "CW1", "Nguyễn Văn An"));
  Append(Hire("w2", "CW2", "Lý Thị Mai"));
  bool once = true;
  tree_.fail = [&](const std::string& op) -> Status {
    if (op == "create 3" && once) {
      once = false;  // another writer adds annv between the lookup and the adds
      directory::PersonRecord other;
      other.uid = "annv";
      other.dn = fake_.layout().PersonDn("annv");
      other.person_id = "OTHER";
      tree_.people["annv"] = other;
    }
    return Ok();
  };
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(journal_->Count().applied, 3u);
  EXPECT_EQ(PersonById("CW1")->uid, "annv1");
  EXPECT_EQ(PersonById("CW0")->uid, "khoadv");
  EXPECT_EQ(PersonById("CW2")->uid, "mailt");
  EXPECT_EQ(tree_.password_resets, 3);  // each person's password set once, in the add
  std::string text = ReadFile(dir_ / "handover" / "stttt.csv");
  for (const char* id : {",w0", ",w1", ",w2"}) EXPECT_EQ(CountLines(text, id), 1u) << text;
  // The shared decision names the two added together; w1 has its own.
  EXPECT_EQ(tree_.decisions.at("w0").subject_dns.size(), 2u);
  EXPECT_EQ(tree_.decisions.at("w1").subject_dns, std::vector<std::string>{PersonById("CW1")->dn});
}

std::string NewAddress(std::string_view id, std::string_view person, std::string_view name) {
  return "{\"id\":\"" + std::string(id) + "\",\"type\":\"update\"," + kDecision +
         ",\"person\":{\"id\":\"" + std::string(person) + "\",\"full_name\":\"" +
         std::string(name) + "\",\"new_address\":true}}";
}

TEST_F(EngineTest, NewAddressFollowsTheCollisionPolicyAndKeepsTheOldAsAlias) {
  Append(Hire("h1", "CN1", "Nguyễn Văn An"));
  Append(Hire("h2", "CN2", "Nguyễn Văn Anh"));  // anhnv is taken
  Append(NewAddress("u1", "CN1", "Nguyễn Văn Anh"));
  Engine engine(*journal_, fake_, Options());
  RoundResult round = engine.RunOnce(now_);
  ASSERT_EQ(Info("u1").state, EventState::kApplied) << Info("u1").detail;
  EXPECT_EQ(Info("u1").detail, "uid=anhnv1 mail=anhnv1@dongnai.gov.vn alias=annv@dongnai.gov.vn");
  ASSERT_EQ(round.outcomes.size(), 3u);
  ASSERT_TRUE(round.outcomes[2].applied.has_value());
  EXPECT_EQ(round.outcomes[2].applied->alias, "annv@dongnai.gov.vn");
  EXPECT_FALSE(round.outcomes[1].applied->alias.has_value());
  const auto* p = PersonById("CN1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->uid, "anhnv1");
  EXPECT_EQ(p->dn, fake_.layout().PersonDn("anhnv1"));
  EXPECT_EQ(p->aliases, std::vector<std::string>{"annv@dongnai.gov.vn"});
  EXPECT_EQ(p->full_name, "Nguyễn Văn Anh");
  EXPECT_TRUE(tree_.passwords.count("anhnv1"));  // the password moves with the entry
  // A name that gives the address the person has: nothing to rename.
  Append(NewAddress("u2", "CN2", "Nguyễn Văn Anh"));
  engine.RunOnce(now_);
  EXPECT_EQ(Info("u2").detail, "uid=anhnv mail=anhnv@dongnai.gov.vn");
  EXPECT_TRUE(PersonById("CN2")->aliases.empty());
}

TEST_F(EngineTest, ACrashAfterTheRenameIsFinishedByReplay) {
  Append(Hire("h1", "CR1", "Trần Văn Bình"));
  {
    Engine engine(*journal_, fake_, Options());
    engine.RunOnce(now_);
  }
  Append(NewAddress("u1", "CR1", "Trần Văn Cường"));
  for (Step step : {Step::kPersonRenamed, Step::kDecisionWritten}) {
    EngineOptions options = Options();
    options.fault = [step](std::string_view event, Step at) -> Status {
      if (event == "u1" && at == step) return Transient("crash");
      return Ok();
    };
    Engine crashing(*journal_, fake_, options);
    EXPECT_TRUE(crashing.RunOnce(now_).transient_failure);
    EXPECT_EQ(Info("u1").state, EventState::kQueued);
  }
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  ASSERT_EQ(Info("u1").state, EventState::kApplied) << Info("u1").detail;
  // Renamed once, to the first candidate, and finished by the replays.
  const auto* p = PersonById("CR1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->uid, "cuongtv");
  EXPECT_EQ(p->mail, "cuongtv@dongnai.gov.vn");
  EXPECT_EQ(p->aliases, std::vector<std::string>{"binhtv@dongnai.gov.vn"});
  EXPECT_EQ(tree_.people.size(), 1u);
  EXPECT_EQ(Info("u1").detail,
            "uid=cuongtv mail=cuongtv@dongnai.gov.vn alias=binhtv@dongnai.gov.vn");
}

TEST_F(EngineTest, ACrashBeforeTheSharedDecisionIsWrittenIsMendedByReplay) {
  for (int i = 0; i < 4; ++i)
    Append(Hire("c" + std::to_string(i), "CC" + std::to_string(i), "Võ Văn Tâm"));
  EngineOptions options = Options();
  options.fault = [](std::string_view event, Step at) -> Status {
    if (event == "c2" && at == Step::kPersonAdded) return Transient("crash after the adds");
    return Ok();
  };
  {
    Engine crashing(*journal_, fake_, options);
    EXPECT_TRUE(crashing.RunOnce(now_).transient_failure);
  }
  EXPECT_EQ(tree_.people.size(), 4u);
  EXPECT_TRUE(tree_.decisions.empty());
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(journal_->Count().applied, 4u);
  ASSERT_EQ(tree_.decisions.size(), 1u);
  EXPECT_EQ(tree_.decisions.at("c0").subject_dns.size(), 4u);
  EXPECT_EQ(tree_.people.size(), 4u);
  std::string text = ReadFile(dir_ / "handover" / "stttt.csv");
  for (int i = 0; i < 4; ++i) {
    const auto* p = PersonById("CC" + std::to_string(i));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->decision_dns, std::vector<std::string>{fake_.layout().DecisionDn("c0")});
    EXPECT_EQ(CountLines(text, ",c" + std::to_string(i)), 1u) << text;
  }
}

TEST_F(EngineTest, LeaveReplayAfterTheMoveFinishesIt) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An"));
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  Append(Leave("l1", "CB1"));
  EngineOptions options = Options();
  options.fault = [](std::string_view, Step at) -> Status {
    return at == Step::kPersonMoved ? Transient("crash") : Ok();
  };
  Engine(*journal_, fake_, options).RunOnce(now_);
  EXPECT_EQ(Info("l1").state, EventState::kQueued);
  EXPECT_EQ(PersonById("CB1")->status, "active");
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  EXPECT_EQ(Info("l1").state, EventState::kApplied);
  EXPECT_EQ(PersonById("CB1")->status, "left");
  EXPECT_FALSE(tree_.passwords.count("annv"));
}

// A leave and a re-hire applied in one round, then a crash before their results
// reached the journal: both are replayed, and the person stays in service.
TEST_F(EngineTest, LeaveAndRehireReplayedTogetherKeepThePersonInService) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An"));
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  const std::vector<std::string> later = {Leave("l1", "CB1"),
                                          Hire("h2", "CB1", "Nguyễn Văn An", "skhcn")};
  for (const auto& event : later) Append(event);
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  ASSERT_EQ(PersonById("CB1")->status, "active");

  // The journal as it was before the lost results: both events still queued.
  journal_.reset();
  journal_ = journal::Journal::Open({.dir = (dir_ / "journal-before-crash").string()}).value();
  for (const auto& event : later) Append(event);
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  EXPECT_EQ(Info("l1").state, EventState::kApplied) << Info("l1").detail;
  EXPECT_EQ(Info("h2").state, EventState::kApplied) << Info("h2").detail;
  const auto* p = PersonById("CB1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->status, "active");
  EXPECT_EQ(p->dn, fake_.layout().PersonDn("annv"));
  EXPECT_EQ(p->agency_code, "skhcn");
}

TEST_F(EngineTest, AgencyLifecycle) {
  Append(AgencyEvent("a1", "agency.create",
                     R"({"code":"sgtvt","name":"Sở Giao thông Vận tải","parent":null})"));
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "sgtvt"));
  Append(Hire("h2", "CB2", "Lê Văn Tám", "sgtvt"));
  Append(AgencyEvent("a2", "agency.head", R"({"code":"sgtvt","head":"CB1","delegates":["CB2"]})"));
  Append(AgencyEvent("a3", "agency.dissolve", R"({"code":"sgtvt"})"));
  Append(AgencyEvent("a4", "agency.merge", R"({"code":"sgtvt"})", R"(,"into":"skhcn")"));
  Append(AgencyEvent("a5", "agency.update", R"({"code":"skhcn","name":"Sở KH và CN"})"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(Info("a1").state, EventState::kApplied);
  EXPECT_EQ(Info("a1").detail, "agency=sgtvt mail=sgtvt@dongnai.gov.vn");
  EXPECT_EQ(Info("h1").state, EventState::kApplied);
  EXPECT_EQ(Info("a2").state, EventState::kApplied);
  EXPECT_EQ(Info("a3").state, EventState::kRejected);
  EXPECT_NE(Info("a3").detail.find("still has 2 people"), std::string::npos) << Info("a3").detail;
  EXPECT_EQ(Info("a4").state, EventState::kApplied) << Info("a4").detail;
  EXPECT_EQ(Info("a5").state, EventState::kApplied);

  const auto& old = tree_.agencies.at("sgtvt");
  EXPECT_EQ(old.status, "merged");
  EXPECT_FALSE(old.mail);
  EXPECT_EQ(old.head_dn, fake_.layout().PersonDn("annv"));
  const auto& target = tree_.agencies.at("skhcn");
  EXPECT_EQ(target.aliases, std::vector<std::string>{"sgtvt@dongnai.gov.vn"});
  EXPECT_EQ(target.name, "Sở KH và CN");
  EXPECT_EQ(PersonById("CB1")->agency_code, "skhcn");
  EXPECT_EQ(PersonById("CB2")->agency_dn, fake_.layout().AgencyDn("skhcn"));
  // A role mailbox is never an agency.
  Append(AgencyEvent("a7", "agency.create", R"({"code":"postmaster","name":"Bưu điện"})"));
  engine.RunOnce(now_);
  EXPECT_EQ(Info("a7").state, EventState::kRejected);
  EXPECT_NE(Info("a7").detail.find("postmaster"), std::string::npos) << Info("a7").detail;
  // The merged agency's address stays reserved: no one gets it.
  Append(AgencyEvent("a6", "agency.create", R"({"code":"sgtvt","name":"Sở GTVT"})"));
  engine.RunOnce(now_);
  EXPECT_EQ(Info("a6").state, EventState::kRejected);
}

TEST_F(EngineTest, AnAgencyEventWaitsForEarlierEventsOfItsAgency) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "stttt", "2026-12-01"));
  Append(AgencyEvent("a1", "agency.merge", R"({"code":"stttt"})", R"(,"into":"skhcn")"));
  Append(Hire("h2", "CB2", "Lê Văn Tám", "stttt"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(Info("a1").state, EventState::kQueued);
  EXPECT_EQ(Info("h2").state, EventState::kQueued);
  now_ = At(2026, 12, 1);
  engine.RunOnce(now_);
  EXPECT_EQ(Info("h1").state, EventState::kApplied);
  EXPECT_EQ(Info("a1").state, EventState::kApplied);
  EXPECT_EQ(PersonById("CB1")->agency_code, "skhcn");
  // Hired into an agency merged just before: refused with the reason.
  EXPECT_EQ(Info("h2").state, EventState::kRejected);
  EXPECT_EQ(Info("h2").detail, "agency 'stttt' is merged");
}

TEST_F(EngineTest, ManyWorkersApplyEveryHireOnceWithDistinctAddresses) {
  const int kHires = 300;
  for (int i = 0; i < kHires; ++i) {
    Append(Hire("h" + std::to_string(i), "CB" + std::to_string(i),
                i % 2 ? "Nguyễn Văn An" : "Trần Thị Bình", i % 3 ? "stttt" : "skhcn"));
  }
  // Each tenth person is transferred right after the hire: same round, same worker.
  for (int i = 0; i < kHires; i += 10) {
    Append(Transfer("t" + std::to_string(i), "CB" + std::to_string(i), "skhcn", "Trưởng phòng"));
  }
  FakeDirectory d2(tree_), d3(tree_), d4(tree_);
  EngineOptions options = Options();
  options.batch_size = 16;
  options.journal_batch = 32;
  options.max_round_events = 200;
  // The workers are started with the engine (the round's own thread is the
  // first), not every round.
  auto threads = [] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& task : fs::directory_iterator("/proc/self/task")) ++n;
    return n;
  };
  const std::size_t threads_before = threads();
  Engine engine(*journal_, std::vector<directory::Directory*>{&fake_, &d2, &d3, &d4}, options);
  const std::size_t threads_with_engine = threads();
  EXPECT_EQ(threads_with_engine, threads_before + 3);
  RoundResult round = engine.RunOnce(now_);
  EXPECT_TRUE(round.more);
  EXPECT_EQ(round.applied, 200u);
  while (round.more) {
    round = engine.RunOnce(now_);
    EXPECT_EQ(threads(), threads_with_engine);
  }
  EXPECT_EQ(tree_.people.size(), static_cast<std::size_t>(kHires));
  EXPECT_EQ(journal_->Count().applied, static_cast<std::size_t>(kHires + kHires / 10));
  for (int i = 0; i < kHires; i += 10) {
    EXPECT_EQ(PersonById("CB" + std::to_string(i))->agency_code, "skhcn") << i;
  }
  std::size_t lines = CountLines(ReadFile(dir_ / "handover" / "stttt.csv"), "@") +
                      CountLines(ReadFile(dir_ / "handover" / "skhcn.csv"), "@");
  EXPECT_EQ(lines, static_cast<std::size_t>(kHires));
}

TEST_F(EngineTest, InvalidPayloadIsRejected) {
  ASSERT_TRUE(journal_->Append({"bad", "test", "{\"id\":\"bad\"}", std::nullopt}).ok());
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  EXPECT_EQ(Info("bad").state, EventState::kRejected);
  EXPECT_NE(Info("bad").detail.find("not a valid event"), std::string::npos);
  EXPECT_TRUE(tree_.people.empty());
}

TEST_F(EngineTest, RunWakesOnNotifyAndPicksUpRetryRequests) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "nosuch"));
  EngineOptions options = Options();
  options.retry_dir = (dir_ / "retry").string();
  Engine engine(*journal_, fake_, options);
  std::jthread runner([&](std::stop_token stop) { engine.Run(stop); });
  auto wait_for = [&](const std::string& id, EventState state) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Info(id).state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  ASSERT_TRUE(wait_for("h1", EventState::kRejected));
  Append(Hire("h2", "CB2", "Lê Văn Tám"));
  engine.Notify();
  ASSERT_TRUE(wait_for("h2", EventState::kApplied));
  // The operator fixes the cause (the agency now exists) and asks for a retry.
  AddAgency("nosuch", "Cơ quan mới");
  ASSERT_TRUE(RequestRetry(options.retry_dir, "h1").ok());
  engine.Notify();
  ASSERT_TRUE(wait_for("h1", EventState::kApplied));
  runner.request_stop();
}

TEST(EngineConfigTest, OptionsComeFromTheConfiguration) {
  auto config = config::ParseString(
      "domain: example.gov.vn\ndata_dir: /srv/danhba\nnaming:\n  collision: birth_year\n"
      "  reserved: [vanthu]\n",
      "test.yaml", "/");
  ASSERT_TRUE(config.ok()) << config.error();
  auto options = OptionsFromConfig(*config);
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->naming.collision, naming::CollisionPolicy::kBirthYear);
  EXPECT_EQ(options->handover_dir, "/srv/danhba/handover");
  EXPECT_EQ(options->retry_dir, "/srv/danhba/retry-requests");
  EXPECT_NE(std::find(options->naming.reserved.begin(), options->naming.reserved.end(), "vanthu"),
            options->naming.reserved.end());
  auto dir = DirectoryOptionsFromConfig(*config);
  EXPECT_EQ(dir.domain, "example.gov.vn");
  EXPECT_EQ(dir.layout.people_dn, "ou=people,dc=dongnai,dc=gov,dc=vn");
}

// ---------------------------------------------------------------------------
// agency.update with new_code, and sub-agencies in a merge

class AgencyRenameTest : public EngineTest {
 protected:
  void AddSubAgency(const std::string& code, const std::string& parent) {
    AddAgency(code, "Phòng " + code);
    tree_.agencies[code].parent_dn = fake_.layout().AgencyDn(parent);
  }

  // `code` with one person in service (CI<tag>), one who left (CF<tag>) and a
  // sub-agency <code>.p.
  void Staff(const std::string& code, const std::string& tag) {
    Append(Hire("hi" + tag, "CI" + tag, "Nguyễn Văn An", code));
    Append(Hire("hf" + tag, "CF" + tag, "Trần Thị Bình", code));
    Append(Leave("lf" + tag, "CF" + tag));
    AddSubAgency(code + ".p", code);
  }

  std::string Rename(const std::string& id, const std::string& from, const std::string& to,
                     const std::string& more = "") {
    return AgencyEvent(id, "agency.update",
                       R"({"code":")" + from + R"(","new_code":")" + to + "\"" + more + "}");
  }

  // What a finished rename of `from` to `to` leaves, for the staff of Staff().
  void ExpectRenamed(const std::string& from, const std::string& to, const std::string& tag,
                     const std::string& event_id) {
    SCOPED_TRACE(from + " -> " + to);
    const std::string decision = fake_.layout().DecisionDn(event_id);
    const std::string dn = fake_.layout().AgencyDn(to);
    EXPECT_FALSE(tree_.agencies.count(from));
    ASSERT_TRUE(tree_.agencies.count(to));
    const auto& a = tree_.agencies.at(to);
    EXPECT_EQ(a.dn, dn);
    EXPECT_EQ(a.code, to);
    EXPECT_EQ(a.mail, to + "@dongnai.gov.vn");
    EXPECT_EQ(a.aliases, std::vector<std::string>{from + "@dongnai.gov.vn"});
    EXPECT_EQ(a.decision_dns, std::vector<std::string>{decision});
    for (const std::string& person : {"CI" + tag, "CF" + tag}) {
      const auto* p = PersonById(person);
      ASSERT_NE(p, nullptr) << person;
      EXPECT_EQ(p->agency_code, to) << person;
      EXPECT_EQ(p->agency_dn, dn) << person;
      EXPECT_EQ(std::count(p->decision_dns.begin(), p->decision_dns.end(), decision), 1) << person;
    }
    EXPECT_EQ(PersonById("CF" + tag)->status, "left");
    EXPECT_EQ(PersonById("CF" + tag)->dn,
              fake_.layout().PersonDn(PersonById("CF" + tag)->uid, true));
    const auto& sub = tree_.agencies.at(from + ".p");
    EXPECT_EQ(sub.parent_dn, dn);
    EXPECT_EQ(std::count(sub.decision_dns.begin(), sub.decision_dns.end(), decision), 1);
    ASSERT_TRUE(tree_.decisions.count(event_id));
    EXPECT_EQ(tree_.decisions.at(event_id).subject_dns, std::vector<std::string>{dn});
  }
};

TEST_F(AgencyRenameTest, ANewCodeRenamesTheAgencyAndEverythingThatPointsAtIt) {
  for (bool refint : {false, true}) {
    tree_.refint = refint;
    const std::string tag = refint ? "1" : "0";
    const std::string from = "old" + tag, to = "new" + tag;
    AddAgency(from, "Sở cũ");
    Staff(from, tag);
    Append(Rename("r" + tag, from, to, R"(,"name":"Sở mới")"));
    Engine engine(*journal_, fake_, Options());
    engine.RunOnce(now_);
    ASSERT_EQ(Info("r" + tag).state, EventState::kApplied) << Info("r" + tag).detail;
    EXPECT_EQ(Info("r" + tag).detail, "agency=" + to + " mail=" + to + "@dongnai.gov.vn alias=" +
                                          from + "@dongnai.gov.vn renamed_from=" + from);
    ExpectRenamed(from, to, tag, "r" + tag);
    EXPECT_EQ(tree_.agencies.at(to).name, "Sở mới");
  }
}

TEST_F(AgencyRenameTest, EventsThatNameTheOldCodeSayItWasRenamed) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "stttt"));
  Append(Rename("r1", "stttt", "skhcndt"));
  Append(Hire("h2", "CB2", "Lê Văn Tám", "stttt"));
  Append(Transfer("t1", "CB1", "stttt", "Trưởng phòng"));
  Append(AgencyEvent("a1", "agency.head", R"({"code":"stttt","head":"CB1"})"));
  Append(Hire("h3", "CB3", "Lê Thị Hoa", "skhcndt"));
  Append(AgencyEvent("a2", "agency.create", R"({"code":"stttt","name":"Sở mới"})"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  ASSERT_EQ(Info("r1").state, EventState::kApplied) << Info("r1").detail;
  const std::string renamed =
      "unknown agency 'stttt': it was renamed to 'skhcndt' (stttt@dongnai.gov.vn is an alias "
      "of its address)";
  EXPECT_EQ(Info("h2").state, EventState::kRejected);
  EXPECT_EQ(Info("h2").detail, renamed);
  EXPECT_EQ(Info("t1").state, EventState::kRejected);
  EXPECT_NE(Info("t1").detail.find(renamed), std::string::npos) << Info("t1").detail;
  EXPECT_EQ(Info("a1").detail, renamed);
  EXPECT_EQ(Info("h3").state, EventState::kApplied) << Info("h3").detail;
  EXPECT_EQ(PersonById("CB3")->agency_dn, fake_.layout().AgencyDn("skhcndt"));
  // The old address stays the renamed agency's: no new agency takes it.
  EXPECT_EQ(Info("a2").state, EventState::kRejected);
  EXPECT_NE(Info("a2").detail.find("stttt@dongnai.gov.vn is taken"), std::string::npos)
      << Info("a2").detail;
}

TEST_F(AgencyRenameTest, ATakenOrReservedNewCodeIsRefusedAndChangesNothing) {
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "skhcn"));  // annv
  AddAgency("sgtvt", "Sở GTVT");
  tree_.agencies["sgtvt"].aliases = {"sgt@dongnai.gov.vn"};
  Append(Rename("r1", "stttt", "annv"));
  Append(Rename("r2", "stttt", "skhcn"));
  Append(Rename("r3", "stttt", "sgt"));
  Append(Rename("r4", "stttt", "postmaster"));
  Append(Rename("r5", "stttt", "hotro"));
  Append(Rename("r6", "nosuch", "other"));
  Append(Rename("r7", "stttt", "ok", R"(,"parent":"nosuch")"));
  EngineOptions options = Options();
  options.naming.reserved.push_back("hotro");
  Engine engine(*journal_, fake_, options);
  engine.RunOnce(now_);
  const std::pair<const char*, const char*> expected[] = {
      {"r1", "cannot rename agency 'stttt': the address annv@dongnai.gov.vn is taken"},
      {"r2", "cannot rename agency 'stttt' to 'skhcn': agency 'skhcn' exists already (active)"},
      {"r3", "cannot rename agency 'stttt': the address sgt@dongnai.gov.vn is taken"},
      {"r4", "postmaster"},
      {"r5",
       "cannot rename agency 'stttt': the address hotro@dongnai.gov.vn is reserved by the "
       "naming policy"},
      {"r6", "unknown agency 'nosuch'"},
      {"r7", "parent: unknown agency 'nosuch'"},
  };
  for (const auto& [id, why] : expected) {
    EXPECT_EQ(Info(id).state, EventState::kRejected) << id;
    EXPECT_NE(Info(id).detail.find(why), std::string::npos) << id << ": " << Info(id).detail;
  }
  EXPECT_TRUE(Info("r4").detail.find("cannot rename agency 'stttt'") == 0) << Info("r4").detail;
  ASSERT_TRUE(tree_.agencies.count("stttt"));
  EXPECT_EQ(tree_.agencies.at("stttt").mail, "stttt@dongnai.gov.vn");
  EXPECT_TRUE(tree_.agencies.at("stttt").aliases.empty());
  EXPECT_EQ(tree_.decisions.count("r1") + tree_.decisions.count("r7"), 0u);
}

TEST_F(AgencyRenameTest, ACrashAfterAnyStepOfARenameIsMendedByReplay) {
  const Step steps[] = {Step::kDecisionWritten, Step::kAgencyRenamed, Step::kPersonUpdated,
                        Step::kSubAgenciesUpdated, Step::kAgencyWritten};
  int n = 0;
  for (bool refint : {false, true}) {
    tree_.refint = refint;
    for (Step step : steps) {
      const std::string tag = std::to_string(n++);
      const std::string from = "a" + tag, to = "b" + tag, id = "r" + tag;
      AddAgency(from, "Sở " + tag);
      Staff(from, tag);
      {
        Engine setup(*journal_, fake_, Options());
        setup.RunOnce(now_);
      }
      Append(Rename(id, from, to));
      EngineOptions options = Options();
      options.fault = [&](std::string_view event, Step at) -> Status {
        if (event == id && at == step) return Transient("crash after " + std::string(ToString(at)));
        return Ok();
      };
      {
        Engine crashing(*journal_, fake_, options);
        RoundResult round = crashing.RunOnce(now_);
        EXPECT_TRUE(round.transient_failure) << ToString(step);
        EXPECT_EQ(Info(id).state, EventState::kQueued) << ToString(step);
      }
      Engine engine(*journal_, fake_, Options());
      engine.RunOnce(now_);
      SCOPED_TRACE(std::string(ToString(step)) + (refint ? " with refint" : " without refint"));
      ASSERT_EQ(Info(id).state, EventState::kApplied) << Info(id).detail;
      ExpectRenamed(from, to, tag, id);
    }
  }
}

TEST_F(AgencyRenameTest, ARenameInterruptedBetweenTwoPeopleIsMendedByReplay) {
  Staff("stttt", "0");
  {
    Engine setup(*journal_, fake_, Options());
    setup.RunOnce(now_);
  }
  Append(Rename("r1", "stttt", "skhcndt"));
  int updates = 0;
  tree_.fail = [&](const std::string& op) -> Status {
    // The second person's update: the first one is written, the rest is not.
    if (op.rfind("update ", 0) == 0 && ++updates == 2) return Transient("connection lost");
    return Ok();
  };
  {
    Engine crashing(*journal_, fake_, Options());
    EXPECT_TRUE(crashing.RunOnce(now_).transient_failure);
  }
  EXPECT_EQ(Info("r1").state, EventState::kQueued);
  EXPECT_EQ(updates, 2);
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  ASSERT_EQ(Info("r1").state, EventState::kApplied) << Info("r1").detail;
  ExpectRenamed("stttt", "skhcndt", "0", "r1");
}

TEST_F(AgencyRenameTest, AMergeMovesSubAgenciesToTheTarget) {
  AddAgency("ubnd", "UBND tỉnh");
  tree_.agencies["stttt"].parent_dn = fake_.layout().AgencyDn("ubnd");
  AddSubAgency("stttt.a", "stttt");
  AddSubAgency("stttt.b", "stttt");
  Append(AgencyEvent("m1", "agency.merge", R"({"code":"stttt"})", R"(,"into":"skhcn")"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  ASSERT_EQ(Info("m1").state, EventState::kApplied) << Info("m1").detail;
  const std::string decision = fake_.layout().DecisionDn("m1");
  for (const char* code : {"stttt.a", "stttt.b"}) {
    EXPECT_EQ(tree_.agencies.at(code).parent_dn, fake_.layout().AgencyDn("skhcn")) << code;
    EXPECT_EQ(tree_.agencies.at(code).decision_dns, std::vector<std::string>{decision}) << code;
  }
  // The merged entry keeps its own place in the tree (history).
  EXPECT_EQ(tree_.agencies.at("stttt").parent_dn, fake_.layout().AgencyDn("ubnd"));
}

TEST_F(AgencyRenameTest, AMergeIntoASubAgencyPutsItInTheMergedAgencysPlace) {
  AddAgency("ubnd", "UBND tỉnh");
  tree_.agencies["stttt"].parent_dn = fake_.layout().AgencyDn("ubnd");
  AddSubAgency("stttt.a", "stttt");
  AddSubAgency("stttt.b", "stttt");
  AddSubAgency("stttt.b.x", "stttt.b");  // the target, below a sub-agency
  Append(AgencyEvent("m1", "agency.merge", R"({"code":"stttt"})", R"(,"into":"stttt.b.x")"));
  Engine engine(*journal_, fake_, Options());
  engine.RunOnce(now_);
  ASSERT_EQ(Info("m1").state, EventState::kApplied) << Info("m1").detail;
  const std::string target = fake_.layout().AgencyDn("stttt.b.x");
  EXPECT_EQ(tree_.agencies.at("stttt.a").parent_dn, target);
  // stttt.b is above the target: it takes stttt's place rather than make a cycle.
  EXPECT_EQ(tree_.agencies.at("stttt.b").parent_dn, fake_.layout().AgencyDn("ubnd"));
  EXPECT_EQ(tree_.agencies.at("stttt.b.x").parent_dn, fake_.layout().AgencyDn("stttt.b"));
  EXPECT_EQ(tree_.agencies.at("stttt.b.x").aliases,
            std::vector<std::string>{"stttt@dongnai.gov.vn"});

  // A direct child as target goes up to the merged agency's parent.
  AddAgency("snv", "Sở Nội vụ");
  tree_.agencies["snv"].parent_dn = fake_.layout().AgencyDn("ubnd");
  AddSubAgency("snv.a", "snv");
  AddSubAgency("snv.b", "snv");
  Append(AgencyEvent("m2", "agency.merge", R"({"code":"snv"})", R"(,"into":"snv.a")"));
  engine.RunOnce(now_);
  ASSERT_EQ(Info("m2").state, EventState::kApplied) << Info("m2").detail;
  EXPECT_EQ(tree_.agencies.at("snv.a").parent_dn, fake_.layout().AgencyDn("ubnd"));
  EXPECT_EQ(tree_.agencies.at("snv.a").aliases, std::vector<std::string>{"snv@dongnai.gov.vn"});
  EXPECT_EQ(tree_.agencies.at("snv.b").parent_dn, fake_.layout().AgencyDn("snv.a"));
}

TEST_F(AgencyRenameTest, ACrashInAMergeIsMendedByReplay) {
  const Step steps[] = {Step::kDecisionWritten, Step::kPersonUpdated, Step::kSubAgenciesUpdated,
                        Step::kAgencyWritten};
  int n = 0;
  for (Step step : steps) {
    const std::string tag = std::to_string(n++);
    const std::string from = "m" + tag, id = "merge" + tag;
    AddAgency(from, "Sở " + tag);
    AddSubAgency(from + ".a", from);
    Append(Hire("h" + tag, "CM" + tag, "Võ Văn Kiệt", from));
    {
      Engine setup(*journal_, fake_, Options());
      setup.RunOnce(now_);
    }
    Append(AgencyEvent(id, "agency.merge", R"({"code":")" + from + R"("})", R"(,"into":"skhcn")"));
    EngineOptions options = Options();
    options.fault = [&](std::string_view event, Step at) -> Status {
      if (event == id && at == step) return Transient("crash after " + std::string(ToString(at)));
      return Ok();
    };
    {
      Engine crashing(*journal_, fake_, options);
      EXPECT_TRUE(crashing.RunOnce(now_).transient_failure) << ToString(step);
    }
    Engine engine(*journal_, fake_, Options());
    engine.RunOnce(now_);
    SCOPED_TRACE(ToString(step));
    ASSERT_EQ(Info(id).state, EventState::kApplied) << Info(id).detail;
    EXPECT_EQ(tree_.agencies.at(from + ".a").parent_dn, fake_.layout().AgencyDn("skhcn"));
    EXPECT_EQ(tree_.agencies.at(from).status, "merged");
    EXPECT_EQ(PersonById("CM" + tag)->agency_code, "skhcn");
  }
}

// R20: a new head takes over the agency mailbox; the old head's delegates go
// with the old head unless the operator keeps them (agency_mailbox.keep_delegates).
TEST_F(EngineTest, ANewHeadClearsOrKeepsTheDelegatesAsConfigured) {
  Append(AgencyEvent("a1", "agency.create", R"({"code":"sgtvt","name":"Sở GTVT","parent":null})"));
  Append(Hire("h1", "CB1", "Nguyễn Văn An", "sgtvt"));
  Append(Hire("h2", "CB2", "Lê Văn Tám", "sgtvt"));
  Append(Hire("h3", "CB3", "Trần Thị Mai", "sgtvt"));
  Append(AgencyEvent("a2", "agency.head", R"({"code":"sgtvt","head":"CB1","delegates":["CB2"]})"));
  Append(AgencyEvent("a3", "agency.head", R"({"code":"sgtvt","head":"CB3"})"));
  Engine(*journal_, fake_, Options()).RunOnce(now_);
  ASSERT_EQ(Info("a3").state, EventState::kApplied) << Info("a3").detail;
  EXPECT_EQ(tree_.agencies.at("sgtvt").head_dn, fake_.layout().PersonDn("maitt"));
  EXPECT_TRUE(tree_.agencies.at("sgtvt").delegate_dns.empty());

  EngineOptions keep = Options();
  keep.keep_delegates_on_new_head = true;
  Append(AgencyEvent("a4", "agency.head", R"({"code":"sgtvt","head":"CB1","delegates":["CB2"]})"));
  Engine(*journal_, fake_, keep).RunOnce(now_);
  ASSERT_EQ(Info("a4").state, EventState::kApplied) << Info("a4").detail;
  ASSERT_EQ(tree_.agencies.at("sgtvt").delegate_dns.size(), 1u);
  Append(AgencyEvent("a5", "agency.head", R"({"code":"sgtvt","head":"CB3"})"));
  Engine(*journal_, fake_, keep).RunOnce(now_);
  ASSERT_EQ(Info("a5").state, EventState::kApplied) << Info("a5").detail;
  EXPECT_EQ(tree_.agencies.at("sgtvt").head_dn, fake_.layout().PersonDn("maitt"));
  EXPECT_EQ(tree_.agencies.at("sgtvt").delegate_dns,
            std::vector<std::string>{fake_.layout().PersonDn("tamlv")});
  // Delegates sent with the new head replace the old ones either way.
  Append(AgencyEvent("a6", "agency.head", R"({"code":"sgtvt","head":"CB1","delegates":["CB3"]})"));
  Engine(*journal_, fake_, keep).RunOnce(now_);
  EXPECT_EQ(tree_.agencies.at("sgtvt").delegate_dns,
            std::vector<std::string>{fake_.layout().PersonDn("maitt")});
}

}  // namespace
}  // namespace danhba::sync
