// Event validation: formats, limits and clean-up here, what each type takes
// from the table of event_rules.h. The JSON form is event_json.cc.
#include "danhba/model/event.h"

#include <array>
#include <set>

#include "danhba/model/fields.h"
#include "model/certificate_field.h"
#include "model/event_check.h"
#include "model/event_rules.h"
#include "model/quote.h"

namespace danhba::model {
namespace {

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

}  // namespace

namespace internal {

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

namespace {

// "a hire", "an update", "an agency.merge": for "required for a transfer".
std::string WithArticle(EventType type) {
  const std::string_view name = ToString(type);
  const bool vowel = name.front() == 'a' || name.front() == 'u';
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

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
    if (!field) Missing(path, {});
  }

  // "required for a hire", with the alternative when there is one.
  void Missing(std::string_view path, std::string_view alternative) {
    std::string why = "required for " + WithArticle(type_);
    if (!alternative.empty()) why.append(" (").append(alternative).append(")");
    problems_.Add(path, why);
  }

  // "not allowed for a hire", with the hint when there is one.
  void Refused(std::string_view path, std::string_view hint) {
    std::string why = "not allowed for " + WithArticle(type_);
    if (!hint.empty()) why.append(" (").append(hint).append(")");
    problems_.Add(path, why);
  }

  template <class T>
  void Forbidden(const std::optional<T>& field, std::string_view path) {
    if (field) Refused(path, {});
  }

  void Add(std::string_view path, std::string_view why) { problems_.Add(path, why); }
  std::size_t count() const { return problems_.size(); }

 private:
  Problems& problems_;
  EventType type_;
};

template <class Fields, class Rules>
void CheckFields(const Fields& fields, const Rules& rules, std::size_t column,
                 std::string_view path, Checker& check) {
  for (const auto& field : rules) {
    const Rule& rule = field.by_type[column];
    const std::string where = At(path, field.name);
    if (rule.presence == Presence::kRequired) {
      const bool met = field.satisfied != nullptr ? field.satisfied(fields) : field.given(fields);
      if (!met) check.Missing(where, rule.hint);
    } else if (rule.presence == Presence::kNo && field.given(fields)) {
      if (rule.reason.empty()) {
        check.Refused(where, rule.hint);
      } else {
        check.Add(where, rule.reason);
      }
    }
  }
}

// The subject must change something: nothing given but its key.
template <class Fields, class Rules>
bool NothingGiven(const Fields& fields, const Rules& rules) {
  for (const auto& field : rules) {
    if (field.given(fields)) return false;
  }
  return true;
}

void CheckTopLevel(Presence presence, const std::optional<std::string>& field,
                   std::string_view path, Checker& check) {
  if (presence == Presence::kRequired) check.Required(field, path);
  if (presence == Presence::kNo) check.Forbidden(field, path);
}

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

void CheckPerson(Event& event, std::string_view path, Checker& check) {
  PersonFields& person = *event.person;
  const TypeRule& type = RulesOf(event.type);
  const std::size_t column = ColumnOf(event.type);
  check.Id(person.id, At(path, "id"));
  CheckFields(person, PersonFieldRules(), column, path, check);
  if (!type.at_least_one.empty() && NothingGiven(person, PersonFieldRules())) {
    // Said only when nothing else was wrong with the fields given.
    check.Add(path, WithArticle(event.type) + " must change at least one of " +
                        std::string(type.at_least_one));
  }
  // Where there is nothing to clear (a new record), null is the same as absent.
  for (const PersonFieldRule& field : PersonFieldRules()) {
    if (field.null_is_absent != nullptr && field.by_type[column].presence == Presence::kOptional) {
      field.null_is_absent(person);
    }
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
  if (event.type == EventType::kHire || event.type == EventType::kUpdate) {
    if (auto why = internal::CheckCertificateField(person.certificate, event.type)) {
      check.Add(At(path, "certificate"), *why);
    }
  }
}

void CheckAgency(Event& event, std::string_view path, Checker& check) {
  AgencyFields& agency = *event.agency;
  const TypeRule& type = RulesOf(event.type);
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
  CheckFields(agency, AgencyFieldRules(), ColumnOf(event.type), path, check);
  if (!type.at_least_one.empty() && NothingGiven(agency, AgencyFieldRules())) {
    check.Add(path, WithArticle(event.type) + " must change at least one of " +
                        std::string(type.at_least_one));
  }
}

}  // namespace

void CheckEvent(Event& event, std::string_view path, Problems& problems) {
  Checker check(problems, event.type);
  const TypeRule& type = RulesOf(event.type);
  check.Id(event.id, At(path, "id"));
  const std::string decision = At(path, "decision");
  check.Text(event.decision.number, At(decision, "number"), kMaxDecisionNumberLength);
  check.Text(event.decision.issuer, At(decision, "issuer"), kMaxTextLength);
  if (event.decision.subject) {
    check.Text(*event.decision.subject, At(decision, "subject"), kMaxSubjectLength);
  }
  // The type's own subject, the other one, the other subject's top-level field,
  // then its own (to_agency for people, into for agencies).
  if (type.subject == Subject::kPerson) {
    check.Required(event.person, At(path, "person"));
    check.Forbidden(event.agency, At(path, "agency"));
    CheckTopLevel(type.into, event.into, At(path, "into"), check);
    CheckTopLevel(type.to_agency, event.to_agency, At(path, "to_agency"), check);
    if (event.person) CheckPerson(event, At(path, "person"), check);
  } else {
    check.Required(event.agency, At(path, "agency"));
    check.Forbidden(event.person, At(path, "person"));
    CheckTopLevel(type.to_agency, event.to_agency, At(path, "to_agency"), check);
    CheckTopLevel(type.into, event.into, At(path, "into"), check);
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

void CheckStoredShape(const Event& event, Problems& problems) {
  Checker check(problems, event.type);
  const TypeRule& type = RulesOf(event.type);
  const std::size_t column = ColumnOf(event.type);
  if (type.subject == Subject::kPerson) {
    check.Required(event.person, "person");
    if (type.to_agency == Presence::kRequired) check.Required(event.to_agency, "to_agency");
    if (!event.person) return;
    const PersonFields& p = *event.person;
    for (const PersonFieldRule& field : PersonFieldRules()) {
      if (field.by_type[column].presence != Presence::kRequired) continue;
      if (field.satisfied != nullptr) continue;  // the name, below
      if (!field.given(p)) check.Missing(At("person", field.name), {});
    }
    // A name the engine can use as it is: full_name, or the parts it joins.
    for (const PersonFieldRule& field : PersonFieldRules()) {
      if (field.satisfied == nullptr) continue;
      const Rule& rule = field.by_type[column];
      if (rule.presence == Presence::kRequired && !p.full_name &&
          !(p.family_name && p.given_name)) {
        check.Missing(At("person", field.name), rule.hint);
      }
    }
    return;
  }
  check.Required(event.agency, "agency");
  if (!event.agency) return;
  for (const AgencyFieldRule& field : AgencyFieldRules()) {
    if (field.by_type[column].presence == Presence::kRequired && !field.given(*event.agency)) {
      check.Missing(At("agency", field.name), {});
    }
  }
  if (type.into == Presence::kRequired) check.Required(event.into, "into");
}

}  // namespace internal

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
  internal::Problems problems;
  internal::CheckEvent(event, "", problems);
  if (!problems.empty()) return problems.ToError();
  return event;
}

}  // namespace danhba::model
