// The person_agency hook of `danhba run`: the directory first, then waiting
// hires and transfers; a directory that does not answer is an error, never a guess.
#include "danhba/ops/person_agency.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "../sync/fake_directory.h"
#include "danhba/model/event.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using sync::testing::FakeDirectory;
using sync::testing::FakeTree;

constexpr const char* kDecision =
    R"("decision":{"number":"1/QĐ","date":"2026-11-20","issuer":"Sở Nội vụ"})";

std::string Stored(const std::string& json) {
  auto event = model::ParseEvent(json);
  EXPECT_TRUE(event.ok()) << event.error().detail;
  return event.ok() ? model::ToJson(*event) : "";
}

std::string Hire(const std::string& id, const std::string& person, const std::string& agency) {
  return Stored(R"({"id":")" + id + R"(","type":"hire",)" + kDecision + R"(,"person":{"id":")" +
                person + R"(","full_name":"Nguyễn Văn An","birth_date":"1990-05-01","agency":")" +
                agency + R"("}})");
}

std::string Transfer(const std::string& id, const std::string& person, const std::string& to) {
  return Stored(R"({"id":")" + id + R"(","type":"transfer",)" + kDecision + R"(,"person":{"id":")" +
                person + R"("},"to_agency":")" + to + R"("})");
}

class PersonAgencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("danhba-person-agency-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    auto journal = journal::Journal::Open({.dir = (root_ / "journal").string()});
    ASSERT_TRUE(journal.ok()) << journal.error().detail;
    journal_ = std::move(journal).value();

    directory::PersonRecord person;
    person.uid = "annv";
    person.dn = layout_.PersonDn("annv");
    person.person_id = "CB1";
    person.agency_code = "stttt";
    tree_.people.emplace("annv", person);
  }
  void TearDown() override {
    journal_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  PersonAgencyOptions Options() {
    PersonAgencyOptions options;
    options.make_directory = [this]() -> std::unique_ptr<directory::Directory> {
      ++made_;
      return std::make_unique<FakeDirectory>(tree_);
    };
    options.journal = journal_.get();
    return options;
  }

  void Journal(const std::string& id, const std::string& payload) {
    auto appended =
        journal_->Append({.id = id, .sender = "hr", .payload = payload, .not_before = {}});
    ASSERT_TRUE(appended.ok()) << appended.error().detail;
  }

  fs::path root_;
  directory::Layout layout_ = directory::Layout::ForBase("dc=dongnai,dc=gov,dc=vn");
  FakeTree tree_;
  std::atomic<int> made_{0};
  std::unique_ptr<journal::Journal> journal_;
};

TEST_F(PersonAgencyTest, DirectoryAnswersFirstAndIsReused) {
  // A waiting transfer does not override the directory's view.
  Journal("t-1", Transfer("t-1", "CB1", "skhcn"));
  PersonAgencyLookup lookup(Options());
  for (int i = 0; i < 3; ++i) {
    auto found = lookup.Find("CB1");
    ASSERT_TRUE(found.ok()) << found.error().detail;
    EXPECT_EQ(found->value_or(""), "stttt");
  }
  EXPECT_EQ(made_.load(), 1);
}

TEST_F(PersonAgencyTest, UnknownPersonFallsBackToTheLatestWaitingHireOrTransfer) {
  PersonAgencyLookup lookup(Options());
  auto unknown = lookup.Find("CB2");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());

  Journal("h-2", Hire("h-2", "CB2", "sgtvt"));
  Journal("h-3", Hire("h-3", "CB22", "syt"));  // a longer id containing CB2
  auto hired = lookup.Find("CB2");
  ASSERT_TRUE(hired.ok());
  EXPECT_EQ(hired->value_or(""), "sgtvt");

  Journal("t-2", Transfer("t-2", "CB2", "skhcn"));
  EXPECT_EQ(lookup.Find("CB2")->value_or(""), "skhcn");

  // Once the events are applied they no longer wait; the directory would know the person.
  ASSERT_TRUE(journal_->MarkApplied("h-2", "uid=annv2").ok());
  ASSERT_TRUE(journal_->MarkApplied("t-2", "uid=annv2").ok());
  auto applied = lookup.Find("CB2");
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(applied->has_value());
}

TEST_F(PersonAgencyTest, DirectoryErrorIsAnsweredNotGuessed) {
  Journal("h-2", Hire("h-2", "CB2", "sgtvt"));
  tree_.fail = [](const std::string&) -> Status { return Transient("cannot connect"); };
  PersonAgencyLookup lookup(Options());
  for (const char* id : {"CB1", "CB2"}) {
    auto found = lookup.Find(id);
    ASSERT_FALSE(found.ok()) << id;
    EXPECT_EQ(found.error().code, ErrorCode::kTransient);
  }
  // A failed directory is not put back: the next call makes a fresh one.
  EXPECT_EQ(made_.load(), 2);
  tree_.fail = nullptr;
  EXPECT_EQ(lookup.Find("CB1")->value_or(""), "stttt");
}

TEST_F(PersonAgencyTest, DirectoryKnownDownFailsAtOnce) {
  bool ready = false;
  PersonAgencyOptions options = Options();
  options.directory_ready = [&ready] { return ready; };
  PersonAgencyLookup lookup(std::move(options));
  auto found = lookup.Find("CB1");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::kTransient);
  EXPECT_EQ(made_.load(), 0);
  ready = true;
  EXPECT_EQ(lookup.Find("CB1")->value_or(""), "stttt");
}

TEST_F(PersonAgencyTest, ConcurrentCallersEachUseTheirOwnDirectory) {
  PersonAgencyLookup lookup(Options());
  auto hook = lookup.AsHook();
  constexpr int kThreads = 4;
  std::atomic<int> right{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          auto found = hook("CB1");
          if (found.ok() && found->value_or("") == "stttt") ++right;
        }
      });
    }
  }
  EXPECT_EQ(right.load(), kThreads * 200);
  EXPECT_GE(made_.load(), 1);
  EXPECT_LE(made_.load(), kThreads);
}

}  // namespace
}  // namespace danhba::ops
