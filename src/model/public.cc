#include "danhba/model/public.h"

#include <nlohmann/json.hpp>

namespace danhba::model {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson OrNull(const std::optional<std::string>& value) {
  return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

void Dump(const OrderedJson& j, std::string& out) {
  out.append(j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
}

}  // namespace

void AppendJson(const Person& person, std::string& out) {
  OrderedJson j;
  j["uid"] = person.uid;
  j["email"] = person.email;
  j["full_name"] = person.full_name;
  j["family_name"] = person.family_name;
  j["middle_names"] = person.middle_names;
  j["given_name"] = person.given_name;
  j["title"] = OrNull(person.title);
  j["agency"] = OrderedJson{{"code", person.agency.code}, {"name", person.agency.name}};
  j["phone"] = OrNull(person.phone);
  Dump(j, out);
}

void AppendJson(const Agency& agency, std::string& out) {
  OrderedJson j;
  j["code"] = agency.code;
  j["name"] = agency.name;
  j["email"] = agency.email;
  j["parent"] = OrNull(agency.parent);
  j["head_uid"] = OrNull(agency.head_uid);
  Dump(j, out);
}

std::string ToJson(const Person& person) {
  std::string out;
  AppendJson(person, out);
  return out;
}

std::string ToJson(const Agency& agency) {
  std::string out;
  AppendJson(agency, out);
  return out;
}

}  // namespace danhba::model
