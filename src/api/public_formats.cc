#include "api/public_formats.h"

#include <string_view>

namespace danhba::api::formats {
namespace {

// RFC 6350 section 3.4: backslash, comma, semicolon and newline are escaped in text values.
std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ',': out += "\\,"; break;
      case ';': out += "\\;"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Appends `line` folded at 75 octets (RFC 6350 section 3.2), never inside a
// UTF-8 sequence, then CRLF.
void AppendLine(std::string_view line, std::string& out) {
  std::size_t limit = 75;
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out.append("\r\n ");
    line.remove_prefix(cut);
    limit = 74;  // the continuation's leading space counts
  }
  out.append(line);
  out.append("\r\n");
}

void CsvField(std::string_view value, std::string& out) {
  bool formula = !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@');
  bool quote = formula || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

void AppendVcard(const readmodel::Snapshot& snapshot, const readmodel::PersonEntry& person, std::string& out) {
  std::string agency(snapshot.AgencyName(person.agency_code()));
  auto middle = person.MiddleNames();
  std::string middle_joined;
  for (const auto& m : middle) middle_joined += (middle_joined.empty() ? "" : " ") + m;
  AppendLine("BEGIN:VCARD", out);
  AppendLine("VERSION:4.0", out);
  AppendLine("KIND:individual", out);
  AppendLine("FN:" + Escape(person.full_name()), out);
  // N: family; given; additional (middle); prefixes; suffixes.
  AppendLine("N:" + Escape(person.family_name()) + ";" + Escape(person.given_name()) + ";" + Escape(middle_joined) + ";;",
             out);
  AppendLine("EMAIL;TYPE=work:" + std::string(person.email()), out);
  if (person.phone()) AppendLine("TEL;VALUE=text;TYPE=work,voice:" + Escape(*person.phone()), out);
  if (person.title()) AppendLine("TITLE:" + Escape(*person.title()), out);
  AppendLine("ORG:" + Escape(agency), out);
  AppendLine("UID:mailto:" + std::string(person.email()), out);
  AppendLine("END:VCARD", out);
}

std::string Csv(const readmodel::Snapshot& snapshot, const std::vector<std::uint32_t>& people) {
  std::string out = "\xEF\xBB\xBF";
  out += "uid,email,full_name,family_name,middle_names,given_name,title,agency_code,agency_name,phone\r\n";
  for (std::uint32_t index : people) {
    const readmodel::PersonEntry& p = *snapshot.people()[index];
    auto middle = p.MiddleNames();
    std::string middle_joined;
    for (const auto& m : middle) middle_joined += (middle_joined.empty() ? "" : " ") + m;
    for (std::string_view field :
         {std::string_view(p.uid()), std::string_view(p.email()), std::string_view(p.full_name()),
          std::string_view(p.family_name()), std::string_view(middle_joined), std::string_view(p.given_name()),
          p.title() ? std::string_view(*p.title()) : std::string_view(), std::string_view(p.agency_code()),
          snapshot.AgencyName(p.agency_code())}) {
      CsvField(field, out);
      out.push_back(',');
    }
    if (p.phone()) CsvField(*p.phone(), out);
    out.append("\r\n");
  }
  return out;
}

}  // namespace danhba::api::formats
