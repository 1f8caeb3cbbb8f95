// RFC 4533 content sync against slapd's syncprov overlay.
#include "danhba/ldap/content_sync.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::ldap {
namespace {

using std::chrono::milliseconds;

// What a consumer would hold: entries by UUID, plus what it was told.
struct Recorder {
  std::map<std::string, Entry> entries;
  std::vector<SyncChange::Kind> kinds;
  std::set<std::string> reported;  // present or changed during the refresh
  int phase_ends = 0;

  SyncHandler Handler() {
    SyncHandler h;
    h.on_change = [this](SyncChange&& c) -> Status {
      kinds.push_back(c.kind);
      reported.insert(c.entry_uuid);
      if (c.kind == SyncChange::Kind::kDelete) {
        entries.erase(c.entry_uuid);
      } else if (c.kind != SyncChange::Kind::kPresent) {
        entries[c.entry_uuid] = std::move(c.entry);
      }
      return Ok();
    };
    h.on_uuid_set = [this](std::vector<std::string> uuids, bool deleted) -> Status {
      for (const std::string& u : uuids) {
        if (deleted) {
          entries.erase(u);
        } else {
          reported.insert(u);
        }
      }
      return Ok();
    };
    h.on_phase_end = [this](bool present_phase, bool) -> Status {
      ++phase_ends;
      if (present_phase)
        std::erase_if(entries, [&](const auto& e) { return !reported.count(e.first); });
      return Ok();
    };
    return h;
  }
  const Entry* ByUid(std::string_view uid) const {
    for (const auto& [uuid, e] : entries) {
      if (e.HasValue("uid", uid)) return &e;
    }
    return nullptr;
  }
  std::string UuidOf(std::string_view uid) const {
    for (const auto& [uuid, e] : entries) {
      if (e.HasValue("uid", uid)) return uuid;
    }
    return {};
  }
};

class ContentSyncTest : public testing::LdapTest {
 protected:
  Entry Person(std::string uid) {
    Entry e;
    e.dn = DnUnder("uid", uid);
    e.Add("objectClass", "inetOrgPerson")
        .Add("uid", uid)
        .Add("cn", "Võ Thị " + uid)
        .Add("sn", "Võ");
    return e;
  }
  SearchRequest Request() {
    SearchRequest r;
    r.base = subtree();
    r.filter = "(objectClass=inetOrgPerson)";
    return r;
  }
  // Polls until `done` holds or the deadline passes; false on an error or timeout.
  template <class F>
  bool PollUntil(ContentSync& sync, Recorder& rec, F done) {
    const SyncHandler handler = rec.Handler();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      Status polled = sync.Poll(milliseconds(200), handler);
      EXPECT_TRUE(polled.ok()) << polled.error();
      if (!polled.ok()) return false;
    }
    return true;
  }
};

TEST_F(ContentSyncTest, RefreshThenChangesAsTheyHappen) {
  ASSERT_TRUE(operator_connection().Add(Person("an")).ok());
  ASSERT_TRUE(operator_connection().Add(Person("binh")).ok());
  auto reader = testing::ConnectAsRoot();
  ASSERT_TRUE(reader.ok()) << reader.error();
  auto sync = ContentSync::Start(std::move(*reader), Request());
  ASSERT_TRUE(sync.ok()) << sync.error();
  Recorder rec;
  ASSERT_TRUE(PollUntil(*sync, rec, [&] { return sync->refresh_done(); }));
  EXPECT_EQ(rec.entries.size(), 2u);
  ASSERT_NE(rec.ByUid("an"), nullptr);
  EXPECT_EQ(rec.ByUid("an")->First("cn"), "Võ Thị an");
  EXPECT_EQ(rec.UuidOf("an").size(), 36u);

  ASSERT_TRUE(operator_connection().Add(Person("chi")).ok());
  ASSERT_TRUE(PollUntil(*sync, rec, [&] { return rec.ByUid("chi") != nullptr; }));

  ASSERT_TRUE(operator_connection()
                  .Modify(DnUnder("uid", "an"), {Modification::Replace("title", {"Văn thư"})})
                  .ok());
  ASSERT_TRUE(PollUntil(*sync, rec, [&] { return rec.ByUid("an")->HasValue("title", "Văn thư"); }));

  const std::string binh = rec.UuidOf("binh");
  ASSERT_TRUE(operator_connection().Delete(DnUnder("uid", "binh")).ok());
  ASSERT_TRUE(PollUntil(*sync, rec, [&] { return rec.entries.count(binh) == 0; }));
  EXPECT_EQ(rec.entries.size(), 2u);
  EXPECT_FALSE(sync->cookie().empty());
  EXPECT_FALSE(sync->finished());
}

TEST_F(ContentSyncTest, RefreshOnlyResumesFromItsCookie) {
  ASSERT_TRUE(operator_connection().Add(Person("an")).ok());
  ASSERT_TRUE(operator_connection().Add(Person("binh")).ok());
  Recorder rec;
  std::string cookie;
  {
    auto reader = testing::ConnectAsRoot();
    ASSERT_TRUE(reader.ok()) << reader.error();
    auto sync = ContentSync::Start(std::move(*reader), Request(), ContentSync::Mode::kRefreshOnly);
    ASSERT_TRUE(sync.ok()) << sync.error();
    ASSERT_TRUE(PollUntil(*sync, rec, [&] { return sync->finished(); }));
    EXPECT_TRUE(sync->refresh_done());
    cookie = sync->cookie();
  }
  ASSERT_EQ(rec.entries.size(), 2u);
  ASSERT_FALSE(cookie.empty());

  // Changes while nobody listens.
  ASSERT_TRUE(operator_connection().Add(Person("chi")).ok());
  ASSERT_TRUE(operator_connection().Delete(DnUnder("uid", "an")).ok());

  auto reader = testing::ConnectAsRoot();
  ASSERT_TRUE(reader.ok()) << reader.error();
  auto sync =
      ContentSync::Start(std::move(*reader), Request(), ContentSync::Mode::kRefreshOnly, cookie);
  ASSERT_TRUE(sync.ok()) << sync.error();
  rec.reported.clear();
  rec.kinds.clear();
  ASSERT_TRUE(PollUntil(*sync, rec, [&] { return sync->finished(); }));
  EXPECT_NE(rec.ByUid("chi"), nullptr);
  EXPECT_EQ(rec.ByUid("an"), nullptr);
  EXPECT_NE(rec.ByUid("binh"), nullptr);
  EXPECT_EQ(rec.entries.size(), 2u);
  EXPECT_GE(rec.phase_ends, 1);
  // Resumed, not reloaded: only the new entry came in full.
  EXPECT_EQ(std::count(rec.kinds.begin(), rec.kinds.end(), SyncChange::Kind::kAdd), 1);
}

TEST_F(ContentSyncTest, BadBaseIsAnError) {
  auto reader = testing::ConnectAsRoot();
  ASSERT_TRUE(reader.ok()) << reader.error();
  SearchRequest r = Request();
  r.base = "ou=nowhere," + subtree();
  auto sync = ContentSync::Start(std::move(*reader), r);
  ASSERT_TRUE(sync.ok()) << sync.error();
  Status polled;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (polled.ok() && !sync->finished() && std::chrono::steady_clock::now() < deadline) {
    polled = sync->Poll(milliseconds(200), SyncHandler{});
  }
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.error().code, ErrorCode::kNotFound) << polled.error();
}

}  // namespace
}  // namespace danhba::ldap
