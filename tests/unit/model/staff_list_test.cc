#include "danhba/model/staff_list.h"

#include <gtest/gtest.h>

#include <string>

namespace danhba::model {
namespace {

TEST(CsvTest, QuotesWithDelimitersQuotesAndLineBreaks) {
  const std::string csv =
      "a,b,c\n"
      "\"x, y\",\"say \"\"hi\"\"\",plain\n"
      "\"two\nlines\",\"\",last\n"
      "after,the,break\n";
  auto t = ReadCsv(csv);
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->delimiter, ',');
  EXPECT_TRUE(t->errors.empty());
  ASSERT_EQ(t->rows.size(), 4u);
  EXPECT_EQ(t->rows[1].cells, (std::vector<std::string>{"x, y", "say \"hi\"", "plain"}));
  EXPECT_EQ(t->rows[1].line, 2u);
  EXPECT_EQ(t->rows[2].cells, (std::vector<std::string>{"two\nlines", "", "last"}));
  EXPECT_EQ(t->rows[2].line, 3u);
  EXPECT_EQ(t->rows[3].line, 5u);  // the quoted line break took line 4
}

TEST(CsvTest, CrLfBomSemicolonsAndTrailingEmptyField) {
  auto t = ReadCsv("\xEF\xBB\xBFma;ten;\r\n1;\"a;b\";\r\n2;c;d");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->delimiter, ';');
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].cells, (std::vector<std::string>{"ma", "ten", ""}));
  EXPECT_EQ(t->rows[1].cells, (std::vector<std::string>{"1", "a;b", ""}));
  EXPECT_EQ(t->rows[2].cells, (std::vector<std::string>{"2", "c", "d"}));
  EXPECT_EQ(t->rows[2].line, 3u);
}

TEST(CsvTest, DelimiterInQuotedHeaderDoesNotCount) {
  auto t = ReadCsv("\"a,b,c,d\";x;y\n1;2;3\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->delimiter, ';');
  auto tabs = ReadCsv("a\tb\tc\n1\t2\t3\n");
  EXPECT_EQ(tabs->delimiter, '\t');
  EXPECT_EQ(tabs->rows[1].cells.size(), 3u);
}

TEST(CsvTest, BrokenQuotingIsARowErrorAndOtherRowsStay) {
  auto t = ReadCsv("a,b\n\"x\"y,1\nok,2\n\"never closed,3\nlost,4\n");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1].cells, (std::vector<std::string>{"ok", "2"}));
  EXPECT_EQ(t->rows[1].line, 3u);
  ASSERT_EQ(t->errors.size(), 2u);
  EXPECT_EQ(t->errors[0], (RowError{2, "field 1: text after the closing quote"}));
  EXPECT_EQ(t->errors[1],
            (RowError{4, "field 1: the quote opened on line 4 is never closed"}));
}

// ---------------------------------------------------------------------------

const char kVietnameseCsv[] =
    "\xEF\xBB\xBF"
    "STT;Mã cán bộ;Họ và tên;Ngày sinh;Chức vụ;Điện thoại;Ghi chú\r\n"
    "1;CB001;Nguyễn Văn An;01/05/1990;Chuyên viên;0251 3822 000;\r\n"
    "2;CB002;\"TRẦN THỊ THU HÀ\";1985-12-31;\"Phó Trưởng phòng; kiêm nhiệm\";;\"ghi chú\r\nhai dòng\"\r\n"
    "3;CB003;lê văn tám;;;;\r\n";

TEST(StaffListTest, VietnameseHeadersSemicolonsBomAndQuotes) {
  auto list = ReadStaffCsv(kVietnameseCsv);
  ASSERT_TRUE(list.ok()) << list.error();
  EXPECT_TRUE(list->errors.empty()) << list->errors[0].reason;
  ASSERT_EQ(list->rows.size(), 3u);
  const StaffRow& an = list->rows[0];
  EXPECT_EQ(an.line, 2u);
  EXPECT_EQ(an.person_id, "CB001");
  EXPECT_EQ(an.full_name, "Nguyễn Văn An");
  EXPECT_EQ(an.birth_date->ToString(), "1990-05-01");
  EXPECT_EQ(an.title, "Chuyên viên");
  EXPECT_EQ(an.phone, "0251 3822 000");
  const StaffRow& ha = list->rows[1];
  EXPECT_EQ(ha.line, 3u);
  EXPECT_EQ(ha.full_name, "Trần Thị Thu Hà");
  EXPECT_EQ(ha.birth_date->ToString(), "1985-12-31");
  EXPECT_EQ(ha.title, "Phó Trưởng phòng; kiêm nhiệm");
  EXPECT_FALSE(ha.phone.has_value());
  const StaffRow& tam = list->rows[2];
  EXPECT_EQ(tam.line, 5u);  // row 3 held a quoted line break
  EXPECT_EQ(tam.full_name, "Lê Văn Tám");
  EXPECT_FALSE(tam.birth_date.has_value());
  EXPECT_FALSE(tam.title.has_value());
}

TEST(StaffListTest, AsciiHeadersAndCommas) {
  auto list = ReadStaffCsv(
      "ma_can_bo,ho_ten,ngay_sinh,chuc_vu,dien_thoai\n"
      "CB1,\"Phạm Minh, Đức\",1/2/1979,Giám đốc,\"+84 (251) 382-2000\"\n");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->rows.size(), 1u);
  EXPECT_EQ(list->rows[0].full_name, "Phạm Minh, Đức");
  EXPECT_EQ(list->rows[0].birth_date->ToString(), "1979-02-01");
  EXPECT_EQ(list->rows[0].phone, "+84 (251) 382-2000");
}

TEST(StaffListTest, HeadersMatchWithoutCaseOrDiacritics) {
  for (const char* header : {"MÃ CÁN BỘ,HỌ VÀ TÊN", "Ma can bo,Ho va ten", "MA_CAN_BO,HO_TEN",
                             "Mã CB,Họ tên", "Mã số cán bộ,Họ và tên (*)",
                             // NFD spelling of "Mã cán bộ,Họ và tên"
                             "Ma\xCC\x83 ca\xCC\x81n bo\xCC\xA3\xCC\x82,Ho\xCC\xA3 va\xCC\x80 te\xCC\x82n"}) {
    auto list = ReadStaffCsv(std::string(header) + "\nCB1,An\n");
    ASSERT_TRUE(list.ok()) << header << ": " << list.error();
    ASSERT_EQ(list->rows.size(), 1u) << header;
    EXPECT_EQ(list->rows[0].person_id, "CB1");
  }
}

TEST(StaffListTest, TitleRowsAboveTheHeaderAreSkipped) {
  auto list = ReadStaffCsv(
      "DANH SÁCH CÁN BỘ SỞ THÔNG TIN VÀ TRUYỀN THÔNG,,\n"
      ",,\n"
      "STT,Mã cán bộ,Họ và tên\n"
      "1,CB1,An\n");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->rows.size(), 1u);
  EXPECT_EQ(list->rows[0].line, 4u);
}

TEST(StaffListTest, BadRowsAreReportedWithLineNumbersAndOthersGoThrough) {
  auto list = ReadStaffCsv(
      "Mã cán bộ,Họ và tên,Ngày sinh,Điện thoại\n"  // 1
      "CB1,Nguyễn Văn An,01/05/1990,0251 3822 000\n"  // 2 ok
      "CB2,Trần Thị Bình,31/02/1990,\n"  // 3 bad date
      ",Lê Văn Cường,,\n"  // 4 no id
      "\n"  // 5 blank
      "CB1,Phạm Văn Dũng,,\n"  // 6 duplicate id
      "CB5,,,\n"  // 7 no name
      "CB 6,Hồ Thị Én,,số máy lẻ\n"  // 8 bad id and phone
      "\"CB7\"x,Võ Văn Giang,,\n"  // 9 broken quoting
      "CB8,Đặng Thị Hoa,1899-01-01,\n"  // 10 too old
      "CB9,Bùi Văn Khoa,,\n");  // 11 ok
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->rows.size(), 2u);
  EXPECT_EQ(list->rows[0].person_id, "CB1");
  EXPECT_EQ(list->rows[1].person_id, "CB9");
  EXPECT_EQ(list->rows[1].line, 11u);
  const std::vector<RowError> expected = {
      {3, R"(Ngày sinh: "31/02/1990" is not a date (dd/mm/yyyy or yyyy-mm-dd))"},
      {4, "Mã cán bộ: must not be empty"},
      {6, R"(Mã cán bộ: "CB1" is already on line 2)"},
      {7, "Họ và tên: must not be empty"},
      {8, R"(Mã cán bộ: "CB 6" is not a valid id (1-128 printable ASCII characters, no spaces); )"
          R"(Điện thoại: "số máy lẻ" is not a phone number (3-32 of digits, spaces, '+', '-', '.', '(' and ')'))"},
      {9, "field 1: text after the closing quote"},
      {10, "Ngày sinh: 1899-01-01 is before 1900-01-01"},
  };
  EXPECT_EQ(list->errors, expected);
}

TEST(StaffListTest, ErrorsNameTheColumnAsWrittenInTheFile) {
  auto list = ReadStaffCsv("ma_can_bo,ho_ten,ngay_sinh\nCB1,An,hôm qua\n");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->errors.size(), 1u);
  EXPECT_EQ(list->errors[0].reason,
            R"(ngay_sinh: "hôm qua" is not a date (dd/mm/yyyy or yyyy-mm-dd))");
}

TEST(StaffListTest, MissingRequiredColumnIsAClearError) {
  auto no_id = ReadStaffCsv("STT,Họ và tên,Ngày sinh\n1,An,01/01/1990\n");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(no_id.error().detail, R"(line 1: missing column "Mã cán bộ" (or ma_can_bo))");
  auto no_name = ReadStaffCsv("ma_can_bo;ten\nCB1;An\n");
  ASSERT_FALSE(no_name.ok());
  EXPECT_EQ(no_name.error().detail, R"(line 1: missing column "Họ và tên" (or ho_ten))");
  auto neither = ReadStaffCsv("a,b\n1,2\n");
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().detail,
            R"(line 1: missing columns "Mã cán bộ" (or ma_can_bo) and "Họ và tên" (or ho_ten))");
  // The best candidate row is the one named, not a title above it.
  auto titled = ReadStaffCsv("DANH SÁCH\nSTT,Họ và tên\n1,An\n");
  ASSERT_FALSE(titled.ok());
  EXPECT_EQ(titled.error().detail, R"(line 2: missing column "Mã cán bộ" (or ma_can_bo))");
  EXPECT_EQ(ReadStaffCsv("").error().detail, "the staff list has no rows");
  EXPECT_EQ(ReadStaffCsv("\xEF\xBB\xBF\n\n").error().detail, "the staff list has no rows");
}

TEST(StaffListTest, RequiredColumnGivenTwiceIsAnError) {
  auto list = ReadStaffCsv("Mã cán bộ,Họ và tên,ho_ten\nCB1,An,Bình\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().detail,
            R"(line 1: column "Họ và tên" (or ho_ten) appears twice (columns 2 and 3))");
}

TEST(StaffListTest, ShortRowsAndNfdNames) {
  auto list = ReadStaffCsv(
      "Mã cán bộ,Họ và tên,Chức vụ\n"
      "CB1,NGUYE\xCC\x82\xCC\x83N VA\xCC\x86N AN\n");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->rows.size(), 1u);
  EXPECT_EQ(list->rows[0].full_name, "Nguy\xE1\xBB\x85n V\xC4\x83n An");
  EXPECT_FALSE(list->rows[0].title.has_value());
}

TEST(StaffListTest, InvalidUtf8IsARowError) {
  auto list = ReadStaffCsv("Mã cán bộ,Họ và tên\nCB1,Nguy\xC3\n CB2,An\n");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->errors.size(), 1u);
  EXPECT_EQ(list->errors[0], (RowError{2, "Họ và tên: is not valid UTF-8 (at byte offset 4)"}));
  ASSERT_EQ(list->rows.size(), 1u);
  EXPECT_EQ(list->rows[0].person_id, "CB2");
}

TEST(StaffListTest, RowsBecomeValidHireEvents) {
  auto list = ReadStaffCsv(kVietnameseCsv);
  ASSERT_TRUE(list.ok());
  for (const StaffRow& row : list->rows) {
    Event e;
    e.id = "import-stttt-" + row.person_id;
    e.type = EventType::kHire;
    e.decision = {"DS-01", *Date::Parse("2026-11-01"), "Sở Nội vụ", std::nullopt};
    e.person = ToPersonFields(row, "stttt");
    auto canon = CanonicalizeEvent(e);
    ASSERT_TRUE(canon.ok()) << canon.error();
    EXPECT_EQ(canon->person->full_name, row.full_name);
    EXPECT_EQ(canon->person->agency, "stttt");
  }
}

}  // namespace
}  // namespace danhba::model
