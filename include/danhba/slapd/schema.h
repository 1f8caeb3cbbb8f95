// The danhba LDAP schema: attribute types and object classes of our own, used
// beside the standard ones (core, cosine, inetOrgPerson).
//
// Every OID lives under one arc derived from a UUID (ITU-T X.667, "2.25.<uuid
// as a decimal integer>"), which needs no registration:
//   kOidArc.1.N  attribute types
//   kOidArc.2.N  object classes
// An OID, once published, is never reused for anything else.
//
// The definitions are held in code (schema.cc) and rendered in two formats:
// slapd.conf style (schema/danhba.schema) and cn=config LDIF (schema/danhba.ldif).
// The checked-in files are tested to equal these renderings.
#pragma once

#include <string>
#include <string_view>

namespace danhba::slapd {

inline constexpr std::string_view kOidArc = "2.25.267220334230899552087003423827931856245";

// Schema names, for code that builds entries and filters.
namespace attr {
// Person (auxiliary class danhbaPerson on inetOrgPerson).
inline constexpr std::string_view kPersonId = "danhbaPersonId";      // private stable id (R3)
inline constexpr std::string_view kStatus = "danhbaStatus";          // "active" or "left"
inline constexpr std::string_view kAgencyDn = "danhbaAgencyDN";      // the person's agency
inline constexpr std::string_view kDecisionDn = "danhbaDecisionDN";  // decisions applied (R22)
inline constexpr std::string_view kBirthDate = "danhbaBirthDate";    // GeneralizedTime, private
inline constexpr std::string_view kMailAlias = "danhbaMailAlias";    // old addresses kept
// Agency (auxiliary class danhbaAgency on organizationalUnit). The agency's full
// name is the standard displayName; its address the standard mail.
inline constexpr std::string_view kAgencyCode = "danhbaAgencyCode";  // short code, e.g. stttt
inline constexpr std::string_view kParentDn = "danhbaParentDN";
inline constexpr std::string_view kHeadDn = "danhbaHeadDN";          // R20
inline constexpr std::string_view kDelegateDn = "danhbaDelegateDN";  // R20
// Decision (structural class danhbaDecision under ou=decisions).
inline constexpr std::string_view kEventId = "danhbaEventId";  // sender's idempotency key; the RDN
inline constexpr std::string_view kDecisionNumber = "danhbaDecisionNumber";
inline constexpr std::string_view kDecisionDate = "danhbaDecisionDate";
inline constexpr std::string_view kDecisionIssuer = "danhbaDecisionIssuer";
inline constexpr std::string_view kDecisionType = "danhbaDecisionType";
inline constexpr std::string_view kSubjectDn = "danhbaSubjectDN";
inline constexpr std::string_view kEffectiveDate = "danhbaEffectiveDate";
}  // namespace attr

namespace object_class {
inline constexpr std::string_view kPerson = "danhbaPerson";      // AUXILIARY
inline constexpr std::string_view kAgency = "danhbaAgency";      // AUXILIARY
inline constexpr std::string_view kDecision = "danhbaDecision";  // STRUCTURAL
}  // namespace object_class

// The schema in slapd.conf format (what schema/danhba.schema holds).
std::string SchemaText();

// The schema as one cn=config entry, "cn=danhba,cn=schema,cn=config" (what
// schema/danhba.ldif holds), loadable with slapadd -n0 or ldapadd.
std::string SchemaLdif();

}  // namespace danhba::slapd
