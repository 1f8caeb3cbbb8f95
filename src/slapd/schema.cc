#include "danhba/slapd/schema.h"

#include <vector>

namespace danhba::slapd {
namespace {

struct Definition {
  int number;                             // kOidArc.<kind>.<number>
  std::string_view name;
  std::string_view description;
  std::vector<std::string_view> clauses;  // everything after DESC, one clause a line
};

// Dates (birth, decision, effective) are GeneralizedTime at midnight UTC,
// "YYYYMMDD000000Z", so that ordering and range filters work in the server.
// References are DN syntax with distinguishedNameMatch so slapo-refint keeps them
// right across renames and deletes.
const std::vector<Definition>& AttributeTypes() {
  static const std::vector<Definition> kTypes = {
      {1, "danhbaPersonId", "private stable identity of a person (employee number or citizen id)",
       {"EQUALITY caseExactMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{64}", "SINGLE-VALUE"}},
      {2, "danhbaStatus", "lifecycle state: active or left (agencies: active, merged, dissolved)",
       {"EQUALITY caseIgnoreMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32}", "SINGLE-VALUE"}},
      {3, "danhbaAgencyDN", "the agency a person works for",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12",
        "SINGLE-VALUE"}},
      {4, "danhbaDecisionDN", "decisions that caused changes to this entry",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12"}},
      {5, "danhbaBirthDate", "date of birth, YYYYMMDD000000Z",
       {"EQUALITY generalizedTimeMatch", "ORDERING generalizedTimeOrderingMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.24", "SINGLE-VALUE"}},
      {6, "danhbaMailAlias", "former addresses that still deliver here (after renames and merges)",
       {"EQUALITY caseIgnoreIA5Match", "SUBSTR caseIgnoreIA5SubstringsMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256}"}},
      {7, "danhbaAgencyCode", "short code of an agency, the local part of its address",
       {"EQUALITY caseIgnoreIA5Match", "SUBSTR caseIgnoreIA5SubstringsMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{64}", "SINGLE-VALUE"}},
      {8, "danhbaParentDN", "the agency this agency belongs to",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12",
        "SINGLE-VALUE"}},
      {9, "danhbaHeadDN", "the head of an agency, who manages its mailbox",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12",
        "SINGLE-VALUE"}},
      {10, "danhbaDelegateDN", "staff the head has delegated the agency mailbox to",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12"}},
      {11, "danhbaEventId", "id given by the sender to the event that carried a decision",
       {"EQUALITY caseExactMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{128}", "SINGLE-VALUE"}},
      {12, "danhbaDecisionNumber", "number of a decision, e.g. 123/QD-SNV",
       {"EQUALITY caseIgnoreMatch", "SUBSTR caseIgnoreSubstringsMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{128}", "SINGLE-VALUE"}},
      {13, "danhbaDecisionDate", "date a decision was signed, YYYYMMDD000000Z",
       {"EQUALITY generalizedTimeMatch", "ORDERING generalizedTimeOrderingMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.24", "SINGLE-VALUE"}},
      {14, "danhbaDecisionIssuer", "the body that issued a decision",
       {"EQUALITY caseIgnoreMatch", "SUBSTR caseIgnoreSubstringsMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256}", "SINGLE-VALUE"}},
      {15, "danhbaDecisionType", "kind of event: hire, transfer, update, leave, agency.create, ...",
       {"EQUALITY caseIgnoreMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{64}", "SINGLE-VALUE"}},
      {16, "danhbaSubjectDN", "the entries a decision is about",
       {"EQUALITY distinguishedNameMatch", "SYNTAX 1.3.6.1.4.1.1466.115.121.1.12"}},
      {17, "danhbaEffectiveDate", "date a decision takes effect, YYYYMMDD000000Z",
       {"EQUALITY generalizedTimeMatch", "ORDERING generalizedTimeOrderingMatch",
        "SYNTAX 1.3.6.1.4.1.1466.115.121.1.24", "SINGLE-VALUE"}},
  };
  return kTypes;
}

const std::vector<Definition>& ObjectClasses() {
  static const std::vector<Definition> kClasses = {
      {1, "danhbaPerson", "a civil servant: added to an inetOrgPerson",
       {"SUP top AUXILIARY", "MUST danhbaPersonId",
        "MAY ( danhbaStatus $ danhbaAgencyDN $ danhbaDecisionDN $ danhbaBirthDate $ "
        "danhbaMailAlias $ danhbaEventId )"}},
      {2, "danhbaAgency", "a state agency: added to an organizationalUnit",
       {"SUP top AUXILIARY", "MUST danhbaAgencyCode",
        "MAY ( displayName $ cn $ o $ title $ mail $ danhbaMailAlias $ danhbaParentDN $ "
        "danhbaHeadDN $ danhbaDelegateDN $ danhbaStatus $ danhbaDecisionDN $ "
        "userCertificate )"}},
      {3, "danhbaDecision", "an applied personnel or organisational decision",
       {"SUP top STRUCTURAL", "MUST danhbaEventId",
        "MAY ( danhbaDecisionNumber $ danhbaDecisionDate $ danhbaDecisionIssuer $ "
        "danhbaDecisionType $ danhbaSubjectDN $ danhbaEffectiveDate $ cn $ description )"}},
  };
  return kClasses;
}

// "( OID NAME 'x' DESC '...' clauses )", one part a line, each continuation line
// starting with `indent`.
std::string Render(int kind, const Definition& definition, std::string_view indent) {
  std::string out = "( " + std::string(kOidArc) + "." + std::to_string(kind) + "." +
                    std::to_string(definition.number);
  out += "\n";
  out += indent;
  out += "NAME '" + std::string(definition.name) + "'";
  out += "\n";
  out += indent;
  out += "DESC '" + std::string(definition.description) + "'";
  for (std::string_view clause : definition.clauses) {
    out += "\n";
    out += indent;
    out += clause;
  }
  out += " )";
  return out;
}

constexpr std::string_view kHeader =
    "# danhba schema: people, agencies and decisions of the provincial mail directory.\n"
    "# Requires core, cosine and inetorgperson.\n"
    "# OID arc 2.25.267220334230899552087003423827931856245 (UUID-derived, ITU-T X.667):\n"
    "#   .1.N attribute types, .2.N object classes.\n"
    "# Generated by danhba-slapd-config --schema; do not edit by hand.\n";

}  // namespace

std::string SchemaText() {
  std::string out(kHeader);
  out += "\n";
  for (const Definition& type : AttributeTypes()) {
    out += "attributetype " + Render(1, type, "\t") + "\n\n";
  }
  for (const Definition& object_class : ObjectClasses()) {
    out += "objectclass " + Render(2, object_class, "\t") + "\n\n";
  }
  out.pop_back();
  return out;
}

std::string SchemaLdif() {
  std::string out(kHeader);
  out +=
      "dn: cn=danhba,cn=schema,cn=config\n"
      "objectClass: olcSchemaConfig\n"
      "cn: danhba\n";
  // An LDIF continuation line is one space followed by the text; the text itself
  // starts with a space so that the joined value reads "( OID NAME ...".
  for (const Definition& type : AttributeTypes()) {
    out += "olcAttributeTypes: " + Render(1, type, "  ") + "\n";
  }
  for (const Definition& object_class : ObjectClasses()) {
    out += "olcObjectClasses: " + Render(2, object_class, "  ") + "\n";
  }
  return out;
}

}  // namespace danhba::slapd
