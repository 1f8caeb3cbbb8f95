#include "province.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "danhba/model/staff_list.h"
#include "danhba/naming/address.h"
#include "danhba/naming/allocation.h"
#include "danhba/text/text.h"

namespace danhba::province {
namespace {

using Json = nlohmann::ordered_json;

struct Weighted {
  std::vector<std::string> values;
  std::vector<double> cumulative;

  void Add(std::string value, double weight) {
    values.push_back(std::move(value));
    cumulative.push_back((cumulative.empty() ? 0.0 : cumulative.back()) + weight);
  }
  // A draw from our own arithmetic on the engine's raw output, so the same seed
  // gives the same province with any standard library.
  const std::string& Pick(std::mt19937_64& rng) const {
    double x = static_cast<double>(rng() >> 11) * 0x1.0p-53 * cumulative.back();
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
    return values[std::min<std::size_t>(it - cumulative.begin(), values.size() - 1)];
  }
};

constexpr std::size_t kHiresPerFile = 500;

std::uint64_t Below(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::vector<model::TableRow>> ReadTable(const std::filesystem::path& path,
                                               std::size_t columns) {
  auto bytes = ReadFile(path);
  if (!bytes) return bytes.take_error();
  auto table = model::ReadCsv(*bytes);
  if (!table) return InvalidInput(path.string() + ": " + table.error().detail);
  if (!table->errors.empty()) {
    return InvalidInput(path.string() + ":" + std::to_string(table->errors[0].line) + ": " +
                        table->errors[0].reason);
  }
  std::vector<model::TableRow> rows;
  for (auto& row : table->rows) {
    if (row.line == 1) continue;  // header
    if (row.cells.size() < columns) {
      return InvalidInput(path.string() + ":" + std::to_string(row.line) + ": expected " +
                          std::to_string(columns) + " columns");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// "merged into skhcn on 2025-03-01 (historic)", "became sdttg on ..." -> the successor.
std::string Successor(const std::string& note) {
  for (const std::string prefix : {"merged into ", "became "}) {
    auto at = note.find(prefix);
    if (at == std::string::npos) continue;
    auto start = at + prefix.size();
    return note.substr(start, note.find(' ', start) - start);
  }
  return {};
}

const std::vector<std::pair<std::string, double>> kTitles = {
    {"Chuyên viên", 60},     {"Chuyên viên chính", 12},
    {"Phó Trưởng phòng", 9}, {"Trưởng phòng", 5},
    {"Kế toán", 4},          {"Văn thư", 4},
    {"Cán sự", 4},           {"Phó Giám đốc", 1.5},
    {"Thanh tra viên", 1.5}};

int AgencyWeight(const std::string& kind) {
  if (kind == "department" || kind == "office") return 12;
  if (kind == "board") return 6;
  if (kind == "province") return 3;
  return 2;  // ward, commune
}

std::string Pad(std::uint64_t n, int width) {
  std::string digits = std::to_string(n);
  return std::string(width > static_cast<int>(digits.size()) ? width - digits.size() : 0, '0') +
         digits;
}

Json Decision(const std::string& number, const std::string& date, const std::string& issuer) {
  return Json{{"number", number}, {"date", date}, {"issuer", issuer}};
}

Status WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Internal(path.string() + ": cannot write");
  return Ok();
}

}  // namespace

Result<Province> Generate(const Options& options) {
  auto agency_rows = ReadTable(options.shared_dir / "data/dongnai-agencies.csv", 5);
  if (!agency_rows) return agency_rows.take_error();
  auto name_rows = ReadTable(options.shared_dir / "data/vietnamese-names.csv", 3);
  if (!name_rows) return name_rows.take_error();

  Province province;
  std::vector<AgencyRow> historic;
  for (const auto& row : *agency_rows) {
    AgencyRow agency{row.cells[0], row.cells[1], row.cells[2], row.cells[3],
                     Successor(row.cells[4])};
    (agency.merged_into.empty() ? province.agencies : historic).push_back(std::move(agency));
  }
  // The file lists parents first; historic agencies go last so that their
  // successors exist when they are merged.
  province.agencies.insert(province.agencies.end(), historic.begin(), historic.end());

  std::map<std::string, Weighted> names;
  for (const auto& row : *name_rows) names[row.cells[0]].Add(row.cells[1], std::stod(row.cells[2]));
  for (const char* kind : {"family", "middle_m", "middle_f", "given_m", "given_f"}) {
    if (names[kind].values.empty()) {
      return InvalidInput(std::string("vietnamese-names.csv: no rows of kind ") + kind);
    }
  }
  Weighted titles;
  for (const auto& [title, weight] : kTitles) titles.Add(title, weight);
  Weighted agencies;
  for (const auto& agency : province.agencies) {
    if (agency.merged_into.empty()) agencies.Add(agency.code, AgencyWeight(agency.kind));
  }

  std::mt19937_64 rng(options.seed);
  province.people.reserve(options.people);
  for (std::size_t i = 0; i < options.people; ++i) {
    bool female = Below(rng, 2) == 1;
    std::string full = names["family"].Pick(rng);
    // Most people have one middle name; some two (Thị Ngọc), a few none.
    auto middles = Below(rng, 100);
    int middle_count = middles < 8 ? 0 : (middles < 85 ? 1 : 2);
    const Weighted& middle_names = names[female ? "middle_f" : "middle_m"];
    const std::string common = female ? "Thị" : "Văn";
    if (middle_count == 1) full += " " + middle_names.Pick(rng);
    if (middle_count == 2) {
      // Two middle names read "Thị Ngọc", "Văn Minh": the common one first.
      std::string second = middle_names.Pick(rng);
      while (second == common) second = middle_names.Pick(rng);
      full += " " + common + " " + second;
    }
    full += " " + names[female ? "given_f" : "given_m"].Pick(rng);
    int year = 1965 + static_cast<int>(Below(rng, 36));
    int month = 1 + static_cast<int>(Below(rng, 12));
    int day = 1 + static_cast<int>(Below(rng, 28));
    PersonRow person;
    person.id = "CB" + Pad(i + 1, 6);
    person.full_name = std::move(full);
    person.birth_date = std::to_string(year) + "-" + Pad(month, 2) + "-" + Pad(day, 2);
    person.title = titles.Pick(rng);
    person.phone = "0251 3" + Pad(Below(rng, 1000), 3) + " " + Pad(Below(rng, 1000), 3);
    person.agency = agencies.Pick(rng);
    province.people.push_back(std::move(person));
  }
  return province;
}

Status WriteIntake(const Province& province, const std::filesystem::path& out) {
  std::error_code ec;
  std::filesystem::create_directories(out / "staff", ec);
  if (ec) return Internal((out / "staff").string() + ": " + ec.message());

  const Json founding = Decision("45/2025/NĐ-CP", "2025-02-28", "Chính phủ");
  Json agency_events = Json::array();
  for (const auto& agency : province.agencies) {
    Json fields{{"code", agency.code}, {"name", agency.name}};
    fields["parent"] = agency.parent.empty() ? Json(nullptr) : Json(agency.parent);
    agency_events.push_back(Json{{"id", "sample-agency-" + agency.code},
                                 {"type", "agency.create"},
                                 {"decision", founding},
                                 {"agency", fields}});
  }
  for (const auto& agency : province.agencies) {
    if (agency.merged_into.empty()) continue;
    agency_events.push_back(Json{{"id", "sample-merge-" + agency.code},
                                 {"type", "agency.merge"},
                                 {"decision", founding},
                                 {"agency", Json{{"code", agency.code}}},
                                 {"into", agency.merged_into}});
  }
  DANHBA_RETURN_IF_ERROR(WriteText(out / "agencies.json", agency_events.dump(2) + "\n"));

  std::map<std::string, std::string> staff_lists;
  Json hires = Json::array();
  for (const auto& person : province.people) {
    std::string& csv = staff_lists[person.agency];
    if (csv.empty()) csv = "Mã cán bộ,Họ và tên,Ngày sinh,Chức vụ,Điện thoại\n";
    // dd/mm/yyyy, as Vietnamese staff lists write dates.
    std::string dmy = person.birth_date.substr(8, 2) + "/" + person.birth_date.substr(5, 2) + "/" +
                      person.birth_date.substr(0, 4);
    csv += person.id + "," + person.full_name + "," + dmy + "," + person.title + "," +
           person.phone + "\n";
    hires.push_back(
        Json{{"id", "sample-hire-" + person.id},
             {"type", "hire"},
             {"decision", Decision("TD-" + person.id + "/QĐ-SNV", "2025-06-30", "Sở Nội vụ")},
             {"person", Json{{"id", person.id},
                             {"full_name", person.full_name},
                             {"birth_date", person.birth_date},
                             {"title", person.title},
                             {"phone", person.phone},
                             {"agency", person.agency}}}});
  }
  for (const auto& [code, csv] : staff_lists) {
    DANHBA_RETURN_IF_ERROR(WriteText(out / "staff" / (code + ".csv"), csv));
  }
  // The same hires in files of kHiresPerFile, small enough for one ingest request each.
  std::filesystem::create_directories(out / "hires", ec);
  if (ec) return Internal((out / "hires").string() + ": " + ec.message());
  for (std::size_t start = 0, file = 1; start < hires.size(); start += kHiresPerFile, ++file) {
    Json chunk = Json::array();
    for (std::size_t i = start; i < std::min(hires.size(), start + kHiresPerFile); ++i) {
      chunk.push_back(hires[i]);
    }
    DANHBA_RETURN_IF_ERROR(
        WriteText(out / "hires" / (Pad(file, 4) + ".json"), chunk.dump() + "\n"));
  }
  return WriteText(out / "hires.json", hires.dump() + "\n");
}

Status WriteLdif(const Province& province, const std::string& base_dn, const std::string& domain,
                 const std::filesystem::path& file) {
  auto allocator = naming::Allocator::Create(naming::NamingPolicy{});
  if (!allocator) return allocator.take_error();
  std::set<std::string> taken;
  std::map<std::string, std::string> agency_names;
  std::ostringstream ldif;
  for (const auto& agency : province.agencies) {
    taken.insert(agency.code);
    agency_names[agency.code] = agency.name;
    ldif << "dn: ou=" << agency.code << ",ou=agencies," << base_dn << "\n"
         << "objectClass: organizationalUnit\nobjectClass: danhbaAgency\n"
         << "ou: " << agency.code << "\ndanhbaAgencyCode: " << agency.code << "\n"
         << "displayName: " << agency.name << "\nmail: " << agency.code << "@" << domain << "\n\n";
  }
  // Written as danhba writes a staff list: the decision entry after each batch
  // of 64 people (engine batch_size), every person with its initial password.
  constexpr std::size_t kBatch = 64;
  std::mt19937_64 random(0x64616e6862615eULL);
  const std::string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::vector<std::string> subjects;
  std::string decision_dn;
  auto write_decision = [&] {
    if (subjects.empty()) return;
    const std::string event_id = decision_dn.substr(18, decision_dn.find(',') - 18);
    ldif << decision_dn << "\nobjectClass: top\nobjectClass: danhbaDecision\n"
         << "danhbaEventId: " << event_id << "\ncn: 1/QĐ-SNV\ndanhbaDecisionNumber: 1/QĐ-SNV\n"
         << "danhbaDecisionDate: 20261120000000Z\ndanhbaDecisionIssuer: Sở Nội vụ\n"
         << "danhbaDecisionType: hire\n";
    for (const auto& subject : subjects) ldif << "danhbaSubjectDN: " << subject << "\n";
    ldif << "\n";
    subjects.clear();
  };
  std::size_t n = 0;
  for (const auto& person : province.people) {
    if (n++ % kBatch == 0) {
      write_decision();
      decision_dn = "dn: danhbaEventId=import-" + person.id + ",ou=decisions," + base_dn;
    }
    auto named = naming::AddressFor(person.full_name);
    if (!named) return InvalidInput(person.id + ": " + named.error().detail);
    auto allocation = allocator->Allocate(
        naming::AllocationRequest{named->local_part.value, std::nullopt, person.agency, ""},
        [&](std::string_view candidate) { return taken.count(std::string(candidate)) > 0; });
    if (!allocation) return allocation.take_error();
    const std::string& uid = allocation->local_part;
    taken.insert(uid);
    const auto& name = named->name;
    ldif << "dn: uid=" << uid << ",ou=people," << base_dn << "\n"
         << "objectClass: inetOrgPerson\nobjectClass: danhbaPerson\n"
         << "uid: " << uid << "\ncn: " << person.full_name << "\n";
    // The folded name as a second cn, as danhba stores it, unless it differs only in case.
    std::string folded = text::FoldForSearch(person.full_name);
    std::string lower = person.full_name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (folded != lower) ldif << "cn: " << folded << "\n";
    auto with_fold = [&](const char* attribute, const std::string& value) {
      ldif << attribute << ": " << value << "\n";
      std::string folded_value = text::FoldForSearch(value);
      std::string lower_value = value;
      std::transform(lower_value.begin(), lower_value.end(), lower_value.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (!folded_value.empty() && folded_value != lower_value)
        ldif << attribute << ": " << folded_value << "\n";
    };
    // And the name with the given name first, as danhba stores it.
    const std::size_t rest = name.full_name.size() - std::min(name.full_name.size(), name.given_name.size() + 1);
    if (!name.given_name.empty() && rest > 0 && name.full_name[rest] == ' ' &&
        name.full_name.compare(rest + 1, std::string::npos, name.given_name) == 0) {
      with_fold("cn", name.given_name + " " + name.full_name.substr(0, rest));
    }
    with_fold("sn", name.family_name);
    with_fold("givenName", name.given_name);
    std::string password(16, ' ');
    for (char& c : password) c = alphabet[random() % alphabet.size()];
    ldif << "userPassword: " << password << "\npwdReset: TRUE\n"
         << "danhbaDecisionDN: " << decision_dn.substr(4) << "\ndanhbaEventId: import-" << person.id
         << "\n";
    subjects.push_back("uid=" + uid + ",ou=people," + base_dn);
    ldif << "displayName: " << person.full_name << "\nmail: " << uid << "@" << domain
         << "\ntitle: " << person.title << "\ntelephoneNumber: " << person.phone
         << "\nou: " << agency_names[person.agency] << "\ndepartmentNumber: " << person.agency
         << "\no: Ủy ban nhân dân tỉnh Đồng Nai\ndanhbaPersonId: " << person.id
         << "\ndanhbaStatus: active"
         << "\ndanhbaAgencyDN: ou=" << person.agency << ",ou=agencies," << base_dn
         << "\ndanhbaBirthDate: " << person.birth_date.substr(0, 4)
         << person.birth_date.substr(5, 2) << person.birth_date.substr(8, 2) << "000000Z\n\n";
  }
  write_decision();
  return WriteText(file, ldif.str());
}

}  // namespace danhba::province
