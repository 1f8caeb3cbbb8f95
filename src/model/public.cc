#include "danhba/model/public.h"

#include "model/json_writer.h"

namespace danhba::model {
namespace {

using internal::AppendJsonString;

// `"key":` then the value, with a leading comma unless `first`.
void Key(std::string_view key, std::string& out, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void StringOrNull(const std::optional<std::string>& value, std::string& out) {
  if (value) {
    AppendJsonString(*value, out);
  } else {
    out.append("null");
  }
}

}  // namespace

void AppendJson(const Person& person, std::string& out) {
  out.push_back('{');
  Key("uid", out, true);
  AppendJsonString(person.uid, out);
  Key("email", out);
  AppendJsonString(person.email, out);
  Key("full_name", out);
  AppendJsonString(person.full_name, out);
  Key("family_name", out);
  AppendJsonString(person.family_name, out);
  Key("middle_names", out);
  out.push_back('[');
  for (std::size_t i = 0; i < person.middle_names.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(person.middle_names[i], out);
  }
  out.push_back(']');
  Key("given_name", out);
  AppendJsonString(person.given_name, out);
  Key("title", out);
  StringOrNull(person.title, out);
  Key("agency", out);
  out.push_back('{');
  Key("code", out, true);
  AppendJsonString(person.agency.code, out);
  Key("name", out);
  AppendJsonString(person.agency.name, out);
  out.push_back('}');
  Key("phone", out);
  StringOrNull(person.phone, out);
  out.push_back('}');
}

void AppendJson(const Agency& agency, std::string& out) {
  out.push_back('{');
  Key("code", out, true);
  AppendJsonString(agency.code, out);
  Key("name", out);
  AppendJsonString(agency.name, out);
  Key("email", out);
  AppendJsonString(agency.email, out);
  Key("parent", out);
  StringOrNull(agency.parent, out);
  Key("head_uid", out);
  StringOrNull(agency.head_uid, out);
  out.push_back('}');
}

std::string ToJson(const Person& person) {
  std::string out;
  out.reserve(256);
  AppendJson(person, out);
  return out;
}

std::string ToJson(const Agency& agency) {
  std::string out;
  out.reserve(160);
  AppendJson(agency, out);
  return out;
}

}  // namespace danhba::model
