// XLSX (Office Open XML spreadsheet) reading: just enough of ECMA-376 to get
// the cell values of the first worksheet: libzip for the package, expat for the
// parts (workbook, relationships, shared strings, styles, the sheet).
#include <expat.h>
#include <zip.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "danhba/model/staff_list.h"

namespace danhba::model {
namespace {

constexpr std::size_t kMaxColumns = 1024;

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct XmlParserFree {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;
using ZipSourcePtr = std::unique_ptr<zip_source_t, ZipSourceFree>;
using XmlParserPtr = std::unique_ptr<XML_ParserStruct, XmlParserFree>;

struct ZipErrorFini {
  void operator()(zip_error_t* e) const { zip_error_fini(e); }
};

class Package {
 public:
  static Result<Package> Open(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    std::unique_ptr<zip_error_t, ZipErrorFini> error_guard(&error);
    ZipSourcePtr source(zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error));
    if (!source) return InvalidInput(std::string("not an XLSX file: ") + zip_error_strerror(&error));
    ZipPtr archive(zip_open_from_source(source.get(), ZIP_RDONLY, &error));
    if (!archive) return InvalidInput(std::string("not an XLSX file: ") + zip_error_strerror(&error));
    source.release();  // the archive owns it now
    return Package(std::move(archive));
  }

  bool Has(const std::string& name) const {
    return zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // The whole of one part, at most kMaxStaffListBytes, whatever the zip
  // directory claims (a "zip bomb" stops at the limit).
  Result<std::string> Read(const std::string& name) const {
    ZipFilePtr file(zip_fopen(archive_.get(), name.c_str(), ZIP_FL_NOCASE));
    if (!file) {
      return InvalidInput("not an XLSX file: " + name + ": " + zip_strerror(archive_.get()));
    }
    std::string out;
    char buffer[64 * 1024];
    for (;;) {
      const zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
      if (n < 0) return InvalidInput("not an XLSX file: " + name + ": " + zip_file_strerror(file.get()));
      if (n == 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
      if (out.size() > kMaxStaffListBytes) {
        return InvalidInput(name + " is larger than " + std::to_string(kMaxStaffListBytes >> 20) +
                            " MiB unpacked");
      }
    }
    return out;
  }

 private:
  explicit Package(ZipPtr archive) : archive_(std::move(archive)) {}
  ZipPtr archive_;
};

// ---------------------------------------------------------------------------
// A SAX-style reader: subclasses see local names (namespace URIs stripped).

class XmlReader {
 public:
  virtual ~XmlReader() = default;

  Status Parse(std::string_view xml, const std::string& part) {
    XmlParserPtr parser(XML_ParserCreateNS(nullptr, '|'));
    if (!parser) return Internal("cannot create an XML parser");
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &XmlReader::OnStart, &XmlReader::OnEnd);
    XML_SetCharacterDataHandler(parser.get(), &XmlReader::OnText);
    // A spreadsheet part has no business declaring entities; refusing any DTD
    // closes the door on entity expansion tricks.
    XML_SetStartDoctypeDeclHandler(parser.get(), &XmlReader::OnDoctype);
    parser_ = parser.get();
    const auto done = XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
    parser_ = nullptr;
    if (!error_.empty()) return InvalidInput(part + ": " + error_);
    if (done != XML_STATUS_OK) {
      return InvalidInput(part + ": malformed XML at line " +
                          std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                          XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    return Ok();
  }

 protected:
  virtual void Start(std::string_view name, const char** attributes) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view) {}

  // Stops parsing with `why` as the error.
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    if (parser_) XML_StopParser(parser_, XML_FALSE);
  }

  static std::string_view Local(const char* name) {
    std::string_view s(name);
    if (const auto bar = s.rfind('|'); bar != std::string_view::npos) s.remove_prefix(bar + 1);
    return s;
  }

  // The attribute with local name `name`, or nullptr.
  static const char* Attribute(const char** attributes, std::string_view name) {
    for (std::size_t i = 0; attributes[i]; i += 2) {
      if (Local(attributes[i]) == name) return attributes[i + 1];
    }
    return nullptr;
  }

 private:
  static void XMLCALL OnStart(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<XmlReader*>(self)->Start(Local(name), attributes);
  }
  static void XMLCALL OnEnd(void* self, const XML_Char* name) {
    static_cast<XmlReader*>(self)->End(Local(name));
  }
  static void XMLCALL OnText(void* self, const XML_Char* text, int length) {
    static_cast<XmlReader*>(self)->Text(std::string_view(text, static_cast<std::size_t>(length)));
  }
  static void XMLCALL OnDoctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*,
                                int) {
    static_cast<XmlReader*>(self)->Fail("a DOCTYPE is not allowed");
  }

  XML_Parser parser_ = nullptr;
  std::string error_;
};

// xl/workbook.xml: the first sheet's relationship id, and the date system.
class WorkbookReader : public XmlReader {
 public:
  std::string first_sheet_rid;
  std::string first_sheet_name;
  bool date1904 = false;

 protected:
  void Start(std::string_view name, const char** attributes) override {
    if (name == "workbookPr") {
      const char* v = Attribute(attributes, "date1904");
      date1904 = v && (std::string_view(v) == "1" || std::string_view(v) == "true");
    } else if (name == "sheet" && first_sheet_rid.empty()) {
      const char* id = Attribute(attributes, "id");
      const char* sheet_name = Attribute(attributes, "name");
      if (id) first_sheet_rid = id;
      if (sheet_name) first_sheet_name = sheet_name;
    }
  }
  void End(std::string_view) override {}
};

// xl/_rels/workbook.xml.rels: relationship id -> target part.
class RelationshipsReader : public XmlReader {
 public:
  std::map<std::string, std::string> targets;

 protected:
  void Start(std::string_view name, const char** attributes) override {
    if (name != "Relationship") return;
    const char* id = Attribute(attributes, "Id");
    const char* target = Attribute(attributes, "Target");
    if (id && target) targets[id] = target;
  }
  void End(std::string_view) override {}
};

// xl/sharedStrings.xml: the table that t="s" cells index. Rich text runs are
// joined; phonetic guides (rPh) are not part of the text.
class SharedStringsReader : public XmlReader {
 public:
  std::vector<std::string> strings;

 protected:
  void Start(std::string_view name, const char**) override {
    if (name == "si") {
      strings.emplace_back();
      in_si_ = true;
    } else if (name == "rPh") {
      in_phonetic_ = true;
    } else if (name == "t" && in_si_ && !in_phonetic_) {
      in_text_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") in_si_ = false;
    if (name == "rPh") in_phonetic_ = false;
    if (name == "t") in_text_ = false;
  }
  void Text(std::string_view text) override {
    if (in_text_) strings.back().append(text);
  }

 private:
  bool in_si_ = false;
  bool in_phonetic_ = false;
  bool in_text_ = false;
};

bool IsDateFormatCode(std::string_view code) {
  // Day or year placeholders outside quoted text, escapes and [..] sections
  // (colours, locales, elapsed time). 'm' alone could be minutes.
  bool quoted = false, bracket = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c == '\\') {
      ++i;
    } else if (c == '[') {
      bracket = true;
    } else if (c == ']') {
      bracket = false;
    } else if (!bracket && (c == 'd' || c == 'D' || c == 'y' || c == 'Y')) {
      return true;
    }
  }
  return false;
}

bool IsBuiltinDateFormat(int id) {
  return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

// xl/styles.xml: which cell styles (the s attribute) format numbers as dates.
class StylesReader : public XmlReader {
 public:
  std::vector<bool> date_styles;

 protected:
  void Start(std::string_view name, const char** attributes) override {
    if (name == "numFmt") {
      const char* id = Attribute(attributes, "numFmtId");
      const char* code = Attribute(attributes, "formatCode");
      if (id && code && IsDateFormatCode(code)) custom_dates_.insert(std::atoi(id));
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = Attribute(attributes, "numFmtId");
      const int fmt = id ? std::atoi(id) : 0;
      date_styles.push_back(IsBuiltinDateFormat(fmt) || custom_dates_.count(fmt) > 0);
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

 private:
  std::set<int> custom_dates_;
  bool in_cell_xfs_ = false;
};

// "C12" -> column 2 (0-based); nullopt when `ref` has no letters.
std::optional<std::size_t> ColumnOf(std::string_view ref) {
  std::size_t column = 0;
  std::size_t letters = 0;
  for (const char c : ref) {
    if (c >= 'A' && c <= 'Z') {
      column = column * 26 + static_cast<std::size_t>(c - 'A' + 1);
      if (++letters > 3) return std::nullopt;
    } else {
      break;
    }
  }
  if (letters == 0) return std::nullopt;
  return column - 1;
}

std::string FormatNumber(double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "";
  return std::string(buffer, end);
}

// A date serial number as "yyyy-mm-dd", or "" when out of range.
std::string FormatSerialDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 1 || serial > 2958465) return "";
  auto days = static_cast<long long>(std::floor(serial));
  using namespace std::chrono;
  sys_days base;
  if (date1904) {
    base = sys_days{year{1904} / January / 1};
  } else {
    // Serial 1 is 1900-01-01, and serial 60 is the 29 February 1900 that Lotus
    // 1-2-3 believed in; from 61 on, serial n is 1899-12-30 + n.
    if (days == 60) return "";
    base = sys_days{year{1899} / December / (days < 60 ? 31 : 30)};
  }
  return Date::FromSysDays(base + std::chrono::days{days}).ToString();
}

// The first worksheet: one TableRow per <row> that has a value.
class SheetReader : public XmlReader {
 public:
  SheetReader(const std::vector<std::string>& shared, const std::vector<bool>& date_styles,
              bool date1904)
      : shared_(shared), date_styles_(date_styles), date1904_(date1904) {}

  std::vector<TableRow> rows;

 protected:
  void Start(std::string_view name, const char** attributes) override {
    if (name == "row") {
      const char* r = Attribute(attributes, "r");
      row_number_ = r ? static_cast<std::size_t>(std::strtoull(r, nullptr, 10)) : row_number_ + 1;
      cells_.clear();
      next_column_ = 0;
    } else if (name == "c") {
      const char* ref = Attribute(attributes, "r");
      const auto column = ref ? ColumnOf(ref) : std::nullopt;
      column_ = column ? *column : next_column_;
      next_column_ = column_ + 1;
      const char* type = Attribute(attributes, "t");
      type_ = type ? type : "n";
      const char* style = Attribute(attributes, "s");
      style_ = style ? static_cast<std::size_t>(std::strtoull(style, nullptr, 10)) : 0;
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && (name == "v" || (name == "t" && type_ == "inlineStr"))) {
      in_value_ = true;
    } else if (name == "rPh") {
      in_phonetic_ = true;
    }
  }

  void End(std::string_view name) override {
    if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "rPh") {
      in_phonetic_ = false;
    } else if (name == "c") {
      in_cell_ = false;
      Store();
    } else if (name == "row") {
      if (!cells_.empty()) rows.push_back({row_number_, std::move(cells_)});
      cells_.clear();
    }
  }

  void Text(std::string_view text) override {
    if (in_value_ && !in_phonetic_) value_.append(text);
  }

 private:
  void Store() {
    if (column_ >= kMaxColumns) return;
    std::string cell;
    if (type_ == "s") {
      const std::size_t index = static_cast<std::size_t>(std::strtoull(value_.c_str(), nullptr, 10));
      if (value_.empty() || index >= shared_.size()) {
        Fail("row " + std::to_string(row_number_) + ": shared string " + value_ + " does not exist");
        return;
      }
      cell = shared_[index];
    } else if (type_ == "b") {
      cell = value_ == "1" ? "TRUE" : "FALSE";
    } else if (type_ == "n") {
      if (value_.empty()) return;
      const double v = std::strtod(value_.c_str(), nullptr);
      const bool is_date = style_ < date_styles_.size() && date_styles_[style_];
      cell = is_date ? FormatSerialDate(v, date1904_) : FormatNumber(v);
      if (cell.empty()) cell = value_;
    } else if (type_ == "d") {
      cell = value_.substr(0, 10);  // ISO 8601 date, maybe with a time
    } else {
      cell = value_;  // str, inlineStr, e (an error such as #N/A, kept as text)
    }
    if (cell.empty()) return;
    if (cells_.size() <= column_) cells_.resize(column_ + 1);
    cells_[column_] = std::move(cell);
  }

  const std::vector<std::string>& shared_;
  const std::vector<bool>& date_styles_;
  const bool date1904_;
  std::size_t row_number_ = 0;
  std::vector<std::string> cells_;
  std::size_t column_ = 0;
  std::size_t next_column_ = 0;
  std::string type_;
  std::size_t style_ = 0;
  std::string value_;
  bool in_cell_ = false;
  bool in_value_ = false;
  bool in_phonetic_ = false;
};

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml".
std::string ResolvePart(const std::string& target) {
  if (!target.empty() && target.front() == '/') return target.substr(1);
  return "xl/" + target;
}

}  // namespace

bool IsXlsx(std::string_view bytes) { return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

Result<std::vector<TableRow>> ReadXlsx(std::string_view bytes) {
  if (bytes.size() > kMaxStaffListBytes) {
    return InvalidInput("the file is larger than " + std::to_string(kMaxStaffListBytes >> 20) +
                        " MiB");
  }
  DANHBA_ASSIGN_OR_RETURN(auto package, Package::Open(bytes));

  WorkbookReader workbook;
  {
    auto xml = package.Read("xl/workbook.xml");
    if (!xml.ok()) return xml.take_error();
    DANHBA_RETURN_IF_ERROR(workbook.Parse(*xml, "xl/workbook.xml"));
  }
  if (workbook.first_sheet_rid.empty()) return InvalidInput("the workbook has no sheets");
  RelationshipsReader rels;
  {
    auto xml = package.Read("xl/_rels/workbook.xml.rels");
    if (!xml.ok()) return xml.take_error();
    DANHBA_RETURN_IF_ERROR(rels.Parse(*xml, "xl/_rels/workbook.xml.rels"));
  }
  const auto target = rels.targets.find(workbook.first_sheet_rid);
  if (target == rels.targets.end()) {
    return InvalidInput("sheet \"" + workbook.first_sheet_name + "\" is missing from the file");
  }
  SharedStringsReader shared;
  if (package.Has("xl/sharedStrings.xml")) {
    auto xml = package.Read("xl/sharedStrings.xml");
    if (!xml.ok()) return xml.take_error();
    DANHBA_RETURN_IF_ERROR(shared.Parse(*xml, "xl/sharedStrings.xml"));
  }
  StylesReader styles;
  if (package.Has("xl/styles.xml")) {
    auto xml = package.Read("xl/styles.xml");
    if (!xml.ok()) return xml.take_error();
    DANHBA_RETURN_IF_ERROR(styles.Parse(*xml, "xl/styles.xml"));
  }
  const std::string sheet_part = ResolvePart(target->second);
  auto xml = package.Read(sheet_part);
  if (!xml.ok()) return xml.take_error();
  SheetReader sheet(shared.strings, styles.date_styles, workbook.date1904);
  DANHBA_RETURN_IF_ERROR(sheet.Parse(*xml, sheet_part));
  return std::move(sheet.rows);
}

Result<StaffList> ReadStaffXlsx(std::string_view bytes) {
  DANHBA_ASSIGN_OR_RETURN(auto rows, ReadXlsx(bytes));
  return ReadStaffTable(rows);
}

}  // namespace danhba::model
