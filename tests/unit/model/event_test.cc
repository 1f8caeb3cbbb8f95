#include "danhba/model/event.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace danhba::model {
namespace {

const std::string kDecision =
    R"("decision":{"number":"123/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"})";

// An event of `type` with the standard decision and `rest` (a JSON fragment).
std::string Ev(const std::string& type, const std::string& rest) {
  return R"({"id":"hr-1","type":")" + type + R"(",)" + kDecision +
         (rest.empty() ? "" : "," + rest) + "}";
}

const std::string kHire = R"({
  "id": "hr-2026-000123",
  "type": "hire",
  "decision": {"number": "123/QĐ-SNV", "date": "2026-11-20", "issuer": "Sở Nội vụ"},
  "effective_date": "2026-12-01",
  "person": {"id": "CB000123", "full_name": "Nguyễn Văn An", "birth_date": "1990-05-01",
             "title": "Chuyên viên", "phone": "0251 3822 000", "agency": "stttt"}
})";

// ---------------------------------------------------------------------------
// Valid events of every type

struct ValidCase {
  const char* name;
  std::string json;
};

std::vector<ValidCase> ValidCases() {
  return {
      {"hire_contract_example", kHire},
      {"hire_structured_name",
       Ev("hire", R"("person":{"id":"CB2","family_name":"Trần","middle_names":["Thị","Thu"],)"
                  R"("given_name":"Hà","agency":"snv"})")},
      {"hire_both_name_forms",
       Ev("hire", R"("person":{"id":"CB3","full_name":"Lê Văn Tám","family_name":"Lê",)"
                  R"("middle_names":["Văn"],"given_name":"Tám","agency":"snv"})")},
      {"hire_no_middle_name",
       Ev("hire", R"("person":{"id":"CB4","family_name":"Lò","middle_names":[],)"
                  R"("given_name":"Pả","agency":"x.123"})")},
      {"transfer_contract_example",
       Ev("transfer", R"("effective_date":"2027-01-01","person":{"id":"CB000123",)"
                      R"("title":"Phó Trưởng phòng"},"to_agency":"skhcn")")},
      {"transfer_clears_title",
       Ev("transfer", R"("person":{"id":"CB000123","title":null},"to_agency":"skhcn")")},
      {"transfer_bare", Ev("transfer", R"("person":{"id":"CB000123"},"to_agency":"skhcn")")},
      {"update_phone", Ev("update", R"("person":{"id":"CB000123","phone":"+84 (251) 382-2000"})")},
      {"update_clears_phone", Ev("update", R"("person":{"id":"CB000123","phone":null})")},
      {"update_name_correction",
       Ev("update", R"("person":{"id":"CB000123","full_name":"Nguyễn Văn Ân"})")},
      {"update_birth_date",
       Ev("update", R"("person":{"id":"CB000123","birth_date":"1990-05-02"})")},
      {"update_name_and_new_address",
       Ev("update",
          R"("person":{"id":"CB000123","full_name":"Nguyễn Văn Ân","new_address":true})")},
      {"update_new_address_alone",
       Ev("update", R"("person":{"id":"CB000123","new_address":true})")},
      {"leave", Ev("leave", R"("person":{"id":"CB000123"})")},
      {"leave_effective_null", Ev("leave", R"("effective_date":null,"person":{"id":"CB1"})")},
      {"leave_with_subject",
       R"({"id":"hr-9","type":"leave","decision":{"number":"9/QĐ","date":"2026-11-20",)"
       R"("issuer":"Sở Nội vụ","subject":"Nghỉ hưu"},"person":{"id":"CB000123"}})"},
      {"agency_create_top_level",
       Ev("agency.create", R"("agency":{"code":"skhcn","name":"Sở Khoa học và Công nghệ",)"
                           R"("parent":null})")},
      {"agency_create_with_parent_and_head",
       Ev("agency.create", R"("agency":{"code":"p.tanphong","name":"UBND phường Tân Phong",)"
                           R"("parent":"ubnd","head":"CB9"})")},
      {"agency_create_no_parent", Ev("agency.create", R"("agency":{"code":"ubnd","name":"UBND"})")},
      {"agency_update_name", Ev("agency.update", R"("agency":{"code":"stttt","name":"Sở TT&TT"})")},
      {"agency_update_parent_to_top",
       Ev("agency.update", R"("agency":{"code":"stttt","parent":null})")},
      {"agency_update_new_code",
       Ev("agency.update", R"("agency":{"code":"stttt","new_code":"skhcndt"})")},
      {"agency_update_new_code_name_and_parent",
       Ev("agency.update",
          R"("agency":{"code":"stttt","new_code":"p.tanmai","name":"UBND P. Tân Mai",)"
          R"("parent":"ubnd"})")},
      {"agency_merge", Ev("agency.merge", R"("agency":{"code":"stttt"},"into":"skhcn")")},
      {"agency_dissolve", Ev("agency.dissolve", R"("agency":{"code":"stttt"})")},
      {"agency_head", Ev("agency.head", R"("agency":{"code":"stttt","head":"CB000123"})")},
      {"agency_head_with_delegates",
       Ev("agency.head", R"("agency":{"code":"stttt","head":"CB1","delegates":["CB2","CB3"]})")},
  };
}

void PrintTo(const ValidCase& c, std::ostream* out) { *out << c.name; }

class ValidEventTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidEventTest, ParsesAndRoundTrips) {
  auto event = ParseEvent(GetParam().json);
  ASSERT_TRUE(event.ok()) << event.error();
  const std::string canonical = ToJson(*event);
  auto again = ParseEvent(canonical);
  ASSERT_TRUE(again.ok()) << again.error() << "\n" << canonical;
  EXPECT_EQ(*again, *event) << canonical;
  EXPECT_EQ(ToJson(*again), canonical);
  auto stored = ParseStoredEvent(canonical);
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(*stored, *event);
  // The canonical form is already canonical.
  auto canon = CanonicalizeEvent(*event);
  ASSERT_TRUE(canon.ok()) << canon.error();
  EXPECT_EQ(*canon, *event);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, ValidEventTest, ::testing::ValuesIn(ValidCases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(EventTest, ContractHireExampleFields) {
  auto e = ParseEvent(kHire);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e->id, "hr-2026-000123");
  EXPECT_EQ(e->type, EventType::kHire);
  EXPECT_EQ(e->decision.number, "123/QĐ-SNV");
  EXPECT_EQ(e->decision.date.ToString(), "2026-11-20");
  EXPECT_EQ(e->decision.issuer, "Sở Nội vụ");
  EXPECT_FALSE(e->decision.subject.has_value());
  ASSERT_TRUE(e->effective_date.has_value());
  EXPECT_EQ(e->effective_date->ToString(), "2026-12-01");
  ASSERT_TRUE(e->person.has_value());
  EXPECT_EQ(e->person->id, "CB000123");
  EXPECT_EQ(e->person->full_name, "Nguyễn Văn An");
  EXPECT_FALSE(e->person->family_name.has_value());
  EXPECT_EQ(e->person->birth_date->ToString(), "1990-05-01");
  EXPECT_EQ(e->person->title, std::optional<std::string>("Chuyên viên"));
  EXPECT_EQ(e->person->phone, std::optional<std::string>("0251 3822 000"));
  EXPECT_EQ(e->person->agency, "stttt");
  EXPECT_FALSE(e->agency.has_value());
  EXPECT_EQ(ToJson(*e),
            R"({"id":"hr-2026-000123","type":"hire","decision":{"number":"123/QĐ-SNV",)"
            R"("date":"2026-11-20","issuer":"Sở Nội vụ"},"effective_date":"2026-12-01",)"
            R"("person":{"id":"CB000123","full_name":"Nguyễn Văn An","birth_date":"1990-05-01",)"
            R"("title":"Chuyên viên","phone":"0251 3822 000","agency":"stttt"}})");
}

TEST(EventTest, StructuredNameFillsFullName) {
  auto e = ParseEvent(ValidCases()[1].json);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e->person->full_name, "Trần Thị Thu Hà");
  EXPECT_EQ(e->person->middle_names, (std::vector<std::string>{"Thị", "Thu"}));
  auto none = ParseEvent(ValidCases()[3].json);
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_EQ(none->person->full_name, "Lò Pả");
}

TEST(EventTest, NfdUpperCaseNamesComeOutNfcProperCase) {
  // "NGUYỄN VĂN AN" decomposed (NFD) with stray spaces.
  const std::string nfd = "NGUYE\xCC\x82\xCC\x83N  VA\xCC\x86N AN";
  auto e = ParseEvent(
      Ev("hire", R"("person":{"id":"CB1","full_name":" )" + nfd + R"( ","agency":"stttt"})"));
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(*e->person->full_name, "Nguy\xE1\xBB\x85n V\xC4\x83n An");
  auto parts = ParseEvent(Ev("hire", R"("person":{"id":"CB1","family_name":"NGUYE\u0302\u0303N",)"
                                     R"("middle_names":["va\u0306n"],"given_name":"an",)"
                                     R"("agency":"stttt"})"));
  ASSERT_TRUE(parts.ok()) << parts.error();
  EXPECT_EQ(*parts->person->family_name, "Nguyễn");
  EXPECT_EQ((*parts->person->middle_names)[0], "Văn");
  EXPECT_EQ(*parts->person->full_name, "Nguyễn Văn An");
  // Titles, issuers and decision numbers are cleaned and NFC but keep their case.
  auto t = ParseEvent(R"({"id":"x","type":"update","decision":{"number":" 12/Q\u0110-UBND ",)"
                      R"("date":"2026-01-01","issuer":"UBND  tỉnh"},)"
                      R"("person":{"id":"CB1","title":"Pho\u0301 Gia\u0301m đô\u0301c"}})");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->decision.number, "12/QĐ-UBND");
  EXPECT_EQ(t->decision.issuer, "UBND tỉnh");
  EXPECT_EQ(**t->person->title, "Phó Giám đốc");
}

TEST(EventTest, ClearedFieldsSerialiseAsNull) {
  auto e = ParseEvent(
      Ev("agency.create", R"("agency":{"code":"skhcn","name":"Sở KH&CN","parent":null})"));
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_TRUE(e->agency->parent.has_value());
  EXPECT_FALSE(e->agency->parent->has_value());
  EXPECT_NE(ToJson(*e).find(R"("parent":null)"), std::string::npos);
  auto absent = ParseEvent(Ev("agency.create", R"("agency":{"code":"skhcn","name":"Sở KH&CN"})"));
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->agency->parent.has_value());
  EXPECT_EQ(ToJson(*absent).find("parent"), std::string::npos);
  // In a hire there is nothing to clear: null is the same as absent.
  auto hire =
      ParseEvent(Ev("hire", R"("person":{"id":"CB1","full_name":"An","title":null,"agency":"a"})"));
  ASSERT_TRUE(hire.ok()) << hire.error();
  EXPECT_FALSE(hire->person->title.has_value());
}

TEST(EventTest, NewCodeOfAnAgencyUpdate) {
  auto e = ParseEvent(Ev("agency.update", R"("agency":{"code":"stttt","new_code":"skhcndt"})"));
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e->agency->code, "stttt");
  ASSERT_TRUE(e->agency->new_code.has_value());
  EXPECT_EQ(*e->agency->new_code, "skhcndt");
  EXPECT_FALSE(e->agency->name.has_value());
  EXPECT_NE(ToJson(*e).find(R"("agency":{"code":"stttt","new_code":"skhcndt"})"), std::string::npos)
      << ToJson(*e);
  // Without it the JSON has no such key.
  auto plain = ParseEvent(Ev("agency.update", R"("agency":{"code":"stttt","name":"Sở"})"));
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_FALSE(plain->agency->new_code.has_value());
  EXPECT_EQ(ToJson(*plain).find("new_code"), std::string::npos);
}

TEST(EventTest, TypeNamesRoundTrip) {
  for (const EventType type : kAllEventTypes) {
    EXPECT_EQ(ParseEventType(ToString(type)), type);
  }
  EXPECT_EQ(ParseEventType("Hire"), std::nullopt);
  EXPECT_EQ(ParseEventType("agency"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Invalid events: the exact reason

struct InvalidCase {
  const char* name;
  std::string json;
  std::string reason;
};

const std::string kTypes =
    "hire, transfer, update, leave, agency.create, agency.update, agency.merge, "
    "agency.dissolve, agency.head";

std::vector<InvalidCase> InvalidCases() {
  const std::string p = R"("person":{"id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt")";
  return {
      // Envelope
      {"unknown_type", Ev("hirre", p + "}"),
       R"(type: unknown type "hirre" (expected )" + kTypes + ")"},
      {"missing_type", R"({"id":"x",)" + kDecision + "," + p + "}}", "type: required"},
      {"type_not_string", R"({"id":"x","type":1,)" + kDecision + "}",
       "type: must be a string, not a number"},
      {"missing_id", R"({"type":"leave",)" + kDecision + R"(,"person":{"id":"CB1"}})",
       "id: required"},
      {"id_with_space",
       R"({"id":"hr 1","type":"leave",)" + kDecision + R"(,"person":{"id":"CB1"}})",
       R"(id: "hr 1" is not a valid id (1-128 printable ASCII characters, no spaces))"},
      {"id_too_long",
       R"({"id":")" + std::string(129, 'a') + R"(","type":"leave",)" + kDecision +
           R"(,"person":{"id":"CB1"}})",
       R"(id: ")" + std::string(40, 'a') +
           R"(..." is not a valid id (1-128 printable ASCII characters, no spaces))"},
      {"id_number", R"({"id":7,"type":"leave",)" + kDecision + R"(,"person":{"id":"CB1"}})",
       "id: must be a string, not a number"},
      {"unknown_top_field", Ev("leave", R"("person":{"id":"CB1"},"emial":"a@b")"),
       "emial: unknown field (expected id, type, decision, effective_date, person, agency, "
       "to_agency, into)"},
      {"effective_date_bad", Ev("leave", R"("person":{"id":"CB1"},"effective_date":"01/12/2026")"),
       R"(effective_date: "01/12/2026" is not a date (YYYY-MM-DD))"},
      // Decision
      {"missing_decision", R"({"id":"x","type":"leave","person":{"id":"CB1"}})",
       "decision: required"},
      {"decision_not_object", R"({"id":"x","type":"leave","decision":"123","person":{"id":"CB1"}})",
       "decision: must be an object, not a string"},
      {"decision_bad_date",
       R"({"id":"x","type":"leave","decision":{"number":"1","date":"2026-02-30","issuer":"X"},)"
       R"("person":{"id":"CB1"}})",
       R"(decision.date: "2026-02-30" is not a date (YYYY-MM-DD))"},
      {"decision_missing_issuer",
       R"({"id":"x","type":"leave","decision":{"number":"1","date":"2026-02-03"},)"
       R"("person":{"id":"CB1"}})",
       "decision.issuer: required"},
      {"decision_empty_number",
       R"({"id":"x","type":"leave","decision":{"number":"  ","date":"2026-02-03","issuer":"X"},)"
       R"("person":{"id":"CB1"}})",
       "decision.number: must not be empty"},
      {"decision_unknown_field",
       R"({"id":"x","type":"leave","decision":{"number":"1","date":"2026-02-03","issuer":"X",)"
       R"("signer":"Y"},"person":{"id":"CB1"}})",
       "decision.signer: unknown field (expected number, date, issuer, subject)"},
      // Person events
      {"hire_without_person", Ev("hire", ""), "person: required for a hire"},
      {"person_not_object", Ev("hire", R"("person":"CB1")"),
       "person: must be an object, not a string"},
      {"hire_without_agency", Ev("hire", R"("person":{"id":"CB1","full_name":"An"})"),
       "person.agency: required for a hire"},
      {"hire_without_name", Ev("hire", R"("person":{"id":"CB1","agency":"stttt"})"),
       "person.full_name: required for a hire (or family_name and given_name)"},
      {"hire_without_person_id", Ev("hire", R"("person":{"full_name":"An","agency":"stttt"})"),
       "person.id: required"},
      {"hire_with_to_agency", Ev("hire", p + R"(},"to_agency":"skhcn")"),
       "to_agency: not allowed for a hire"},
      {"hire_with_agency_object", Ev("hire", p + R"(},"agency":{"code":"skhcn"})"),
       "agency: not allowed for a hire"},
      {"person_unknown_field", Ev("hire", p + R"(,"emial":"an@x"})"),
       "person.emial: unknown field (expected id, full_name, family_name, middle_names, "
       "given_name, birth_date, title, phone, agency, new_address, certificate)"},
      {"birth_date_not_a_date", Ev("hire", p + R"(,"birth_date":"1990-13-01"})"),
       R"(person.birth_date: "1990-13-01" is not a date (YYYY-MM-DD))"},
      {"birth_date_after_decision", Ev("hire", p + R"(,"birth_date":"2027-01-01"})"),
       "person.birth_date: 2027-01-01 is after the decision date 2026-11-20"},
      {"birth_date_too_old", Ev("hire", p + R"(,"birth_date":"1899-12-31"})"),
       "person.birth_date: 1899-12-31 is before 1900-01-01"},
      {"bad_phone", Ev("hire", p + R"(,"phone":"abc"})"),
       R"(person.phone: "abc" is not a phone number (3-32 of digits, spaces, '+', '-', '.', '(' and ')'))"},
      {"phone_number_type", Ev("hire", p + R"(,"phone":2513822000})"),
       "person.phone: must be a string or null, not a number"},
      {"bad_agency_code", Ev("hire", R"("person":{"id":"CB1","full_name":"An","agency":"STTTT"})"),
       R"(person.agency: "STTTT" is not an agency code (lower-case a-z, 0-9 and '.', starting with a letter, at most 64))"},
      {"title_too_long", Ev("hire", p + R"(,"title":")" + std::string(257, 'a') + R"("})"),
       "person.title: is longer than 256 characters"},
      {"empty_full_name", Ev("hire", R"("person":{"id":"CB1","full_name":" ","agency":"a"})"),
       "person.full_name: must not be empty"},
      {"name_parts_disagree",
       Ev("hire", R"("person":{"id":"CB1","full_name":"Lê Văn Tám","family_name":"Lê",)"
                  R"("given_name":"Tám","agency":"a"})"),
       R"(person.full_name: "Lê Văn Tám" does not match family_name, middle_names and given_name ("Lê Tám"))"},
      {"bad_part_is_reported_alone",
       Ev("hire", R"("person":{"id":"CB1","full_name":"Lê Văn Tám","family_name":"Lê",)"
                  R"("middle_names":[" "],"given_name":"Tám","agency":"a"})"),
       "person.middle_names[0]: must not be empty"},
      {"family_without_given",
       Ev("hire", R"("person":{"id":"CB1","family_name":"Lê","agency":"a"})"),
       "person.given_name: required with family_name and middle_names"},
      {"middle_names_not_array",
       Ev("hire", R"("person":{"id":"CB1","family_name":"Lê","middle_names":"Văn",)"
                  R"("given_name":"Tám","agency":"a"})"),
       "person.middle_names: must be an array of strings, not a string"},
      {"middle_name_not_string",
       Ev("hire", R"("person":{"id":"CB1","family_name":"Lê","middle_names":["Văn",3],)"
                  R"("given_name":"Tám","agency":"a"})"),
       "person.middle_names[1]: must be a string, not a number"},
      {"transfer_without_to_agency", Ev("transfer", R"("person":{"id":"CB1"})"),
       "to_agency: required for a transfer"},
      {"transfer_with_person_agency",
       Ev("transfer", R"("person":{"id":"CB1","agency":"skhcn"},"to_agency":"skhcn")"),
       "person.agency: not allowed for a transfer (the new agency is to_agency)"},
      {"transfer_with_name",
       Ev("transfer", R"("person":{"id":"CB1","full_name":"An"},"to_agency":"skhcn")"),
       "person.full_name: not allowed for a transfer (a name correction is an update)"},
      {"transfer_bad_to_agency", Ev("transfer", R"("person":{"id":"CB1"},"to_agency":"Sở KHCN")"),
       R"(to_agency: "Sở KHCN" is not an agency code (lower-case a-z, 0-9 and '.', starting with a letter, at most 64))"},
      {"update_nothing", Ev("update", R"("person":{"id":"CB1"})"),
       "person: an update must change at least one of full_name, family_name, middle_names, "
       "given_name, birth_date, title, phone, certificate, or ask for new_address"},
      {"update_agency", Ev("update", R"("person":{"id":"CB1","agency":"skhcn"})"),
       "person.agency: not allowed for an update (a change of agency is a transfer)"},
      {"leave_with_title", Ev("leave", R"("person":{"id":"CB1","title":"X"})"),
       "person.title: not allowed for a leave (only person.id)"},
      {"leave_with_into", Ev("leave", R"("person":{"id":"CB1"},"into":"a")"),
       "into: not allowed for a leave"},
      // Agency events
      {"agency_create_without_agency", Ev("agency.create", ""),
       "agency: required for an agency.create"},
      {"agency_create_without_name", Ev("agency.create", R"("agency":{"code":"skhcn"})"),
       "agency.name: required for an agency.create"},
      {"agency_create_without_code", Ev("agency.create", R"("agency":{"name":"Sở"})"),
       "agency.code: required"},
      {"agency_create_with_person",
       Ev("agency.create", R"("agency":{"code":"a","name":"A"},"person":{"id":"CB1"})"),
       "person: not allowed for an agency.create"},
      {"agency_own_parent", Ev("agency.create", R"("agency":{"code":"a","name":"A","parent":"a"})"),
       "agency.parent: an agency cannot be its own parent"},
      {"agency_parent_number",
       Ev("agency.create", R"("agency":{"code":"a","name":"A","parent":5})"),
       "agency.parent: must be a string or null, not a number"},
      {"agency_unknown_field",
       Ev("agency.create", R"("agency":{"code":"a","name":"A","email":"a@x"})"),
       "agency.email: unknown field (expected code, new_code, name, parent, head, delegates)"},
      {"agency_update_nothing", Ev("agency.update", R"("agency":{"code":"a"})"),
       "agency: an agency.update must change at least one of name, parent, new_code"},
      {"new_code_not_a_code",
       Ev("agency.update", R"("agency":{"code":"stttt","new_code":"Sở KHCN"})"),
       R"(agency.new_code: "Sở KHCN" is not an agency code (lower-case a-z, 0-9 and '.', )"
       R"(starting with a letter, at most 64))"},
      {"new_code_empty", Ev("agency.update", R"("agency":{"code":"stttt","new_code":""})"),
       "agency.new_code: must not be empty"},
      {"new_code_number", Ev("agency.update", R"("agency":{"code":"stttt","new_code":7})"),
       "agency.new_code: must be a string, not a number"},
      {"new_code_same_as_code",
       Ev("agency.update", R"("agency":{"code":"stttt","new_code":"stttt"})"),
       "agency.new_code: is the same as agency.code"},
      {"new_code_is_parent",
       Ev("agency.update", R"("agency":{"code":"stttt","new_code":"skh","parent":"skh"})"),
       "agency.parent: an agency cannot be its own parent"},
      {"new_code_in_create",
       Ev("agency.create", R"("agency":{"code":"a","name":"A","new_code":"b"})"),
       "agency.new_code: not allowed for an agency.create (a new code is an agency.update)"},
      {"new_code_in_merge",
       Ev("agency.merge", R"("agency":{"code":"a","new_code":"b"},"into":"c")"),
       "agency.new_code: not allowed for an agency.merge (a new code is an agency.update)"},
      {"new_code_in_dissolve", Ev("agency.dissolve", R"("agency":{"code":"a","new_code":"b"})"),
       "agency.new_code: not allowed for an agency.dissolve (a new code is an agency.update)"},
      {"new_code_in_head",
       Ev("agency.head", R"("agency":{"code":"a","head":"CB1","new_code":"b"})"),
       "agency.new_code: not allowed for an agency.head (a new code is an agency.update)"},
      {"agency_update_head", Ev("agency.update", R"("agency":{"code":"a","head":"CB1"})"),
       "agency.head: not allowed for an agency.update (use agency.head)"},
      {"merge_without_into", Ev("agency.merge", R"("agency":{"code":"a"})"),
       "into: required for an agency.merge"},
      {"merge_into_itself", Ev("agency.merge", R"("agency":{"code":"a"},"into":"a")"),
       "into: an agency cannot be merged into itself"},
      {"dissolve_with_name", Ev("agency.dissolve", R"("agency":{"code":"a","name":"A"})"),
       "agency.name: not allowed for an agency.dissolve (only agency.code)"},
      {"dissolve_with_to_agency", Ev("agency.dissolve", R"("agency":{"code":"a"},"to_agency":"b")"),
       "to_agency: not allowed for an agency.dissolve"},
      {"head_without_head", Ev("agency.head", R"("agency":{"code":"a"})"),
       "agency.head: required for an agency.head"},
      {"head_bad_person_id", Ev("agency.head", R"("agency":{"code":"a","head":"CB 1"})"),
       R"(agency.head: "CB 1" is not a valid id (1-128 printable ASCII characters, no spaces))"},
      {"delegate_twice",
       Ev("agency.head", R"("agency":{"code":"a","head":"CB1","delegates":["CB2","CB2"]})"),
       R"(agency.delegates[1]: "CB2" is listed twice)"},
      {"new_address_not_a_bool",
       Ev("update", R"("person":{"id":"CB1","full_name":"Lê Văn Ân","new_address":"yes"})"),
       "person.new_address: must be true or false, not a string"},
      {"new_address_on_a_transfer",
       Ev("transfer", R"("person":{"id":"CB1","new_address":true},"to_agency":"skhcn")"),
       "person.new_address: only an update may ask for a new address"},
      // JSON-level problems
      {"duplicate_key",
       R"({"id":"a","id":"b","type":"leave",)" + kDecision + R"(,"person":{"id":"CB1"}})",
       "id: given more than once"},
      {"duplicate_nested_key", Ev("leave", R"("person":{"id":"CB1","id":"CB2"})"),
       "person.id: given more than once"},
      // Several problems are all reported, in order.
      {"several_problems",
       Ev("hire", R"("person":{"id":"CB1","full_name":"An","agency":"stttt","phone":"x",)"
                  R"("birth_date":"2030-01-01"},"into":"b")"),
       "into: not allowed for a hire; "
       "person.birth_date: 2030-01-01 is after the decision date 2026-11-20; "
       R"(person.phone: "x" is not a phone number (3-32 of digits, spaces, '+', '-', '.', '(' and ')'))"},
  };
}

void PrintTo(const InvalidCase& c, std::ostream* out) { *out << c.name; }

class InvalidEventTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidEventTest, GivesTheExactReason) {
  auto event = ParseEvent(GetParam().json);
  ASSERT_FALSE(event.ok()) << ToJson(*event);
  EXPECT_EQ(event.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(event.error().detail, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, InvalidEventTest, ::testing::ValuesIn(InvalidCases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(EventTest, BodyErrors) {
  auto not_json = ParseEvent("{\"id\": ");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().detail.rfind("body: invalid JSON: parse error at line 1, column 8", 0),
            0u)
      << not_json.error().detail;
  EXPECT_EQ(ParseEvent("[]").error().detail, "body: must be an event object, not an array");
  EXPECT_EQ(ParseEvent("\"x\"").error().detail, "body: must be an event object, not a string");
  // Invalid UTF-8 is not JSON.
  auto bad_utf8 = ParseEvent(Ev("hire",
                                "\"person\":{\"id\":\"CB1\",\"full_name\":\"An\xC3\","
                                "\"agency\":\"a\"}"));
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.error().detail.rfind("body: invalid JSON: ", 0), 0u);
  std::string deep(40, '[');
  deep += std::string(40, ']');
  EXPECT_EQ(ParseEvents(deep).error().detail, "body: nested deeper than 32 levels");
}

TEST(EventTest, StoredEventsReplayWithoutTodaysRules) {
  // Accepted once, say before a limit was lowered: replays as stored.
  const std::string stored =
      R"({"id":"hr-1","type":"update","decision":{"number":"1","date":"2026-11-20","issuer":"X"},)"
      R"("person":{"id":"CB1","title":")" +
      std::string(300, 'a') + R"("}})";
  EXPECT_FALSE(ParseEvent(stored).ok());
  auto replayed = ParseStoredEvent(stored);
  ASSERT_TRUE(replayed.ok()) << replayed.error();
  EXPECT_EQ(**replayed->person->title, std::string(300, 'a'));
  // But a damaged entry is still an error.
  EXPECT_EQ(ParseStoredEvent(R"({"id":"x","type":"hirre"})").error().detail,
            R"(type: unknown type "hirre" (expected )" + kTypes + "); decision: required");
  EXPECT_FALSE(ParseStoredEvent("{").ok());
}

// ---------------------------------------------------------------------------
// Batches

TEST(EventBatchTest, MixOfValidAndInvalidGivesPerEventResults) {
  const std::string body = "[" + kHire + "," + Ev("transfer", R"("person":{"id":"CB1"})") + "," +
                           R"({"id":"hr-3","type":"hire",)" + kDecision +
                           R"(,"person":{"id":"CB2","full_name":"An","agency":"a",)"
                           R"("birth_date":"1990-13-01"}},)" +
                           R"({"id":"hr-4","type":"hirre",)" + kDecision + "}," +
                           Ev("leave", R"("person":{"id":"CB1"})") + "," + "42" + "]";
  auto batch = ParseEvents(body);
  ASSERT_TRUE(batch.ok()) << batch.error();
  EXPECT_TRUE(batch->was_array);
  ASSERT_EQ(batch->events.size(), 6u);
  const auto& e = batch->events;
  EXPECT_TRUE(e[0].event.ok());
  EXPECT_EQ(e[0].id, "hr-2026-000123");
  ASSERT_FALSE(e[1].event.ok());
  EXPECT_EQ(e[1].id, "hr-1");
  EXPECT_EQ(e[1].event.error().detail, "events[1].to_agency: required for a transfer");
  ASSERT_FALSE(e[2].event.ok());
  EXPECT_EQ(e[2].id, "hr-3");
  EXPECT_EQ(e[2].event.error().detail,
            R"(events[2].person.birth_date: "1990-13-01" is not a date (YYYY-MM-DD))");
  ASSERT_FALSE(e[3].event.ok());
  EXPECT_EQ(e[3].event.error().detail,
            R"(events[3].type: unknown type "hirre" (expected )" + kTypes + ")");
  ASSERT_TRUE(e[4].event.ok()) << e[4].event.error();
  EXPECT_EQ(e[4].event->type, EventType::kLeave);
  ASSERT_FALSE(e[5].event.ok());
  EXPECT_EQ(e[5].id, "");
  EXPECT_EQ(e[5].event.error().detail, "events[5]: must be an object, not a number");
}

TEST(EventBatchTest, SingleObjectBodyIsABatchOfOne) {
  auto batch = ParseEvents(kHire);
  ASSERT_TRUE(batch.ok()) << batch.error();
  EXPECT_FALSE(batch->was_array);
  ASSERT_EQ(batch->events.size(), 1u);
  EXPECT_TRUE(batch->events[0].event.ok());
  auto bad = ParseEvents(Ev("transfer", R"("person":{"id":"CB1"})"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->events[0].event.error().detail, "to_agency: required for a transfer");
}

TEST(EventBatchTest, DuplicateKeyIsChargedToItsOwnEvent) {
  const std::string body = "[" + Ev("leave", R"("person":{"id":"CB1"})") + "," +
                           Ev("leave", R"("person":{"id":"CB1","id":"CB2"})") + "," +
                           Ev("leave", R"("person":{"id":"CB3"})") + "]";
  auto batch = ParseEvents(body);
  ASSERT_TRUE(batch.ok()) << batch.error();
  ASSERT_EQ(batch->events.size(), 3u);
  EXPECT_TRUE(batch->events[0].event.ok());
  ASSERT_FALSE(batch->events[1].event.ok());
  EXPECT_EQ(batch->events[1].event.error().detail, "events[1].person.id: given more than once");
  EXPECT_TRUE(batch->events[2].event.ok());
}

TEST(EventBatchTest, DuplicateKeyInsideAnArrayInsideAnEvent) {
  const std::string body =
      "[" + Ev("leave", R"("person":{"id":"CB1"})") + "," +
      Ev("agency.head", R"("agency":{"code":"a","head":"CB1","delegates":["CB2","CB3"]},)"
                        R"("x":[{"k":1,"k":2}])") +
      "]";
  auto batch = ParseEvents(body);
  ASSERT_TRUE(batch.ok()) << batch.error();
  ASSERT_FALSE(batch->events[1].event.ok());
  EXPECT_EQ(
      batch->events[1].event.error().detail.rfind("events[1].x[0].k: given more than once", 0), 0u)
      << batch->events[1].event.error().detail;
  EXPECT_TRUE(batch->events[0].event.ok());
}

TEST(EventBatchTest, BodyLevelErrors) {
  EXPECT_EQ(ParseEvents("[]").error().detail, "body: the array has no events");
  EXPECT_EQ(ParseEvents("17").error().detail,
            "body: must be an event object or an array of them, not a number");
  std::string many = "[";
  for (std::size_t i = 0; i <= kMaxEventsPerBatch; ++i) many += (i ? ",{}" : "{}");
  many += "]";
  EXPECT_EQ(ParseEvents(many).error().detail,
            "body: 1001 events, more than the 1000 allowed in one request");
  EXPECT_EQ(ParseEvents("").error().detail.rfind("body: invalid JSON: ", 0), 0u);
}

// ---------------------------------------------------------------------------
// Events built in code (staff-list import)

TEST(CanonicalizeEventTest, ValidatesAndNormalisesEventsBuiltInCode) {
  Event e;
  e.id = "import-stttt-CB1";
  e.type = EventType::kHire;
  e.decision = {"DS-2026/STTTT", *Date::Parse("2026-11-01"), "Sở  Thông tin và Truyền thông",
                std::nullopt};
  PersonFields p;
  p.id = "CB1";
  p.full_name = "TRẦN   THỊ hà";
  p.agency = "stttt";
  e.person = p;
  auto canon = CanonicalizeEvent(e);
  ASSERT_TRUE(canon.ok()) << canon.error();
  EXPECT_EQ(*canon->person->full_name, "Trần Thị Hà");
  EXPECT_EQ(canon->decision.issuer, "Sở Thông tin và Truyền thông");

  e.person->agency.reset();
  e.to_agency = "x";
  auto bad = CanonicalizeEvent(e);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().detail,
            "to_agency: not allowed for a hire; person.agency: required for a hire");
}

}  // namespace
}  // namespace danhba::model
