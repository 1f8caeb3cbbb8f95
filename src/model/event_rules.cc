#include "model/event_rules.h"

#include <vector>

namespace danhba::model::internal {
namespace {

constexpr Rule kRequired{Presence::kRequired};
constexpr Rule kOptional{Presence::kOptional};
constexpr Rule kClearable{Presence::kClearable};
constexpr Rule kNo{Presence::kNo};
constexpr Rule No(std::string_view hint) { return Rule{Presence::kNo, hint}; }

constexpr std::string_view kOnlyId = "only person.id";
constexpr std::string_view kCorrection = "a name correction is an update";
constexpr std::string_view kOnlyCode = "only agency.code";
constexpr std::string_view kCertificate = "a certificate comes with a hire or an update";

// clang-format off
// Columns: hire, transfer, update, leave.
constexpr PersonFieldRule kPersonFields[] = {
    {"new_address", [](const PersonFields& p) { return p.new_address; },
     {Rule{Presence::kNo, {}, "only an update may ask for a new address"},
      Rule{Presence::kNo, {}, "only an update may ask for a new address"},
      kOptional,
      Rule{Presence::kNo, {}, "only an update may ask for a new address"}}},
    // A hire's name is full_name or the structured parts (checked together later).
    {"full_name", [](const PersonFields& p) { return p.full_name.has_value(); },
     {Rule{Presence::kRequired, "or family_name and given_name"}, No(kCorrection), kOptional, No(kOnlyId)},
     [](const PersonFields& p) {
       return p.full_name || p.family_name || p.middle_names || p.given_name;
     }},
    {"family_name", [](const PersonFields& p) { return p.family_name.has_value(); },
     {kOptional, No(kCorrection), kOptional, No(kOnlyId)}},
    {"middle_names", [](const PersonFields& p) { return p.middle_names.has_value(); },
     {kOptional, No(kCorrection), kOptional, No(kOnlyId)}},
    {"given_name", [](const PersonFields& p) { return p.given_name.has_value(); },
     {kOptional, No(kCorrection), kOptional, No(kOnlyId)}},
    {"birth_date", [](const PersonFields& p) { return p.birth_date.has_value(); },
     {kOptional, No("a correction is an update"), kOptional, No(kOnlyId)}},
    {"title", [](const PersonFields& p) { return p.title.has_value(); },
     {kOptional, kClearable, kClearable, No(kOnlyId)}, nullptr,
     [](PersonFields& p) { if (p.title && !*p.title) p.title.reset(); }},
    {"phone", [](const PersonFields& p) { return p.phone.has_value(); },
     {kOptional, kClearable, kClearable, No(kOnlyId)}, nullptr,
     [](PersonFields& p) { if (p.phone && !*p.phone) p.phone.reset(); }},
    // R17: a person's S/MIME certificate (parsed and made canonical apart).
    {"certificate", [](const PersonFields& p) { return p.certificate.has_value(); },
     {kOptional, No(kCertificate), kClearable, No(kCertificate)}, nullptr,
     [](PersonFields& p) { if (p.certificate && !*p.certificate) p.certificate.reset(); }},
    {"agency", [](const PersonFields& p) { return p.agency.has_value(); },
     {kRequired, No("the new agency is to_agency"), No("a change of agency is a transfer"), No(kOnlyId)}},
};

// Columns: agency.create, agency.update, agency.merge, agency.dissolve, agency.head.
constexpr AgencyFieldRule kAgencyFields[] = {
    {"new_code", [](const AgencyFields& a) { return a.new_code.has_value(); },
     {No("a new code is an agency.update"), kOptional, No("a new code is an agency.update"),
      No("a new code is an agency.update"), No("a new code is an agency.update")}},
    {"name", [](const AgencyFields& a) { return a.name.has_value(); },
     {kRequired, kOptional, No(kOnlyCode), No(kOnlyCode), No("use agency.update")}},
    {"parent", [](const AgencyFields& a) { return a.parent.has_value(); },
     {kClearable, kClearable, No(kOnlyCode), No(kOnlyCode), No("use agency.update")}},
    {"head", [](const AgencyFields& a) { return a.head.has_value(); },
     {kOptional, No("use agency.head"), No(kOnlyCode), No(kOnlyCode), kRequired}},
    {"delegates", [](const AgencyFields& a) { return a.delegates.has_value(); },
     {No("use agency.head"), No("use agency.head"), No(kOnlyCode), No(kOnlyCode), kOptional}},
};

constexpr TypeRule kTypes[] = {
    {EventType::kHire, Subject::kPerson, Presence::kNo, Presence::kNo},
    {EventType::kTransfer, Subject::kPerson, Presence::kRequired, Presence::kNo},
    {EventType::kUpdate, Subject::kPerson, Presence::kNo, Presence::kNo,
     "full_name, family_name, middle_names, given_name, birth_date, title, phone, certificate, or ask for "
     "new_address"},
    {EventType::kLeave, Subject::kPerson, Presence::kNo, Presence::kNo},
    {EventType::kAgencyCreate, Subject::kAgency, Presence::kNo, Presence::kNo},
    {EventType::kAgencyUpdate, Subject::kAgency, Presence::kNo, Presence::kNo,
     "name, parent, new_code"},
    {EventType::kAgencyMerge, Subject::kAgency, Presence::kNo, Presence::kRequired},
    {EventType::kAgencyDissolve, Subject::kAgency, Presence::kNo, Presence::kNo},
    {EventType::kAgencyHead, Subject::kAgency, Presence::kNo, Presence::kNo},
};
// clang-format on

std::string Code(std::string_view path) { return "`" + std::string(path) + "`"; }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out.empty() ? "—" : out;
}

// Sorts one subject's fields of `type` into the table's columns.
template <class Rules>
void Columns(const Rules& rules, std::size_t column, std::string_view subject,
             std::vector<std::string>& required, std::vector<std::string>& optional,
             std::vector<std::string>& refused) {
  for (const auto& field : rules) {
    const Rule& rule = field.by_type[column];
    std::string path = Code(std::string(subject) + "." + std::string(field.name));
    switch (rule.presence) {
      case Presence::kRequired:
        if (!rule.hint.empty()) path += " (" + std::string(rule.hint) + ")";
        required.push_back(std::move(path));
        break;
      case Presence::kOptional:
        optional.push_back(std::move(path));
        break;
      case Presence::kClearable:
        optional.push_back(path + " (null clears)");
        break;
      case Presence::kNo:
        refused.push_back(std::move(path));
        break;
    }
  }
}

void TopLevel(Presence presence, std::string_view name, std::vector<std::string>& required,
              std::vector<std::string>& refused) {
  if (presence == Presence::kRequired) required.push_back(Code(name));
  if (presence == Presence::kNo) refused.push_back(Code(name));
}

}  // namespace

std::span<const PersonFieldRule> PersonFieldRules() { return kPersonFields; }
std::span<const AgencyFieldRule> AgencyFieldRules() { return kAgencyFields; }

const TypeRule& RulesOf(EventType type) {
  for (const TypeRule& rule : kTypes) {
    if (rule.type == type) return rule;
  }
  return kTypes[0];  // every EventType has a row
}

std::size_t ColumnOf(EventType type) {
  for (std::size_t i = 0; i < kPersonTypes.size(); ++i) {
    if (kPersonTypes[i] == type) return i;
  }
  for (std::size_t i = 0; i < kAgencyTypes.size(); ++i) {
    if (kAgencyTypes[i] == type) return i;
  }
  return 0;
}

std::string RenderEventFieldsTable() {
  std::string out =
      "| type | required | optional | not allowed |\n"
      "|---|---|---|---|\n";
  for (const TypeRule& type : kTypes) {
    std::vector<std::string> required;
    std::vector<std::string> optional;
    std::vector<std::string> refused;
    const std::size_t column = ColumnOf(type.type);
    if (type.subject == Subject::kPerson) {
      required = {Code("person"), Code("person.id")};
      refused.push_back(Code("agency"));
      Columns(kPersonFields, column, "person", required, optional, refused);
    } else {
      required = {Code("agency"), Code("agency.code")};
      refused.push_back(Code("person"));
      Columns(kAgencyFields, column, "agency", required, optional, refused);
    }
    TopLevel(type.to_agency, "to_agency", required, refused);
    TopLevel(type.into, "into", required, refused);
    std::string also;
    if (!type.at_least_one.empty()) {
      also = "; at least one of " + std::string(type.at_least_one);
    }
    out += "| `" + std::string(ToString(type.type)) + "` | " + Join(required) + " | " +
           Join(optional) + also + " | " + Join(refused) + " |\n";
  }
  return out;
}

}  // namespace danhba::model::internal
