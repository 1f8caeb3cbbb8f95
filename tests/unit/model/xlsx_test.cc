#include <gtest/gtest.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "danhba/model/staff_list.h"

namespace danhba::model {
namespace {

std::string TempPath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "danhba_model_" + info->name() + "_" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An XLSX package made part by part, for cases libxlsxwriter does not write.
std::string MakePackage(const std::map<std::string, std::string>& parts) {
  const std::string path = TempPath("package.xlsx");
  std::remove(path.c_str());
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  if (!z) return {};
  for (const auto& [name, body] : parts) {
    zip_source_t* src = zip_source_buffer(z, body.data(), body.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::string bytes = Slurp(path);
  std::remove(path.c_str());
  return bytes;
}

const char kWorkbook[] =
    R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<workbookPr date1904="1"/><sheets><sheet name="DS" sheetId="1" r:id="rId7"/></sheets></workbook>)";
const char kRels[] =
    R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" )"
    R"(Target="/xl/worksheets/ds.xml"/></Relationships>)";

TEST(XlsxTest, StaffListWrittenByAnExcelLibrary) {
  const std::string path = TempPath("staff.xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  ASSERT_NE(wb, nullptr);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Danh sách");
  lxw_format* date_format = workbook_add_format(wb);
  format_set_num_format(date_format, "dd/mm/yyyy");
  worksheet_write_string(ws, 0, 0, "DANH SÁCH CÁN BỘ", nullptr);
  worksheet_write_string(ws, 2, 0, "STT", nullptr);
  worksheet_write_string(ws, 2, 1, "Mã cán bộ", nullptr);
  worksheet_write_string(ws, 2, 2, "Họ và tên", nullptr);
  worksheet_write_string(ws, 2, 3, "Ngày sinh", nullptr);
  worksheet_write_string(ws, 2, 4, "Chức vụ", nullptr);
  worksheet_write_string(ws, 2, 5, "Điện thoại", nullptr);
  worksheet_write_number(ws, 3, 0, 1, nullptr);
  worksheet_write_number(ws, 3, 1, 1234, nullptr);  // a numeric id
  worksheet_write_string(ws, 3, 2, "NGUYỄN VĂN AN", nullptr);
  lxw_datetime born = {1990, 5, 1, 0, 0, 0};
  worksheet_write_datetime(ws, 3, 3, &born, date_format);
  worksheet_write_string(ws, 3, 4, "Chuyên viên", nullptr);
  worksheet_write_string(ws, 3, 5, "0251 3822 000", nullptr);
  worksheet_write_number(ws, 5, 0, 2, nullptr);  // row 6; row 5 left empty
  worksheet_write_string(ws, 5, 1, "CB002", nullptr);
  worksheet_write_string(ws, 5, 2, "Trần Thị Bình", nullptr);
  worksheet_write_string(ws, 5, 3, "31/12/1985", nullptr);  // a date typed as text
  worksheet_write_number(ws, 6, 0, 3, nullptr);
  worksheet_write_string(ws, 6, 1, "CB003", nullptr);
  worksheet_write_string(ws, 6, 2, "Lê Văn Cường", nullptr);
  worksheet_write_string(ws, 6, 3, "30/02/1985", nullptr);
  worksheet_write_boolean(ws, 6, 4, 1, nullptr);
  lxw_datetime early = {1900, 1, 1, 0, 0, 0};
  lxw_datetime after_leap = {1900, 3, 1, 0, 0, 0};
  worksheet_write_datetime(ws, 7, 7, &early, date_format);
  worksheet_write_datetime(ws, 7, 8, &after_leap, date_format);
  worksheet_write_number(ws, 7, 9, 2.5, nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  const std::string bytes = Slurp(path);
  std::remove(path.c_str());
  ASSERT_TRUE(IsXlsx(bytes));

  auto rows = ReadXlsx(bytes);
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->size(), 6u);
  EXPECT_EQ((*rows)[0].line, 1u);
  EXPECT_EQ((*rows)[0].cells, (std::vector<std::string>{"DANH SÁCH CÁN BỘ"}));
  EXPECT_EQ((*rows)[2].line, 4u);
  EXPECT_EQ((*rows)[2].cells, (std::vector<std::string>{"1", "1234", "NGUYỄN VĂN AN", "1990-05-01",
                                                         "Chuyên viên", "0251 3822 000"}));
  EXPECT_EQ((*rows)[4].cells[4], "TRUE");
  EXPECT_EQ((*rows)[5].line, 8u);
  EXPECT_EQ((*rows)[5].cells,
            (std::vector<std::string>{"", "", "", "", "", "", "", "1900-01-01", "1900-03-01", "2.5"}));

  auto staff = ReadStaffXlsx(bytes);
  ASSERT_TRUE(staff.ok()) << staff.error();
  ASSERT_EQ(staff->rows.size(), 2u);
  EXPECT_EQ(staff->rows[0].line, 4u);
  EXPECT_EQ(staff->rows[0].person_id, "1234");
  EXPECT_EQ(staff->rows[0].full_name, "Nguyễn Văn An");
  EXPECT_EQ(staff->rows[0].birth_date->ToString(), "1990-05-01");
  EXPECT_EQ(staff->rows[1].line, 6u);
  EXPECT_EQ(staff->rows[1].birth_date->ToString(), "1985-12-31");
  ASSERT_EQ(staff->errors.size(), 2u);
  EXPECT_EQ(staff->errors[0],
            (RowError{7, R"(Ngày sinh: "30/02/1985" is not a date (dd/mm/yyyy or yyyy-mm-dd))"}));
  EXPECT_EQ(staff->errors[1].line, 8u);  // the row of numbers has no id and no name
}

TEST(XlsxTest, InlineStringsOfConstantMemoryMode) {
  const std::string path = TempPath("inline.xlsx");
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  ASSERT_NE(wb, nullptr);
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  worksheet_write_string(ws, 0, 0, "ma_can_bo", nullptr);
  worksheet_write_string(ws, 0, 1, "ho_ten", nullptr);
  worksheet_write_string(ws, 1, 0, "CB1", nullptr);
  worksheet_write_string(ws, 1, 1, "Phạm Minh Đức", nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  const std::string bytes = Slurp(path);
  std::remove(path.c_str());
  auto staff = ReadStaffXlsx(bytes);
  ASSERT_TRUE(staff.ok()) << staff.error();
  ASSERT_EQ(staff->rows.size(), 1u);
  EXPECT_EQ(staff->rows[0].full_name, "Phạm Minh Đức");
}

TEST(XlsxTest, RichTextPhoneticsDate1904AndAbsoluteTargets) {
  const std::string bytes = MakePackage({
      {"xl/workbook.xml", kWorkbook},
      {"xl/_rels/workbook.xml.rels", kRels},
      {"xl/sharedStrings.xml",
       R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Mã cán bộ</t></si>)"
       R"(<si><r><t>Họ và </t></r><r><rPr><b/></rPr><t>tên</t></r><rPh><t>PHONETIC</t></rPh></si>)"
       R"(<si><t xml:space="preserve"> Võ  Thị Sáu </t></si></sst>)"},
      {"xl/styles.xml",
       R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
       R"(<numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]dd\-mm\-yyyy;@"/>)"
       R"(<numFmt numFmtId="165" formatCode="&quot;day&quot; 0"/></numFmts>)"
       R"(<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>)"},
      {"xl/worksheets/ds.xml",
       R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)"
       R"(<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c><c r="D2" t="inlineStr"><is><t>Ngày sinh</t></is></c></row>)"
       R"(<row r="3"><c r="B3" t="str"><v>CB7</v></c><c r="C3" t="s"><v>2</v></c><c r="D3" s="1"><v>31776</v></c><c r="E3" s="2"><v>7</v></c></row>)"
       R"(<row r="4"><c r="B4"><v>8</v></c><c r="C4" t="s"><v>2</v></c><c r="D4" t="d"><v>1990-05-01T00:00:00</v></c></row>)"
       R"(</sheetData></worksheet>)"},
  });
  auto rows = ReadXlsx(bytes);
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].line, 2u);
  EXPECT_EQ((*rows)[0].cells, (std::vector<std::string>{"", "Mã cán bộ", "Họ và tên", "Ngày sinh"}));
  // 31776 days after 1904-01-01 is 1990-12-31; format 165 is a number, not a date.
  EXPECT_EQ((*rows)[1].cells,
            (std::vector<std::string>{"", "CB7", " Võ  Thị Sáu ", "1990-12-31", "7"}));
  EXPECT_EQ((*rows)[2].cells[3], "1990-05-01");
  auto staff = ReadStaffTable(*rows);
  ASSERT_TRUE(staff.ok()) << staff.error();
  ASSERT_EQ(staff->rows.size(), 2u);
  EXPECT_EQ(staff->rows[0].full_name, "Võ Thị Sáu");
  EXPECT_EQ(staff->rows[0].birth_date->ToString(), "1990-12-31");
  EXPECT_EQ(staff->rows[1].person_id, "8");
}

TEST(XlsxTest, BrokenFilesAreClearErrors) {
  auto not_zip = ReadXlsx("Mã cán bộ,Họ và tên\n");
  ASSERT_FALSE(not_zip.ok());
  EXPECT_EQ(not_zip.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(not_zip.error().detail.rfind("not an XLSX file: ", 0), 0u) << not_zip.error().detail;
  EXPECT_FALSE(IsXlsx("Mã cán bộ"));

  auto no_workbook = ReadXlsx(MakePackage({{"hello.txt", "hi"}}));
  ASSERT_FALSE(no_workbook.ok());
  EXPECT_EQ(no_workbook.error().detail.rfind("not an XLSX file: xl/workbook.xml: ", 0), 0u)
      << no_workbook.error().detail;

  auto malformed = ReadXlsx(MakePackage({{"xl/workbook.xml", "<workbook><sheets>"}}));
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().detail.rfind("xl/workbook.xml: malformed XML at line 1: ", 0), 0u)
      << malformed.error().detail;

  auto doctype = ReadXlsx(MakePackage(
      {{"xl/workbook.xml",
        R"(<!DOCTYPE lol [<!ENTITY a "aaaa">]><workbook><sheets><sheet name="a" r:id="x"/></sheets></workbook>)"}}));
  ASSERT_FALSE(doctype.ok());
  EXPECT_EQ(doctype.error().detail, "xl/workbook.xml: a DOCTYPE is not allowed");

  auto no_sheets = ReadXlsx(MakePackage({{"xl/workbook.xml", "<workbook><sheets/></workbook>"}}));
  ASSERT_FALSE(no_sheets.ok());
  EXPECT_EQ(no_sheets.error().detail, "the workbook has no sheets");

  auto dangling = ReadXlsx(MakePackage({
      {"xl/workbook.xml", kWorkbook},
      {"xl/_rels/workbook.xml.rels", kRels},
      {"xl/worksheets/ds.xml",
       R"(<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData></worksheet>)"},
  }));
  ASSERT_FALSE(dangling.ok());
  EXPECT_EQ(dangling.error().detail,
            "xl/worksheets/ds.xml: row 1: shared string 3 does not exist");
}

}  // namespace
}  // namespace danhba::model
