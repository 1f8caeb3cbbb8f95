// Staff-list reconciliation as a pure function: list + directory snapshot -> plan.
#include "danhba/ops/import.h"

#include <gtest/gtest.h>

#include "danhba/model/fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace danhba::ops {
namespace {

model::Date D(std::string_view iso) { return *model::Date::Parse(iso); }

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto allocator = naming::Allocator::Create({});
    ASSERT_TRUE(allocator.ok());
    allocator_.emplace(std::move(allocator).value());
    options_.agency = "stttt";
    options_.decision = DefaultDecision("stttt", D("2026-11-28"));
    options_.allocator = &*allocator_;
    snapshot_.active_agencies = {"stttt", "skhcn"};
    snapshot_.taken = {"stttt", "skhcn"};
  }

  void AddPerson(std::string id, std::string uid, std::string agency, std::string name,
                 std::optional<std::string> title = {}, std::optional<std::string> phone = {},
                 bool active = true) {
    snapshot_.taken.insert(uid);
    snapshot_.people.push_back({std::move(id), std::move(uid), std::move(agency), std::move(name),
                                std::move(title), std::move(phone), active});
  }

  model::StaffList List(std::string_view csv) {
    auto list = model::ReadStaffCsv(csv);
    EXPECT_TRUE(list.ok()) << list.error().detail;
    return list.ok() ? *list : model::StaffList{};
  }

  Result<ImportPlan> Plan(std::string_view csv) { return PlanImport(List(csv), kSha, snapshot_, options_); }

  static constexpr std::string_view kSha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  std::optional<naming::Allocator> allocator_;
  ImportOptions options_;
  DirectorySnapshot snapshot_;
};

const PlannedChange* Find(const ImportPlan& plan, std::string_view person_id) {
  for (const auto& c : plan.changes) {
    if (c.person_id == person_id) return &c;
  }
  return nullptr;
}

TEST_F(PlanTest, NewPeopleAreHiresWithAddressesAllocatedInListOrder) {
  AddPerson("CB9", "hungnv", "skhcn", "Nguyễn Văn Hưng");
  auto plan = Plan(
      "ma_can_bo,ho_ten,chuc_vu\n"
      "CB1,Nguyễn Văn Hùng,Chuyên viên\n"
      "CB2,Nguyễn Văn Hùng,Kế toán\n"
      "CB3,Trần Thị Lan,\n");
  ASSERT_TRUE(plan.ok()) << plan.error().detail;
  EXPECT_EQ(plan->counts.created, 3u);
  const auto* first = Find(*plan, "CB1");
  const auto* second = Find(*plan, "CB2");
  ASSERT_TRUE(first && second);
  // hungnv is taken already (CB9 in another agency): the plan goes on from it.
  EXPECT_EQ(first->uid, "hungnv1");
  EXPECT_EQ(second->uid, "hungnv2");
  EXPECT_EQ(first->line, 2u);
  ASSERT_TRUE(first->event);
  EXPECT_EQ(first->event->type, model::EventType::kHire);
  EXPECT_EQ(first->event->person->agency, "stttt");
  EXPECT_EQ(first->event->person->full_name, "Nguyễn Văn Hùng");
  EXPECT_EQ(first->event->decision.number, "import-stttt-20261128");
  EXPECT_EQ(first->event->decision.issuer, "danhba import");
  EXPECT_EQ(Find(*plan, "CB3")->uid, "lantt");
  EXPECT_EQ(plan->Events().size(), 3u);
}

TEST_F(PlanTest, TwoNewNamesakesInAnEmptyAgencyGetTheBaseAndTheFirstSuffix) {
  auto plan = Plan("ma_can_bo,ho_ten\nA1,Nguyễn Văn Hùng\nA2,Nguyễn Văn Hùng\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Find(*plan, "A1")->uid, "hungnv");
  EXPECT_EQ(Find(*plan, "A2")->uid, "hungnv1");
  EXPECT_EQ(Find(*plan, "A2")->address_step, "numeric suffix 1");
}

TEST_F(PlanTest, ChangedTitleOrPhoneIsAnUpdateOfOnlyWhatChanged) {
  AddPerson("CB1", "annv", "stttt", "Nguyễn Văn An", "Chuyên viên", "0251 3822 000");
  AddPerson("CB2", "binhtt", "stttt", "Trần Thị Bình", "Kế toán", "0251 3822 001");
  auto plan = Plan(
      "ma_can_bo,ho_ten,chuc_vu,dien_thoai\n"
      "CB1,Nguyễn Văn An,Phó Trưởng phòng,0251 3822 000\n"
      "CB2,Trần Thị Bình,Kế toán,0251 3822 001\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->counts.updated, 1u);
  EXPECT_EQ(plan->counts.unchanged, 1u);
  EXPECT_EQ(plan->counts.created, 0u);
  const auto* an = Find(*plan, "CB1");
  ASSERT_TRUE(an->event);
  EXPECT_EQ(an->event->type, model::EventType::kUpdate);
  ASSERT_TRUE(an->event->person->title.has_value());
  EXPECT_EQ(**an->event->person->title, "Phó Trưởng phòng");
  EXPECT_FALSE(an->event->person->phone.has_value());
  EXPECT_EQ(an->uid, "annv");
  EXPECT_FALSE(Find(*plan, "CB2")->event);
}

TEST_F(PlanTest, BlankCellsNeverClearValues) {
  AddPerson("CB1", "annv", "stttt", "Nguyễn Văn An", "Chuyên viên", "0251 3822 000");
  auto plan = Plan("ma_can_bo,ho_ten,chuc_vu,dien_thoai\nCB1,Nguyễn Văn An,,\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->counts.unchanged, 1u);
  EXPECT_TRUE(plan->Events().empty());
}

TEST_F(PlanTest, MissingPeopleAreReportedNotRemoved) {
  AddPerson("CB1", "annv", "stttt", "Nguyễn Văn An");
  AddPerson("CB2", "binhtt", "stttt", "Trần Thị Bình");
  auto plan = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->counts.missing, 1u);
  EXPECT_EQ(plan->counts.removed, 0u);
  const auto* binh = Find(*plan, "CB2");
  ASSERT_TRUE(binh);
  EXPECT_EQ(binh->kind, ChangeKind::kMissing);
  EXPECT_EQ(binh->line, 0u);
  EXPECT_FALSE(binh->event);
  EXPECT_TRUE(plan->Events().empty());
}

TEST_F(PlanTest, RemoveMissingMakesLeaveEventsWithinTheShare) {
  for (int i = 0; i < 10; ++i) {
    AddPerson("CB" + std::to_string(i), "p" + std::to_string(i), "stttt", "Người Số");
  }
  options_.remove_missing = true;
  std::string csv = "ma_can_bo,ho_ten\n";
  for (int i = 0; i < 8; ++i) csv += "CB" + std::to_string(i) + ",Người Số\n";
  auto plan = Plan(csv);
  ASSERT_TRUE(plan.ok()) << plan.error().detail;
  EXPECT_EQ(plan->counts.removed, 2u);
  auto events = plan->Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, model::EventType::kLeave);
  EXPECT_EQ(events[0].id, ImportEventId("stttt", kSha, "CB8", model::EventType::kLeave));
}

TEST_F(PlanTest, RemoveMissingRefusesMoreThanTheShare) {
  for (int i = 0; i < 10; ++i) {
    AddPerson("CB" + std::to_string(i), "p" + std::to_string(i), "stttt", "Người Số");
  }
  options_.remove_missing = true;
  auto plan = Plan("ma_can_bo,ho_ten\nCB0,Người Số\nCB1,Người Số\n");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(plan.error().detail.find("8 of the 10"), std::string::npos) << plan.error().detail;
  EXPECT_NE(plan.error().detail.find("--max-remove-share"), std::string::npos);
  options_.max_remove_share = 0.9;
  EXPECT_TRUE(Plan("ma_can_bo,ho_ten\nCB0,Người Số\nCB1,Người Số\n").ok());
}

TEST_F(PlanTest, RemoveMissingRefusesAnEmptyListAndOneWithBadRows) {
  AddPerson("CB1", "annv", "stttt", "Nguyễn Văn An");
  options_.remove_missing = true;
  options_.max_remove_share = 1;
  auto empty = Plan("ma_can_bo,ho_ten\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().detail.find("whole agency"), std::string::npos) << empty.error().detail;
  auto bad = Plan("ma_can_bo,ho_ten,ngay_sinh\nCB1,Nguyễn Văn An,\nCB2,Trần Bình,31/02/1990\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos) << bad.error().detail;
}

TEST_F(PlanTest, BadRowsAreReportedWithTheirLinesAndTheOthersGoThrough) {
  auto plan = Plan(
      "ma_can_bo,ho_ten,ngay_sinh\n"
      "CB1,Nguyễn Văn An,01/05/1990\n"
      "CB2,Trần Bình,31/02/1990\n"
      ",Lê Văn Cường,\n"
      "CB4,Phạm Thị Dung,\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->counts.created, 2u);
  EXPECT_EQ(plan->counts.errors, 2u);
  std::vector<std::size_t> error_lines;
  for (const auto& c : plan->changes) {
    if (c.kind == ChangeKind::kError) {
      error_lines.push_back(c.line);
      EXPECT_FALSE(c.reason.empty());
      EXPECT_FALSE(c.event);
    }
  }
  EXPECT_EQ(error_lines, (std::vector<std::size_t>{3, 4}));
  // The changes are in line order.
  EXPECT_TRUE(std::is_sorted(plan->changes.begin(), plan->changes.end(),
                             [](const auto& a, const auto& b) { return a.line < b.line; }));
  std::string text = FormatPlan(*plan, true);
  EXPECT_NE(text.find("line 3: error"), std::string::npos) << text;
  EXPECT_NE(text.find("created 2, updated 0, unchanged 0, missing 0"), std::string::npos) << text;
  EXPECT_NE(text.find("errors 2"), std::string::npos);
}

TEST_F(PlanTest, PersonInAnotherAgencyIsReportedOrTransferred) {
  AddPerson("CB1", "annv", "skhcn", "Nguyễn Văn An", "Chuyên viên");
  auto reported = Plan("ma_can_bo,ho_ten,chuc_vu\nCB1,Nguyễn Văn An,Trưởng phòng\n");
  ASSERT_TRUE(reported.ok());
  EXPECT_EQ(reported->counts.other_agency, 1u);
  EXPECT_EQ(reported->changes[0].kind, ChangeKind::kOtherAgency);
  EXPECT_EQ(reported->changes[0].other_agency, "skhcn");
  EXPECT_TRUE(reported->Events().empty());

  options_.transfer = true;
  auto moved = Plan("ma_can_bo,ho_ten,chuc_vu\nCB1,Nguyễn Văn An,Trưởng phòng\n");
  ASSERT_TRUE(moved.ok());
  auto events = moved->Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, model::EventType::kTransfer);
  EXPECT_EQ(events[0].to_agency, "stttt");
  EXPECT_EQ(**events[0].person->title, "Trưởng phòng");
  EXPECT_EQ(moved->counts.transferred, 1u);
}

TEST_F(PlanTest, SomeoneWhoLeftIsRehiredWithTheSameAddress) {
  AddPerson("CB1", "annv", "stttt", "Nguyễn Văn An", {}, {}, /*active=*/false);
  auto plan = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->changes.size(), 1u);
  EXPECT_EQ(plan->changes[0].kind, ChangeKind::kRehire);
  EXPECT_EQ(plan->changes[0].uid, "annv");
  EXPECT_EQ(plan->changes[0].event->type, model::EventType::kHire);
  EXPECT_EQ(plan->counts.missing, 0u);
}

TEST_F(PlanTest, UnknownAgencyIsRefused) {
  options_.agency = "sxyz";
  auto plan = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kNotFound);
  EXPECT_NE(plan.error().detail.find("sxyz"), std::string::npos);
  options_.agency = "Not A Code";
  EXPECT_EQ(Plan("ma_can_bo,ho_ten\n").error().code, ErrorCode::kInvalidInput);
}

TEST_F(PlanTest, EventIdsAreDeterministicPerFileAndPerson) {
  auto a = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  auto b = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Events(), b->Events());
  EXPECT_EQ(a->Events()[0].id, "import:stttt:0123456789abcdef:CB1:hire");
  EXPECT_NE(ImportEventId("stttt", "ffff" + std::string(kSha.substr(4)), "CB1", model::EventType::kHire),
            a->Events()[0].id);
  std::string long_id(120, 'X');
  std::string id = ImportEventId("stttt", kSha, long_id, model::EventType::kHire);
  EXPECT_LE(id.size(), model::kMaxIdLength);
  EXPECT_EQ(id, ImportEventId("stttt", kSha, long_id, model::EventType::kHire));
  EXPECT_EQ(id.rfind("import:stttt:", 0), 0u);
}

TEST_F(PlanTest, JsonHasCountsAndPerRowChanges) {
  auto plan = Plan("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\nCB1,Nguyễn Văn An\n");
  ASSERT_TRUE(plan.ok());
  auto json = nlohmann::json::parse(PlanToJson(*plan, true));
  EXPECT_EQ(json["agency"], "stttt");
  EXPECT_EQ(json["dry_run"], true);
  EXPECT_EQ(json["counts"]["created"], 1);
  EXPECT_EQ(json["counts"]["errors"], 1);
  ASSERT_EQ(json["changes"].size(), 2u);
  EXPECT_EQ(json["changes"][0]["uid"], "annv");
  EXPECT_EQ(json["changes"][0]["event_id"], "import:stttt:0123456789abcdef:CB1:hire");
  EXPECT_EQ(json["changes"][1]["kind"], "error");
  EXPECT_EQ(json["changes"][1]["line"], 3);
}

TEST(ReadStaffFileTest, LegacyEncodingsAreDetectedPerColumn) {
  std::string utf8 =
      "Mã cán bộ,Họ và tên,Chức vụ\n"
      "CB1,Nguyễn Văn Hùng,Chuyên viên\n"
      "CB2,Trần Thị Lưu Ly,Phó Trưởng phòng\n"
      "CB3,Lê Đức Thắng,Kế toán trưởng\n";
  for (auto encoding : {text::Encoding::kTcvn3, text::Encoding::kVni}) {
    auto bytes = text::Encode(utf8, encoding);
    ASSERT_TRUE(bytes.ok()) << bytes.error().detail;
    auto file = ReadStaffFile(*bytes);
    ASSERT_TRUE(file.ok()) << file.error().detail;
    ASSERT_EQ(file->list.rows.size(), 3u) << text::EncodingName(encoding);
    EXPECT_TRUE(file->list.errors.empty());
    EXPECT_EQ(file->list.rows[0].full_name, "Nguyễn Văn Hùng");
    EXPECT_EQ(file->list.rows[1].full_name, "Trần Thị Lưu Ly");
    EXPECT_EQ(*file->list.rows[2].title, "Kế toán trưởng");
    EXPECT_FALSE(file->encoding_notes.empty());
    EXPECT_EQ(file->sha256, Sha256Hex(*bytes));
  }
}

TEST(ReadStaffFileTest, GivenEncodingAndUtf8WithBom) {
  auto vni = text::Encode("ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n", text::Encoding::kVni);
  ASSERT_TRUE(vni.ok());
  auto forced = ReadStaffFile(*vni, text::Encoding::kVni);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->list.rows[0].full_name, "Nguyễn Văn An");
  auto bom = ReadStaffFile("\xEF\xBB\xBFma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(bom->list.rows[0].full_name, "Nguyễn Văn An");
  EXPECT_TRUE(bom->encoding_notes.empty());
}

TEST(ReadStaffFileTest, MissingHeaderIsAClearError) {
  auto file = ReadStaffFile("id,name\n1,An\n");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().detail.find("Mã cán bộ"), std::string::npos) << file.error().detail;
}

}  // namespace
}  // namespace danhba::ops
