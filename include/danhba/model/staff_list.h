// Agency staff lists (R6, contract "Staff list files"): a table with one person
// a row, read from CSV or XLSX into TableRows, then checked row by row.
// Legacy encodings are decoded to UTF-8 by the text module before this reader.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/date.h"
#include "danhba/model/event.h"

namespace danhba::model {

// One record of a table, with the 1-based line (or spreadsheet row) it starts on.
struct TableRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

// A row that could not be read, and why. Other rows still go through.
struct RowError {
  std::size_t line = 0;
  std::string reason;

  friend bool operator==(const RowError&, const RowError&) = default;
};

struct CsvTable {
  char delimiter = ',';
  std::vector<TableRow> rows;     // records as read; cells are not cleaned
  std::vector<RowError> errors;   // records with broken quoting, left out of rows
};

inline constexpr std::size_t kMaxStaffListBytes = 64u << 20;

// RFC 4180 CSV in UTF-8, with or without a BOM; CRLF or LF line ends; quoted
// fields may hold delimiters, "" and line breaks. The delimiter (',', ';' or
// tab) is the one of them that occurs most often outside quotes in the first
// record; ',' on a tie. A record with text after a closing quote, or an
// unterminated quote, becomes a RowError. Error: input over kMaxStaffListBytes.
Result<CsvTable> ReadCsv(std::string_view utf8);

// One person of a staff list, canonical as in events: cleaned NFC text, names
// proper-cased.
struct StaffRow {
  std::size_t line = 0;
  std::string person_id;                 // Mã cán bộ (private, R3)
  std::string full_name;                 // Họ và tên
  std::optional<Date> birth_date;        // Ngày sinh
  std::optional<std::string> title;      // Chức vụ
  std::optional<std::string> phone;      // Điện thoại

  friend bool operator==(const StaffRow&, const StaffRow&) = default;
};

struct StaffList {
  std::vector<StaffRow> rows;
  std::vector<RowError> errors;  // sorted by line
};

// Reads a staff table. The header is the first of the first 10 non-blank rows
// that has both required columns; rows above it (titles such as "DANH SÁCH CÁN
// BỘ") are skipped. Headers match after NFC, case and diacritic folding, with
// '_' as a space:
//   required  Mã cán bộ (ma_can_bo, Mã số cán bộ, Mã CB, Mã nhân viên),
//             Họ và tên (ho_ten, Họ tên)
//   optional  Ngày sinh (ngay_sinh), Chức vụ (chuc_vu),
//             Điện thoại (dien_thoai, Số điện thoại, SĐT)
// Other columns (STT, Ghi chú, ...) are ignored. Dates are dd/mm/yyyy or ISO.
// Blank rows are skipped; a row with a bad or missing value, or a Mã cán bộ
// already seen on an earlier line, becomes a RowError naming the column as
// written in the header. Error (nothing read): no header row found, naming the
// missing column(s), or a required column given twice.
Result<StaffList> ReadStaffTable(const std::vector<TableRow>& table);

// ReadCsv then ReadStaffTable; CSV-level row errors are merged in line order.
Result<StaffList> ReadStaffCsv(std::string_view utf8);

// True when `bytes` start like a zip archive (XLSX); anything else is taken as
// CSV text.
bool IsXlsx(std::string_view bytes);

// The first worksheet of an XLSX workbook as rows; `line` is the spreadsheet
// row number (1-based), and rows with no value are left out. Cells give text as
// stored (shared or inline strings, formula results), numbers without a
// trailing ".0" (so ids like "00123" survive only as text cells), TRUE/FALSE for
// booleans, and "yyyy-mm-dd" for numbers formatted as dates (1900 and 1904 date
// systems). Legacy-font text (TCVN3, VNI) in cells is returned as stored.
// Error: not an XLSX package, a malformed or DOCTYPE-bearing part, a part over
// kMaxStaffListBytes unpacked, a workbook without sheets.
Result<std::vector<TableRow>> ReadXlsx(std::string_view bytes);

// ReadXlsx then ReadStaffTable. RowError lines are spreadsheet row numbers.
Result<StaffList> ReadStaffXlsx(std::string_view bytes);

// The person part of a hire event for a row of `agency`.
PersonFields ToPersonFields(const StaffRow& row, std::string_view agency);

}  // namespace danhba::model
