#include "danhba/model/event.h"

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "danhba/model/fields.h"
#include "model/certificate_field.h"
#include "model/quote.h"

namespace danhba::model {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxProblems = 20;

struct TypeName {
  EventType type;
  std::string_view name;
};
constexpr std::array<TypeName, 9> kTypeNames{{
    {EventType::kHire, "hire"},
    {EventType::kTransfer, "transfer"},
    {EventType::kUpdate, "update"},
    {EventType::kLeave, "leave"},
    {EventType::kAgencyCreate, "agency.create"},
    {EventType::kAgencyUpdate, "agency.update"},
    {EventType::kAgencyMerge, "agency.merge"},
    {EventType::kAgencyDissolve, "agency.dissolve"},
    {EventType::kAgencyHead, "agency.head"},
}};

// "a hire", "an update", "an agency.merge": for "required for a transfer".
std::string WithArticle(EventType type) {
  const std::string_view name = ToString(type);
  const bool vowel = name.front() == 'a' || name.front() == 'u';
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

bool IsPersonEvent(EventType type) {
  return type == EventType::kHire || type == EventType::kTransfer || type == EventType::kUpdate ||
         type == EventType::kLeave;
}

std::string At(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out.push_back('.');
  out.append(key);
  return out;
}

std::string At(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string List(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const std::string_view name : names) {
    if (!out.empty()) out.append(", ");
    out.append(name);
  }
  return out;
}

// Problems of one event, each "<path>: <reason>".
class Problems {
 public:
  void Add(std::string_view path, std::string_view why) {
    if (list_.size() >= kMaxProblems) return;
    list_.push_back(std::string(path) + ": " + std::string(why));
  }
  void Add(std::string_view path, const Error& error) { Add(path, error.detail); }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  Error ToError() const {
    std::string detail;
    for (const std::string& item : list_) {
      if (!detail.empty()) detail.append("; ");
      detail.append(item);
    }
    return InvalidInput(std::move(detail));
  }

 private:
  std::vector<std::string> list_;
};

// ---------------------------------------------------------------------------
// JSON -> Event: shape, types and unknown fields. Values are taken as sent;
// CheckEvent below makes them canonical.

class Decoder {
 public:
  explicit Decoder(Problems& problems) : problems_(problems) {}

  // False (with a problem) when `value` is not an object.
  bool Object(const Json& value, std::string_view path) {
    if (value.is_object()) return true;
    problems_.Add(path, std::string("must be an object, not ") + TypeOf(value));
    return false;
  }

  void Keys(const Json& object, std::string_view path,
            std::initializer_list<std::string_view> allowed) {
    for (const auto& item : object.items()) {
      bool known = false;
      for (const std::string_view name : allowed) known = known || item.key() == name;
      if (!known) {
        problems_.Add(At(path, item.key()), "unknown field (expected " + List(allowed) + ")");
      }
    }
  }

  std::optional<std::string> String(const Json& object, std::string_view key, std::string_view path,
                                    bool required = false) {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (required) problems_.Add(At(path, key), "required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      problems_.Add(At(path, key), std::string("must be a string, not ") + TypeOf(*it));
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<bool> Bool(const Json& object, std::string_view key, std::string_view path) {
    const auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (!it->is_boolean()) {
      problems_.Add(At(path, key), std::string("must be true or false, not ") + TypeOf(*it));
      return std::nullopt;
    }
    return it->get<bool>();
  }

  Change<std::string> NullableString(const Json& object, std::string_view key,
                                     std::string_view path) {
    const auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) {
      problems_.Add(At(path, key), std::string("must be a string or null, not ") + TypeOf(*it));
      return std::nullopt;
    }
    return std::optional<std::string>(it->get<std::string>());
  }

  std::optional<Date> DateField(const Json& object, std::string_view key, std::string_view path,
                                bool required = false, bool null_is_absent = false) {
    if (null_is_absent) {
      if (const auto it = object.find(key); it != object.end() && it->is_null())
        return std::nullopt;
    }
    const auto text = String(object, key, path, required);
    if (!text) return std::nullopt;
    auto date = Date::Parse(*text);
    if (!date.ok()) {
      problems_.Add(At(path, key), date.error());
      return std::nullopt;
    }
    return *date;
  }

  std::optional<std::vector<std::string>> StringArray(const Json& object, std::string_view key,
                                                      std::string_view path) {
    const auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    const std::string where = At(path, key);
    if (!it->is_array()) {
      problems_.Add(where, std::string("must be an array of strings, not ") + TypeOf(*it));
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const Json& item = (*it)[i];
      if (!item.is_string()) {
        problems_.Add(At(where, i), std::string("must be a string, not ") + TypeOf(item));
        continue;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  static const char* TypeOf(const Json& value) {
    return value.is_number()    ? "a number"
           : value.is_boolean() ? "a boolean"
           : value.is_null()    ? "null"
           : value.is_array()   ? "an array"
           : value.is_object()  ? "an object"
           : value.is_string()  ? "a string"
                                : "another kind of value";
  }

 private:
  Problems& problems_;
};

std::optional<PersonFields> DecodePerson(const Json& event, std::string_view path, Decoder& in) {
  const auto it = event.find("person");
  if (it == event.end()) return std::nullopt;
  const std::string where = At(path, "person");
  if (!in.Object(*it, where)) return std::nullopt;
  const Json& j = *it;
  in.Keys(j, where,
          {"id", "full_name", "family_name", "middle_names", "given_name", "birth_date", "title",
           "phone", "agency", "new_address", "certificate"});
  PersonFields person;
  person.id = in.String(j, "id", where).value_or("");
  person.full_name = in.String(j, "full_name", where);
  person.family_name = in.String(j, "family_name", where);
  person.middle_names = in.StringArray(j, "middle_names", where);
  person.given_name = in.String(j, "given_name", where);
  person.birth_date = in.DateField(j, "birth_date", where);
  person.title = in.NullableString(j, "title", where);
  person.phone = in.NullableString(j, "phone", where);
  person.agency = in.String(j, "agency", where);
  person.new_address = in.Bool(j, "new_address", where).value_or(false);
  person.certificate = in.NullableString(j, "certificate", where);
  return person;
}

std::optional<AgencyFields> DecodeAgency(const Json& event, std::string_view path, Decoder& in) {
  const auto it = event.find("agency");
  if (it == event.end()) return std::nullopt;
  const std::string where = At(path, "agency");
  if (!in.Object(*it, where)) return std::nullopt;
  const Json& j = *it;
  in.Keys(j, where, {"code", "new_code", "name", "parent", "head", "delegates"});
  AgencyFields agency;
  agency.code = in.String(j, "code", where).value_or("");
  agency.new_code = in.String(j, "new_code", where);
  agency.name = in.String(j, "name", where);
  agency.parent = in.NullableString(j, "parent", where);
  agency.head = in.String(j, "head", where);
  agency.delegates = in.StringArray(j, "delegates", where);
  return agency;
}

void DecodeEvent(const Json& j, std::string_view path, Decoder& in, Problems& problems,
                 Event& event) {
  if (!in.Object(j, path.empty() ? "event" : path)) return;
  in.Keys(j, path,
          {"id", "type", "decision", "effective_date", "person", "agency", "to_agency", "into"});
  event.id = in.String(j, "id", path, true).value_or("");
  if (const auto type = in.String(j, "type", path, true)) {
    if (const auto known = ParseEventType(*type)) {
      event.type = *known;
    } else {
      std::string expected;
      for (const TypeName& t : kTypeNames) {
        if (!expected.empty()) expected.append(", ");
        expected.append(t.name);
      }
      problems.Add(At(path, "type"),
                   "unknown type " + internal::Quote(*type) + " (expected " + expected + ")");
    }
  }
  if (const auto it = j.find("decision"); it == j.end()) {
    problems.Add(At(path, "decision"), "required");
  } else if (const std::string where = At(path, "decision"); in.Object(*it, where)) {
    in.Keys(*it, where, {"number", "date", "issuer", "subject"});
    event.decision.number = in.String(*it, "number", where, true).value_or("");
    event.decision.date = in.DateField(*it, "date", where, true).value_or(Date());
    event.decision.issuer = in.String(*it, "issuer", where, true).value_or("");
    event.decision.subject = in.String(*it, "subject", where);
  }
  // null, like absent, means "at once".
  event.effective_date = in.DateField(j, "effective_date", path, false, true);
  event.person = DecodePerson(j, path, in);
  event.agency = DecodeAgency(j, path, in);
  event.to_agency = in.String(j, "to_agency", path);
  event.into = in.String(j, "into", path);
}

// ---------------------------------------------------------------------------
// Event -> canonical Event: formats, limits, clean-up, and what each type takes.

class Checker {
 public:
  Checker(Problems& problems, EventType type) : problems_(problems), type_(type) {}

  void Text(std::string& value, std::string_view path, std::size_t max_length) {
    auto normal = NormalizeText(value, max_length);
    if (normal.ok()) {
      value = std::move(normal).value();
    } else {
      problems_.Add(path, normal.error());
    }
  }

  void Name(std::string& value, std::string_view path, std::size_t max_length) {
    auto normal = NormalizeName(value, max_length);
    if (normal.ok()) {
      value = std::move(normal).value();
    } else {
      problems_.Add(path, normal.error());
    }
  }

  void Id(const std::string& value, std::string_view path) {
    if (value.empty()) {
      problems_.Add(path, "required");
    } else if (Status s = CheckId(value); !s.ok()) {
      problems_.Add(path, s.error());
    }
  }

  void Code(const std::string& value, std::string_view path) {
    if (value.empty()) {
      problems_.Add(path, "required");
    } else if (Status s = CheckAgencyCode(value); !s.ok()) {
      problems_.Add(path, s.error());
    }
  }

  void Phone(std::string& value, std::string_view path) {
    auto normal = NormalizeText(value, kMaxPhoneLength);
    if (!normal.ok()) {
      problems_.Add(path, normal.error());
      return;
    }
    if (Status s = CheckPhone(*normal); !s.ok()) {
      problems_.Add(path, s.error());
      return;
    }
    value = std::move(normal).value();
  }

  template <class T>
  void Required(const std::optional<T>& field, std::string_view path) {
    if (!field) problems_.Add(path, "required for " + WithArticle(type_));
  }

  template <class T>
  void Forbidden(const std::optional<T>& field, std::string_view path, std::string_view hint = {}) {
    if (!field) return;
    std::string why = "not allowed for " + WithArticle(type_);
    if (!hint.empty()) why.append(" (").append(hint).append(")");
    problems_.Add(path, why);
  }

  void Add(std::string_view path, std::string_view why) { problems_.Add(path, why); }
  std::size_t count() const { return problems_.size(); }

 private:
  Problems& problems_;
  EventType type_;
};

void CheckNames(PersonFields& person, std::string_view path, Checker& check) {
  const bool structured = person.family_name || person.middle_names || person.given_name;
  const std::size_t problems_before = check.count();
  if (person.full_name) check.Name(*person.full_name, At(path, "full_name"), kMaxFullNameLength);
  if (!structured) return;
  if (person.family_name) {
    check.Name(*person.family_name, At(path, "family_name"), kMaxNamePartLength);
  } else {
    check.Add(At(path, "family_name"), "required with given_name and middle_names");
  }
  if (person.given_name) {
    check.Name(*person.given_name, At(path, "given_name"), kMaxNamePartLength);
  } else {
    check.Add(At(path, "given_name"), "required with family_name and middle_names");
  }
  if (person.middle_names) {
    const std::string where = At(path, "middle_names");
    if (person.middle_names->size() > kMaxMiddleNames) {
      check.Add(where, "has more than " + std::to_string(kMaxMiddleNames) + " names");
    }
    for (std::size_t i = 0; i < person.middle_names->size(); ++i) {
      check.Name((*person.middle_names)[i], At(where, i), kMaxNamePartLength);
    }
  }
  // Comparing or joining parts that are themselves wrong would only add noise.
  if (check.count() != problems_before) return;
  std::string joined = *person.family_name;
  if (person.middle_names) {
    for (const std::string& middle : *person.middle_names) joined.append(" ").append(middle);
  }
  joined.append(" ").append(*person.given_name);
  if (!person.full_name) {
    if (internal::CountChars(joined) > kMaxFullNameLength) {
      check.Add(At(path, "full_name"), "the joined name is longer than " +
                                           std::to_string(kMaxFullNameLength) + " characters");
    }
    person.full_name = std::move(joined);
  } else if (*person.full_name != joined) {
    check.Add(At(path, "full_name"),
              internal::Quote(*person.full_name) +
                  " does not match family_name, middle_names and given_name (" +
                  internal::Quote(joined) + ")");
  }
}

void ForbidNames(const PersonFields& person, std::string_view path, Checker& check,
                 std::string_view hint) {
  check.Forbidden(person.full_name, At(path, "full_name"), hint);
  check.Forbidden(person.family_name, At(path, "family_name"), hint);
  check.Forbidden(person.middle_names, At(path, "middle_names"), hint);
  check.Forbidden(person.given_name, At(path, "given_name"), hint);
}

void CheckPerson(Event& event, std::string_view path, Checker& check) {
  PersonFields& person = *event.person;
  const bool has_name =
      person.full_name || person.family_name || person.middle_names || person.given_name;
  check.Id(person.id, At(path, "id"));
  if (person.new_address && event.type != EventType::kUpdate) {
    check.Add(At(path, "new_address"), "only an update may ask for a new address");
  }
  switch (event.type) {
    case EventType::kHire:
      if (!has_name) {
        check.Add(At(path, "full_name"), "required for a hire (or family_name and given_name)");
      }
      check.Required(person.agency, At(path, "agency"));
      // Nothing to clear in a new record: null is the same as absent.
      if (person.title && !*person.title) person.title.reset();
      if (person.phone && !*person.phone) person.phone.reset();
      break;
    case EventType::kTransfer:
      ForbidNames(person, path, check, "a name correction is an update");
      check.Forbidden(person.birth_date, At(path, "birth_date"), "a correction is an update");
      check.Forbidden(person.agency, At(path, "agency"), "the new agency is to_agency");
      break;
    case EventType::kUpdate:
      check.Forbidden(person.agency, At(path, "agency"), "a change of agency is a transfer");
      // Said only when nothing else was wrong with the fields given.
      if (!person.agency && !has_name && !person.birth_date && !person.title && !person.phone &&
          !person.new_address && !person.certificate) {
        check.Add(path,
                  "an update must change at least one of full_name, family_name, "
                  "middle_names, given_name, birth_date, title, phone, certificate, or ask for "
                  "new_address");
      }
      break;
    case EventType::kLeave:
      ForbidNames(person, path, check, "only person.id");
      check.Forbidden(person.birth_date, At(path, "birth_date"), "only person.id");
      check.Forbidden(person.title, At(path, "title"), "only person.id");
      check.Forbidden(person.phone, At(path, "phone"), "only person.id");
      check.Forbidden(person.agency, At(path, "agency"), "only person.id");
      break;
    default:
      break;
  }
  CheckNames(person, path, check);
  if (person.birth_date) {
    const Date birth = *person.birth_date;
    if (birth < Date::FromYmd(1900, 1, 1).value()) {
      check.Add(At(path, "birth_date"), birth.ToString() + " is before 1900-01-01");
    } else if (birth > event.decision.date) {
      check.Add(At(path, "birth_date"),
                birth.ToString() + " is after the decision date " + event.decision.date.ToString());
    }
  }
  if (person.title && *person.title) check.Text(**person.title, At(path, "title"), kMaxTextLength);
  if (person.phone && *person.phone) check.Phone(**person.phone, At(path, "phone"));
  if (person.agency) check.Code(*person.agency, At(path, "agency"));
  if (auto why = internal::CheckCertificateField(person.certificate, event.type))
    check.Add(At(path, "certificate"), *why);
}

void CheckAgency(Event& event, std::string_view path, Checker& check) {
  AgencyFields& agency = *event.agency;
  check.Code(agency.code, At(path, "code"));
  if (agency.new_code) {
    if (agency.new_code->empty()) {
      check.Add(At(path, "new_code"), "must not be empty");
    } else {
      check.Code(*agency.new_code, At(path, "new_code"));
    }
    if (*agency.new_code == agency.code) {
      check.Add(At(path, "new_code"), "is the same as agency.code");
    }
  }
  if (agency.name) check.Text(*agency.name, At(path, "name"), kMaxTextLength);
  if (agency.parent && *agency.parent) {
    check.Code(**agency.parent, At(path, "parent"));
    if (**agency.parent == agency.code ||
        (agency.new_code && **agency.parent == *agency.new_code)) {
      check.Add(At(path, "parent"), "an agency cannot be its own parent");
    }
  }
  if (agency.head) check.Id(*agency.head, At(path, "head"));
  if (agency.delegates) {
    const std::string where = At(path, "delegates");
    if (agency.delegates->size() > kMaxDelegates) {
      check.Add(where, "has more than " + std::to_string(kMaxDelegates) + " people");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < agency.delegates->size(); ++i) {
      const std::string& id = (*agency.delegates)[i];
      check.Id(id, At(where, i));
      if (!seen.insert(id).second)
        check.Add(At(where, i), internal::Quote(id) + " is listed twice");
    }
  }
  if (event.type != EventType::kAgencyUpdate) {
    check.Forbidden(agency.new_code, At(path, "new_code"), "a new code is an agency.update");
  }
  switch (event.type) {
    case EventType::kAgencyCreate:
      check.Required(agency.name, At(path, "name"));
      check.Forbidden(agency.delegates, At(path, "delegates"), "use agency.head");
      break;
    case EventType::kAgencyUpdate:
      check.Forbidden(agency.head, At(path, "head"), "use agency.head");
      check.Forbidden(agency.delegates, At(path, "delegates"), "use agency.head");
      if (!agency.head && !agency.delegates && !agency.name && !agency.parent && !agency.new_code) {
        check.Add(path, "an agency.update must change at least one of name, parent, new_code");
      }
      break;
    case EventType::kAgencyMerge:
    case EventType::kAgencyDissolve:
      check.Forbidden(agency.name, At(path, "name"), "only agency.code");
      check.Forbidden(agency.parent, At(path, "parent"), "only agency.code");
      check.Forbidden(agency.head, At(path, "head"), "only agency.code");
      check.Forbidden(agency.delegates, At(path, "delegates"), "only agency.code");
      break;
    case EventType::kAgencyHead:
      check.Required(agency.head, At(path, "head"));
      check.Forbidden(agency.name, At(path, "name"), "use agency.update");
      check.Forbidden(agency.parent, At(path, "parent"), "use agency.update");
      break;
    default:
      break;
  }
}

void CheckEvent(Event& event, std::string_view path, Problems& problems) {
  Checker check(problems, event.type);
  check.Id(event.id, At(path, "id"));
  const std::string decision = At(path, "decision");
  check.Text(event.decision.number, At(decision, "number"), kMaxDecisionNumberLength);
  check.Text(event.decision.issuer, At(decision, "issuer"), kMaxTextLength);
  if (event.decision.subject) {
    check.Text(*event.decision.subject, At(decision, "subject"), kMaxSubjectLength);
  }
  if (IsPersonEvent(event.type)) {
    check.Required(event.person, At(path, "person"));
    check.Forbidden(event.agency, At(path, "agency"));
    check.Forbidden(event.into, At(path, "into"));
    if (event.type == EventType::kTransfer) {
      check.Required(event.to_agency, At(path, "to_agency"));
    } else {
      check.Forbidden(event.to_agency, At(path, "to_agency"));
    }
    if (event.person) CheckPerson(event, At(path, "person"), check);
  } else {
    check.Required(event.agency, At(path, "agency"));
    check.Forbidden(event.person, At(path, "person"));
    check.Forbidden(event.to_agency, At(path, "to_agency"));
    if (event.type == EventType::kAgencyMerge) {
      check.Required(event.into, At(path, "into"));
    } else {
      check.Forbidden(event.into, At(path, "into"));
    }
    if (event.agency) CheckAgency(event, At(path, "agency"), check);
  }
  if (event.to_agency) check.Code(*event.to_agency, At(path, "to_agency"));
  if (event.into) {
    check.Code(*event.into, At(path, "into"));
    if (event.agency && *event.into == event.agency->code) {
      check.Add(At(path, "into"), "an agency cannot be merged into itself");
    }
  }
}

// What a stored event needs to be applied at all, whatever the rules of the
// day: the parts its type acts on. Formats and limits are not looked at.
void CheckStoredShape(const Event& event, Problems& problems) {
  Checker check(problems, event.type);
  if (IsPersonEvent(event.type)) {
    check.Required(event.person, "person");
    if (event.type == EventType::kTransfer) check.Required(event.to_agency, "to_agency");
    if (event.type == EventType::kHire && event.person) {
      const PersonFields& p = *event.person;
      check.Required(p.agency, "person.agency");
      if (!p.full_name && !(p.family_name && p.given_name)) {
        check.Add("person.full_name", "required for a hire (or family_name and given_name)");
      }
    }
    return;
  }
  check.Required(event.agency, "agency");
  if (!event.agency) return;
  switch (event.type) {
    case EventType::kAgencyCreate:
      check.Required(event.agency->name, "agency.name");
      break;
    case EventType::kAgencyMerge:
      check.Required(event.into, "into");
      break;
    case EventType::kAgencyHead:
      check.Required(event.agency->head, "agency.head");
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------
// Body parsing: JSON syntax, nesting depth, and duplicate keys (which the JSON
// library would otherwise resolve silently, last one wins).

struct TooDeep {};

class KeyTracker {
 public:
  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        frames_.push_back({event == Json::parse_event_t::array_start, 0, {}, {}});
        if (frames_.size() > kMaxDepth) throw TooDeep{};
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        Completed();
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          const std::size_t element =
              frames_.front().is_array && frames_.size() > 1 ? frames_.front().index : 0;
          duplicates_.emplace(element, Path());
        }
        break;
      }
      case Json::parse_event_t::value:
        Completed();
        break;
    }
    return true;
  }

  // The first duplicated key of each top-level element (0 for a single object).
  const std::map<std::size_t, std::string>& duplicates() const { return duplicates_; }

 private:
  struct Frame {
    bool is_array;
    std::size_t index;
    std::set<std::string> keys;
    std::string key;
  };

  void Completed() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  std::string Path() const {
    std::string out;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.is_array) {
        out = At(i == 0 ? "events" : out, f.index);
      } else {
        out = At(out, f.key);
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::map<std::size_t, std::string> duplicates_;
};

struct ParsedJson {
  Json value;
  std::map<std::size_t, std::string> duplicates;
};

Result<ParsedJson> ParseBody(std::string_view body) {
  KeyTracker tracker;
  ParsedJson out;
  try {
    out.value = Json::parse(body.begin(), body.end(), std::ref(tracker));
  } catch (const Json::parse_error& e) {
    std::string_view what = e.what();
    if (const auto pos = what.find("] "); pos != std::string_view::npos) {
      what.remove_prefix(pos + 2);
    }
    return InvalidInput("body: invalid JSON: " + std::string(what));
  } catch (const Json::exception& e) {
    return InvalidInput("body: invalid JSON: " + std::string(e.what()));
  } catch (const TooDeep&) {
    return InvalidInput("body: nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  out.duplicates = tracker.duplicates();
  return out;
}

ParsedEvent DecodeElement(const Json& element, std::string_view path,
                          const std::string* duplicate) {
  Problems problems;
  Decoder in(problems);
  Event event;
  std::string id;
  if (element.is_object()) {
    if (const auto it = element.find("id");
        it != element.end() && it->is_string() && CheckId(it->get<std::string>()).ok()) {
      id = it->get<std::string>();
    }
  }
  if (duplicate) problems.Add(*duplicate, "given more than once");
  DecodeEvent(element, path, in, problems, event);
  if (problems.empty()) CheckEvent(event, path, problems);
  if (!problems.empty()) return {std::move(id), problems.ToError()};
  return {std::move(id), std::move(event)};
}

OrderedJson StringsJson(const std::vector<std::string>& values) {
  OrderedJson out = OrderedJson::array();
  for (const std::string& v : values) out.push_back(v);
  return out;
}

template <class T>
void PutChange(OrderedJson& out, const char* key, const Change<T>& change) {
  if (!change) return;
  if (*change) {
    out[key] = **change;
  } else {
    out[key] = nullptr;
  }
}

}  // namespace

std::string_view ToString(EventType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

Result<Event> CanonicalizeEvent(Event event) {
  Problems problems;
  CheckEvent(event, "", problems);
  if (!problems.empty()) return problems.ToError();
  return event;
}

Result<Event> ParseEvent(std::string_view json) {
  auto body = ParseBody(json);
  if (!body.ok()) return body.take_error();
  if (!body->value.is_object()) {
    return InvalidInput(std::string("body: must be an event object, not ") +
                        Decoder::TypeOf(body->value));
  }
  const auto dup = body->duplicates.find(0);
  return DecodeElement(body->value, "", dup == body->duplicates.end() ? nullptr : &dup->second)
      .event;
}

Result<Event> ParseStoredEvent(std::string_view json) {
  auto body = ParseBody(json);
  if (!body.ok()) return body.take_error();
  Problems problems;
  Decoder in(problems);
  Event event;
  if (!body->duplicates.empty())
    problems.Add(body->duplicates.begin()->second, "given more than once");
  DecodeEvent(body->value, "", in, problems, event);
  if (problems.empty()) CheckStoredShape(event, problems);
  if (!problems.empty()) return problems.ToError();
  return event;
}

Result<ParsedBatch> ParseEvents(std::string_view body_text) {
  auto body = ParseBody(body_text);
  if (!body.ok()) return body.take_error();
  const Json& value = body->value;
  auto duplicate = [&](std::size_t i) {
    const auto it = body->duplicates.find(i);
    return it == body->duplicates.end() ? nullptr : &it->second;
  };
  ParsedBatch batch;
  if (value.is_object()) {
    batch.events.push_back(DecodeElement(value, "", duplicate(0)));
    return batch;
  }
  if (!value.is_array()) {
    return InvalidInput(std::string("body: must be an event object or an array of them, not ") +
                        Decoder::TypeOf(value));
  }
  if (value.empty()) return InvalidInput("body: the array has no events");
  if (value.size() > kMaxEventsPerBatch) {
    return InvalidInput("body: " + std::to_string(value.size()) + " events, more than the " +
                        std::to_string(kMaxEventsPerBatch) + " allowed in one request");
  }
  batch.was_array = true;
  batch.events.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    batch.events.push_back(DecodeElement(value[i], At("events", i), duplicate(i)));
  }
  return batch;
}

std::string ToJson(const Event& event) {
  OrderedJson j;
  j["id"] = event.id;
  j["type"] = ToString(event.type);
  OrderedJson decision;
  decision["number"] = event.decision.number;
  decision["date"] = event.decision.date.ToString();
  decision["issuer"] = event.decision.issuer;
  if (event.decision.subject) decision["subject"] = *event.decision.subject;
  j["decision"] = std::move(decision);
  if (event.effective_date) j["effective_date"] = event.effective_date->ToString();
  if (event.person) {
    const PersonFields& p = *event.person;
    OrderedJson person;
    person["id"] = p.id;
    if (p.full_name) person["full_name"] = *p.full_name;
    if (p.family_name) person["family_name"] = *p.family_name;
    if (p.middle_names) person["middle_names"] = StringsJson(*p.middle_names);
    if (p.given_name) person["given_name"] = *p.given_name;
    if (p.birth_date) person["birth_date"] = p.birth_date->ToString();
    PutChange(person, "title", p.title);
    PutChange(person, "phone", p.phone);
    if (p.agency) person["agency"] = *p.agency;
    if (p.new_address) person["new_address"] = true;
    PutChange(person, "certificate", p.certificate);
    j["person"] = std::move(person);
  }
  if (event.agency) {
    const AgencyFields& a = *event.agency;
    OrderedJson agency;
    agency["code"] = a.code;
    if (a.new_code) agency["new_code"] = *a.new_code;
    if (a.name) agency["name"] = *a.name;
    PutChange(agency, "parent", a.parent);
    if (a.head) agency["head"] = *a.head;
    if (a.delegates) agency["delegates"] = StringsJson(*a.delegates);
    j["agency"] = std::move(agency);
  }
  if (event.to_agency) j["to_agency"] = *event.to_agency;
  if (event.into) j["into"] = *event.into;
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace danhba::model
