#include "danhba/model/staff_list.h"

#include <algorithm>
#include <array>
#include <map>

#include "danhba/model/fields.h"
#include "danhba/text/text.h"
#include "model/quote.h"

namespace danhba::model {
namespace {

constexpr std::size_t kHeaderSearchRows = 10;

// ---------------------------------------------------------------------------
// CSV

char DetectDelimiter(std::string_view s) {
  std::size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (const char c : s) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '\n' || c == '\r') break;
      comma += c == ',';
      semicolon += c == ';';
      tab += c == '\t';
    }
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

bool IsBlank(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& cell) {
    return cell.find_first_not_of(" \t\r\n") == std::string::npos;
  });
}

// ---------------------------------------------------------------------------
// Staff columns

enum Column { kId, kName, kBirthDate, kTitle, kPhone, kColumnCount };

struct ColumnSpec {
  std::string_view display;  // as in the contract, for messages
  std::string_view ascii;
  std::array<std::string_view, 5> folded;  // accepted headers after FoldForSearch
};

constexpr std::array<ColumnSpec, kColumnCount> kColumns{{
    {"Mã cán bộ", "ma_can_bo", {"ma can bo", "ma so can bo", "ma cb", "ma nhan vien", "ma cbcc"}},
    {"Họ và tên", "ho_ten", {"ho va ten", "ho ten", "", "", ""}},
    {"Ngày sinh", "ngay_sinh", {"ngay sinh", "ngay thang nam sinh", "", "", ""}},
    {"Chức vụ", "chuc_vu", {"chuc vu", "", "", "", ""}},
    {"Điện thoại", "dien_thoai", {"dien thoai", "so dien thoai", "sdt", "dien thoai co quan", ""}},
}};

std::optional<Column> MatchHeader(std::string_view header) {
  const std::string folded = text::FoldForSearch(header);
  if (folded.empty()) return std::nullopt;
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    for (const std::string_view name : kColumns[c].folded) {
      if (!name.empty() && name == folded) return static_cast<Column>(c);
    }
  }
  return std::nullopt;
}

std::string Describe(Column c) {
  return "\"" + std::string(kColumns[c].display) + "\" (or " + std::string(kColumns[c].ascii) + ")";
}

struct Header {
  std::size_t row = 0;  // index into the table
  std::array<std::optional<std::size_t>, kColumnCount> index;
  std::array<std::string, kColumnCount> names;  // as written in the file
  std::size_t found = 0;
  std::string duplicate;  // first problem with a column given twice
};

Header ReadHeader(const TableRow& row, std::size_t row_index) {
  Header h;
  h.row = row_index;
  for (std::size_t i = 0; i < row.cells.size(); ++i) {
    const auto column = MatchHeader(row.cells[i]);
    if (!column) continue;
    if (h.index[*column]) {
      if (h.duplicate.empty()) {
        h.duplicate = "column " + Describe(*column) + " appears twice (columns " +
                      std::to_string(*h.index[*column] + 1) + " and " + std::to_string(i + 1) +
                      ")";
      }
      continue;
    }
    h.index[*column] = i;
    auto clean = text::Clean(row.cells[i]);
    h.names[*column] = clean.ok() ? std::move(clean).value() : std::string(kColumns[*column].display);
    ++h.found;
  }
  return h;
}

bool HasRequired(const Header& h) { return h.index[kId] && h.index[kName]; }

class RowReader {
 public:
  RowReader(const Header& header, const TableRow& row) : header_(header), row_(row) {}

  // The cell of `column`, or empty when the column is absent or the row short.
  std::string_view Cell(Column column) const {
    const auto i = header_.index[column];
    if (!i || *i >= row_.cells.size()) return {};
    return row_.cells[*i];
  }

  bool Empty(Column column) const {
    return Cell(column).find_first_not_of(" \t\r\n") == std::string_view::npos;
  }

  void Fail(Column column, std::string_view why) {
    if (!reason_.empty()) reason_.append("; ");
    reason_.append(header_.names[column]).append(": ").append(why);
  }

  const std::string& reason() const { return reason_; }

 private:
  const Header& header_;
  const TableRow& row_;
  std::string reason_;
};

std::optional<StaffRow> ReadStaffRow(const Header& header, const TableRow& row,
                                     std::string& reason) {
  RowReader in(header, row);
  StaffRow out;
  out.line = row.line;
  if (auto id = NormalizeText(in.Cell(kId), kMaxIdLength); !id.ok()) {
    in.Fail(kId, id.error().detail);
  } else if (Status s = CheckId(*id); !s.ok()) {
    in.Fail(kId, s.error().detail);
  } else {
    out.person_id = std::move(id).value();
  }
  if (auto name = NormalizeName(in.Cell(kName), kMaxFullNameLength); !name.ok()) {
    in.Fail(kName, name.error().detail);
  } else {
    out.full_name = std::move(name).value();
  }
  if (!in.Empty(kBirthDate)) {
    auto cleaned = text::Clean(in.Cell(kBirthDate));
    auto date = cleaned.ok() ? Date::ParseDayMonthYear(*cleaned)
                             : Date::ParseDayMonthYear(in.Cell(kBirthDate));
    if (!date.ok()) {
      in.Fail(kBirthDate, date.error().detail);
    } else if (*date < Date::FromYmd(1900, 1, 1).value()) {
      in.Fail(kBirthDate, date->ToString() + " is before 1900-01-01");
    } else {
      out.birth_date = *date;
    }
  }
  if (!in.Empty(kTitle)) {
    if (auto title = NormalizeText(in.Cell(kTitle), kMaxTextLength); !title.ok()) {
      in.Fail(kTitle, title.error().detail);
    } else {
      out.title = std::move(title).value();
    }
  }
  if (!in.Empty(kPhone)) {
    if (auto phone = NormalizeText(in.Cell(kPhone), kMaxPhoneLength); !phone.ok()) {
      in.Fail(kPhone, phone.error().detail);
    } else if (Status s = CheckPhone(*phone); !s.ok()) {
      in.Fail(kPhone, s.error().detail);
    } else {
      out.phone = std::move(phone).value();
    }
  }
  if (!in.reason().empty()) {
    reason = in.reason();
    return std::nullopt;
  }
  return out;
}

}  // namespace

Result<CsvTable> ReadCsv(std::string_view s) {
  if (s.size() > kMaxStaffListBytes) {
    return InvalidInput("the file is larger than " + std::to_string(kMaxStaffListBytes >> 20) +
                        " MiB");
  }
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  CsvTable table;
  const char delim = DetectDelimiter(s);
  table.delimiter = delim;
  const std::size_t n = s.size();
  std::size_t i = 0;
  std::size_t line = 1;
  // Consumes one line break at i (CRLF, LF or a lone CR), if there is one.
  auto line_break = [&] {
    if (i < n && s[i] == '\r') {
      ++i;
      if (i < n && s[i] == '\n') ++i;
      ++line;
    } else if (i < n && s[i] == '\n') {
      ++i;
      ++line;
    }
  };
  while (i < n) {
    TableRow row;
    row.line = line;
    std::string broken;
    for (;;) {
      std::string cell;
      if (i < n && s[i] == '"') {
        const std::size_t field_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = s[i];
          if (c == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
              cell.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          cell.push_back(c);
          ++i;
        }
        if (!closed) {
          broken = "field " + std::to_string(row.cells.size() + 1) + ": the quote opened on line " +
                   std::to_string(field_line) + " is never closed";
          break;
        }
        if (i < n && s[i] != delim && s[i] != '\n' && s[i] != '\r') {
          broken = "field " + std::to_string(row.cells.size() + 1) +
                   ": text after the closing quote";
          while (i < n && s[i] != '\n' && s[i] != '\r') ++i;
          line_break();
          break;
        }
      } else {
        while (i < n && s[i] != delim && s[i] != '\n' && s[i] != '\r') cell.push_back(s[i++]);
      }
      row.cells.push_back(std::move(cell));
      if (i < n && s[i] == delim) {
        ++i;
        if (i < n) continue;
        row.cells.emplace_back();  // "a,b," ends with an empty field
      }
      line_break();
      break;
    }
    if (broken.empty()) {
      table.rows.push_back(std::move(row));
    } else {
      table.errors.push_back({row.line, std::move(broken)});
    }
  }
  return table;
}

Result<StaffList> ReadStaffTable(const std::vector<TableRow>& table) {
  std::optional<Header> header;
  std::optional<Header> best;
  std::size_t seen = 0;
  for (std::size_t r = 0; r < table.size() && seen < kHeaderSearchRows; ++r) {
    if (IsBlank(table[r].cells)) continue;
    ++seen;
    Header h = ReadHeader(table[r], r);
    if (HasRequired(h)) {
      header = std::move(h);
      break;
    }
    if (!best || h.found > best->found) best = std::move(h);
  }
  if (!header) {
    if (!best) return InvalidInput("the staff list has no rows");
    std::string missing;
    for (const Column c : {kId, kName}) {
      if (best->index[c]) continue;
      if (!missing.empty()) missing.append(" and ");
      missing.append(Describe(c));
    }
    const bool both = !best->index[kId] && !best->index[kName];
    return InvalidInput("line " + std::to_string(table[best->row].line) + ": missing column" +
                        (both ? "s " : " ") + missing);
  }
  if (!header->duplicate.empty()) {
    return InvalidInput("line " + std::to_string(table[header->row].line) + ": " +
                        header->duplicate);
  }
  StaffList list;
  std::map<std::string, std::size_t> first_line;  // person id -> line it was first seen on
  for (std::size_t r = header->row + 1; r < table.size(); ++r) {
    const TableRow& row = table[r];
    if (IsBlank(row.cells)) continue;
    std::string reason;
    auto staff = ReadStaffRow(*header, row, reason);
    if (!staff) {
      list.errors.push_back({row.line, std::move(reason)});
      continue;
    }
    const auto [it, inserted] = first_line.emplace(staff->person_id, row.line);
    if (!inserted) {
      list.errors.push_back({row.line, header->names[kId] + ": " +
                                           internal::Quote(staff->person_id) +
                                           " is already on line " + std::to_string(it->second)});
      continue;
    }
    list.rows.push_back(std::move(*staff));
  }
  return list;
}

Result<StaffList> ReadStaffCsv(std::string_view utf8) {
  DANHBA_ASSIGN_OR_RETURN(auto csv, ReadCsv(utf8));
  auto list = ReadStaffTable(csv.rows);
  if (!list.ok()) return list.take_error();
  list->errors.insert(list->errors.end(), csv.errors.begin(), csv.errors.end());
  std::stable_sort(list->errors.begin(), list->errors.end(),
                   [](const RowError& a, const RowError& b) { return a.line < b.line; });
  return list;
}

PersonFields ToPersonFields(const StaffRow& row, std::string_view agency) {
  PersonFields person;
  person.id = row.person_id;
  person.full_name = row.full_name;
  person.birth_date = row.birth_date;
  if (row.title) person.title = std::optional<std::string>(*row.title);
  if (row.phone) person.phone = std::optional<std::string>(*row.phone);
  person.agency = std::string(agency);
  return person;
}

}  // namespace danhba::model
