// Damaged input of every kind gives a result or a clear error, never a crash
// or a hang. Deterministic: fixed seeds, every truncation point.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "danhba/model/event.h"
#include "danhba/model/staff_list.h"

namespace danhba::model {
namespace {

const char kBody[] =
    R"([{"id":"hr-1","type":"hire","decision":{"number":"123/QĐ-SNV","date":"2026-11-20",)"
    R"("issuer":"Sở Nội vụ"},"effective_date":"2026-12-01","person":{"id":"CB1",)"
    R"("family_name":"Nguyễn","middle_names":["Văn"],"given_name":"An","birth_date":"1990-05-01",)"
    R"("title":"Chuyên viên","phone":"0251 3822 000","agency":"stttt"}},)"
    R"({"id":"u-1","type":"agency.merge","decision":{"number":"7","date":"2026-01-01","issuer":"UBND"},)"
    R"("agency":{"code":"stttt"},"into":"skhcn"}])";

const char kCsv[] =
    "\xEF\xBB\xBFMã cán bộ;Họ và tên;Ngày sinh;Chức vụ;Điện thoại\r\n"
    "CB1;\"Nguyễn Văn An\";01/05/1990;\"Trưởng phòng; kiêm\";0251 3822 000\r\n"
    "CB2;\"Trần \"\"Bé\"\" Thị\nHà\";1985-12-31;;\r\n";

// Every outcome must be well-formed: a parsed event re-serialises and parses
// back to itself; an error has a detail.
void CheckBatch(const std::string& body) {
  auto batch = ParseEvents(body);
  if (!batch.ok()) {
    EXPECT_FALSE(batch.error().detail.empty());
    return;
  }
  for (const ParsedEvent& item : batch->events) {
    if (!item.event.ok()) {
      EXPECT_FALSE(item.event.error().detail.empty());
      continue;
    }
    auto again = ParseEvent(ToJson(*item.event));
    ASSERT_TRUE(again.ok()) << again.error() << "\nfrom " << body;
    EXPECT_EQ(*again, *item.event);
  }
}

TEST(RobustnessTest, EveryTruncationOfABatch) {
  const std::string body = kBody;
  ASSERT_TRUE(ParseEvents(body).ok());
  for (std::size_t n = 0; n < body.size(); ++n) CheckBatch(body.substr(0, n));
}

TEST(RobustnessTest, RandomByteDamageToABatch) {
  std::mt19937 rng(20261128);
  const std::string body = kBody;
  const std::string alphabet = "{}[]\",:\\0aZ \x01\xC3\xFF-.nul";
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = body;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % damaged.size();
      damaged[at] = alphabet[rng() % alphabet.size()];
    }
    CheckBatch(damaged);
  }
}

TEST(RobustnessTest, DamagedStaffLists) {
  std::mt19937 rng(70);
  const std::string csv = kCsv;
  for (std::size_t n = 0; n <= csv.size(); ++n) {
    auto list = ReadStaffCsv(csv.substr(0, n));
    if (list.ok()) {
      for (const RowError& e : list->errors) EXPECT_FALSE(e.reason.empty());
    }
  }
  const std::string alphabet = "\";,\r\n\xC3\xFF a0/";
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = csv;
    const std::size_t at = rng() % damaged.size();
    damaged[at] = alphabet[rng() % alphabet.size()];
    auto list = ReadStaffCsv(damaged);
    if (list.ok()) {
      for (const StaffRow& row : list->rows) {
        EXPECT_FALSE(row.person_id.empty());
        EXPECT_FALSE(row.full_name.empty());
      }
    }
  }
}

TEST(RobustnessTest, DamagedXlsxIsAnErrorNotACrash) {
  // A zip header followed by garbage, and random bytes with a zip signature.
  std::mt19937 rng(4);
  for (int round = 0; round < 200; ++round) {
    std::string bytes = "PK\x03\x04";
    const std::size_t size = rng() % 512;
    for (std::size_t i = 0; i < size; ++i) bytes.push_back(static_cast<char>(rng()));
    auto rows = ReadXlsx(bytes);
    EXPECT_FALSE(rows.ok());
  }
}

}  // namespace
}  // namespace danhba::model
