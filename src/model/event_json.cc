// Events in JSON: decoding request bodies and stored events (shape, types,
// unknown and duplicate keys), and the canonical form ToJson writes. What the
// values must be is checked in event.cc.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "danhba/model/event.h"
#include "danhba/model/fields.h"
#include "model/event_check.h"
#include "model/quote.h"

namespace danhba::model {
namespace {

using internal::At;
using internal::CheckEvent;
using internal::CheckStoredShape;
using internal::Problems;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr std::size_t kMaxDepth = 32;

std::string List(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const std::string_view name : names) {
    if (!out.empty()) out.append(", ");
    out.append(name);
  }
  return out;
}

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
      for (const EventType t : kAllEventTypes) {
        if (!expected.empty()) expected.append(", ");
        expected.append(ToString(t));
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
