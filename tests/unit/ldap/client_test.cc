// The retry logic of Client against a scripted fake server; no slapd needed.
#include "danhba/ldap/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "danhba/ldap/error.h"

namespace danhba::ldap {
namespace {

using std::chrono::milliseconds;

// Shared by every fake connection: the scripted failures and what was applied.
struct FakeServer {
  std::deque<Error> connect_failures;  // next connects fail with these
  std::deque<Error> op_failures;       // next operations fail with these
  bool apply_then_fail = false;        // apply the next op, then report op_failures.front()
  std::map<std::string, Entry> entries;
  int connects = 0;
  int operations = 0;
};

class FakeConnection : public Operations {
 public:
  explicit FakeConnection(FakeServer& server) : server_(server) {}

  Status Search(const SearchRequest& request, const EntryVisitor& visit) override {
    return Run([&]() -> Status {
      for (auto& [dn, entry] : server_.entries) {
        if (request.base.empty() || dn.ends_with(request.base)) {
          DANHBA_RETURN_IF_ERROR(visit(Entry(entry)));
        }
      }
      return Ok();
    });
  }
  Result<std::optional<Entry>> Read(std::string_view dn, const std::vector<std::string>&) override {
    std::optional<Entry> out;
    DANHBA_RETURN_IF_ERROR(Run([&]() -> Status {
      auto it = server_.entries.find(std::string(dn));
      if (it != server_.entries.end()) out = it->second;
      return Ok();
    }));
    return out;
  }
  Status Add(const Entry& entry) override {
    return Run([&]() -> Status {
      if (server_.entries.count(entry.dn)) return MakeError("add " + entry.dn, kAlreadyExists);
      server_.entries[entry.dn] = entry;
      return Ok();
    });
  }
  Status Modify(std::string_view, const std::vector<Modification>&) override {
    return Run([] { return Ok(); });
  }
  Status ModRdn(const ModRdnRequest& request) override {
    return Run([&]() -> Status {
      auto it = server_.entries.find(request.dn);
      if (it == server_.entries.end()) return MakeError("modrdn " + request.dn, kNoSuchObject);
      Entry moved = it->second;
      server_.entries.erase(it);
      moved.dn = request.new_rdn + request.dn.substr(request.dn.find(','));
      server_.entries[moved.dn] = moved;
      return Ok();
    });
  }
  Status Delete(std::string_view dn) override {
    return Run([&]() -> Status {
      if (!server_.entries.erase(std::string(dn))) {
        return MakeError("delete " + std::string(dn), kNoSuchObject);
      }
      return Ok();
    });
  }
  Result<bool> Compare(std::string_view, std::string_view, std::string_view) override {
    DANHBA_RETURN_IF_ERROR(Run([] { return Ok(); }));
    return true;
  }
  Result<std::string> PasswordModify(std::string_view, std::string_view,
                                     std::string_view) override {
    DANHBA_RETURN_IF_ERROR(Run([] { return Ok(); }));
    return std::string("generated");
  }
  Result<std::string> WhoAmI() override {
    DANHBA_RETURN_IF_ERROR(Run([] { return Ok(); }));
    return std::string("dn:cn=operator");
  }
  Status Apply(const std::vector<Change>&) override {
    return Run([] { return Ok(); });
  }

 private:
  template <class F>
  Status Run(F&& apply) {
    ++server_.operations;
    if (!server_.op_failures.empty()) {
      Error failure = server_.op_failures.front();
      server_.op_failures.pop_front();
      if (server_.apply_then_fail) {
        server_.apply_then_fail = false;
        Status applied = apply();
        (void)applied;
      }
      return failure;
    }
    return apply();
  }

  FakeServer& server_;
};

struct Harness {
  FakeServer server;
  std::vector<milliseconds> sleeps;
  std::chrono::steady_clock::time_point now{};
  RetryPolicy policy;

  Client MakeClient() {
    RetryClock clock{[this] { return now; },
                     [this](milliseconds wait) {
                       sleeps.push_back(wait);
                       now += wait;
                     }};
    return Client(
        [this]() -> Result<std::unique_ptr<Operations>> {
          ++server.connects;
          if (!server.connect_failures.empty()) {
            Error failure = server.connect_failures.front();
            server.connect_failures.pop_front();
            return failure;
          }
          return std::unique_ptr<Operations>(std::make_unique<FakeConnection>(server));
        },
        policy, clock, 12345);
  }
};

Error Down() { return MakeError("search", kServerDown); }
Error Refused() { return MakeError("connect ldap://127.0.0.1:1", kConnectError); }

Entry Person(std::string dn) {
  Entry e;
  e.dn = std::move(dn);
  e.Add("objectClass", "inetOrgPerson").Add("uid", "annv").Add("cn", "Nguyễn Văn An");
  return e;
}

TEST(ClientRetry, ReconnectsAfterServerDown) {
  Harness h;
  Client client = h.MakeClient();
  ASSERT_TRUE(client.WhoAmI().ok());
  h.server.op_failures = {Down()};
  h.server.connect_failures = {Refused(), Refused()};
  auto who = client.WhoAmI();
  ASSERT_TRUE(who.ok()) << who.error();
  EXPECT_EQ(*who, "dn:cn=operator");
  EXPECT_EQ(h.server.connects, 4);  // first, two refused, one that works
  EXPECT_EQ(client.reconnects(), 1);
  EXPECT_EQ(h.sleeps.size(), 3u);
}

TEST(ClientRetry, BackoffGrowsWithJitterAndCap) {
  Harness h;
  h.policy.max_attempts = 7;
  h.policy.initial_backoff = milliseconds(100);
  h.policy.max_backoff = milliseconds(1000);
  h.policy.max_total = std::chrono::hours(1);
  Client client = h.MakeClient();
  for (int i = 0; i < 6; ++i) h.server.connect_failures.push_back(Refused());
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_EQ(h.sleeps.size(), 6u);
  const long caps[] = {100, 200, 400, 800, 1000, 1000};
  for (std::size_t i = 0; i < h.sleeps.size(); ++i) {
    EXPECT_GE(h.sleeps[i].count(), caps[i] / 2) << i;
    EXPECT_LE(h.sleeps[i].count(), caps[i]) << i;
  }
}

TEST(ClientRetry, GivesUpAfterMaxAttempts) {
  Harness h;
  h.policy.max_attempts = 3;
  Client client = h.MakeClient();
  for (int i = 0; i < 10; ++i) h.server.connect_failures.push_back(Refused());
  Status status = client.Connect();
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.error().transient());
  EXPECT_EQ(h.server.connects, 3);
  EXPECT_NE(status.error().detail.find("gave up after 3 attempts"), std::string::npos)
      << status.error();
  EXPECT_EQ(ResultCode(status.error()), kConnectError);
}

TEST(ClientRetry, GivesUpWhenTimeBudgetIsSpent) {
  Harness h;
  h.policy.max_attempts = 100;
  h.policy.initial_backoff = milliseconds(1000);
  h.policy.max_backoff = milliseconds(1000);
  h.policy.max_total = milliseconds(3000);
  Client client = h.MakeClient();
  for (int i = 0; i < 100; ++i) h.server.connect_failures.push_back(Refused());
  ASSERT_FALSE(client.Connect().ok());
  milliseconds total{0};
  for (milliseconds s : h.sleeps) total += s;
  EXPECT_LE(total, h.policy.max_total);
  EXPECT_LT(h.server.connects, 10);
}

TEST(ClientRetry, FinalErrorsAreNotRetried) {
  Harness h;
  Client client = h.MakeClient();
  h.server.connect_failures = {MakeError("bind cn=operator", kInvalidCredentials)};
  Status status = client.Connect();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kAuth);
  EXPECT_EQ(h.server.connects, 1);
  EXPECT_TRUE(h.sleeps.empty());

  ASSERT_TRUE(client.Add(Person("uid=annv")).ok());
  Status again = client.Add(Person("uid=annv"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().detail.find("lost"), std::string::npos);
}

TEST(ClientRetry, LostAddThatWasAppliedIsReportedDone) {
  Harness h;
  Client client = h.MakeClient();
  ASSERT_TRUE(client.Connect().ok());
  h.server.op_failures = {Down()};
  h.server.apply_then_fail = true;
  Status status = client.Add(Person("uid=annv"));
  EXPECT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(h.server.entries.count("uid=annv"), 1u);
}

TEST(ClientRetry, LostAddThatFindsSomeoneElsesEntryIsAConflict) {
  Harness h;
  Client client = h.MakeClient();
  ASSERT_TRUE(client.Connect().ok());
  Entry other = Person("uid=annv");
  other.Set("cn", {"Ngô Văn An"});
  h.server.entries[other.dn] = other;
  h.server.op_failures = {Down()};
  Status status = client.Add(Person("uid=annv"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ResultCode(status.error()), kAlreadyExists);
  EXPECT_NE(status.error().detail.find("may have been applied"), std::string::npos);
  EXPECT_EQ(h.server.entries.at("uid=annv").First("cn"), "Ngô Văn An");
}

TEST(ClientRetry, LostDeleteThatWasAppliedIsReportedDone) {
  Harness h;
  Client client = h.MakeClient();
  h.server.entries["uid=annv"] = Person("uid=annv");
  ASSERT_TRUE(client.Connect().ok());
  h.server.op_failures = {Down()};
  h.server.apply_then_fail = true;
  EXPECT_TRUE(client.Delete("uid=annv").ok());
  EXPECT_TRUE(h.server.entries.empty());
  // Without a lost attempt, deleting what is not there is still an error.
  Status missing = client.Delete("uid=annv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ClientRetry, LostModRdnThatWasAppliedIsReportedDone) {
  Harness h;
  Client client = h.MakeClient();
  h.server.entries["uid=annv,ou=people"] = Person("uid=annv,ou=people");
  ASSERT_TRUE(client.Connect().ok());
  h.server.op_failures = {Down()};
  h.server.apply_then_fail = true;
  Status status = client.ModRdn({"uid=annv,ou=people", "uid=annv2", true, std::nullopt});
  EXPECT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(h.server.entries.count("uid=annv2,ou=people"), 1u);
  // Renaming what is not there, with no lost attempt, is still not found.
  Status missing = client.ModRdn({"uid=nobody,ou=people", "uid=x", true, std::nullopt});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ClientRetry, LostModifyIsReportedWithANote) {
  Harness h;
  Client client = h.MakeClient();
  ASSERT_TRUE(client.Connect().ok());
  h.server.op_failures = {Down(), MakeError("modify uid=annv", kTypeOrValueExists)};
  Status status = client.Modify("uid=annv", {Modification::Add("mail", {"annv@dongnai.gov.vn"})});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ResultCode(status.error()), kTypeOrValueExists);
  EXPECT_NE(status.error().detail.find("may have been applied"), std::string::npos)
      << status.error();
}

TEST(ClientRetry, BusyServerIsRetriedWithoutCountingAsLost) {
  Harness h;
  Client client = h.MakeClient();
  ASSERT_TRUE(client.Connect().ok());
  h.server.op_failures = {MakeError("add uid=annv", kBusy)};
  ASSERT_TRUE(client.Add(Person("uid=annv")).ok());
  EXPECT_EQ(h.sleeps.size(), 1u);
  // Busy means the server did nothing: a second add is a plain conflict.
  Status again = client.Add(Person("uid=annv"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().detail.find("may have been applied"), std::string::npos) << again.error();
}

TEST(ClientRetry, SearchIsNotRetriedOnceEntriesWereDelivered) {
  Harness h;
  Client client = h.MakeClient();
  h.server.entries["uid=a"] = Person("uid=a");
  ASSERT_TRUE(client.Connect().ok());
  int seen = 0;
  // The visitor itself breaks the connection after the first entry.
  Status status = client.Search(SearchRequest{}, [&](Entry&&) -> Status {
    ++seen;
    return Down();
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(h.sleeps.empty());
  // SearchAll restarts from scratch and succeeds.
  h.server.op_failures = {Down()};
  auto all = client.SearchAll(SearchRequest{});
  ASSERT_TRUE(all.ok()) << all.error();
  EXPECT_EQ(all->size(), 1u);
}

}  // namespace
}  // namespace danhba::ldap
