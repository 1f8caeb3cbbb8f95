// What the public read API shows of people and agencies (contract, "Public
// API"). These types hold published attributes only: there is no field for a
// person id, a birth date or any other private attribute, so no code path can
// leak one through them (R15).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace danhba::model {

struct AgencyRef {
  std::string code;
  std::string name;

  friend bool operator==(const AgencyRef&, const AgencyRef&) = default;
};

struct Person {
  std::string uid;    // local part of the address
  std::string email;  // uid@domain
  std::string full_name;
  std::string family_name;
  std::vector<std::string> middle_names;
  std::string given_name;
  std::optional<std::string> title;  // null in JSON when absent
  AgencyRef agency;
  std::optional<std::string> phone;  // published work phone only; null when absent

  friend bool operator==(const Person&, const Person&) = default;
};

struct Agency {
  std::string code;
  std::string name;
  std::string email;
  std::optional<std::string> parent;    // code of the parent agency; null at the top
  std::optional<std::string> head_uid;  // uid of the head's address; null when none

  friend bool operator==(const Agency&, const Agency&) = default;
};

// {"uid","email","full_name","family_name","middle_names","given_name","title",
//  "agency":{"code","name"},"phone"}: exactly these keys, in this order, every
// key always present. Strings are written as UTF-8 (not \u escapes); invalid
// UTF-8 bytes are replaced by U+FFFD rather than failing.
std::string ToJson(const Person& person);
// {"code","name","email","parent","head_uid"}, same rules.
std::string ToJson(const Agency& agency);

// The same, appended to `out`, for building listings without copies.
void AppendJson(const Person& person, std::string& out);
void AppendJson(const Agency& agency, std::string& out);

}  // namespace danhba::model
