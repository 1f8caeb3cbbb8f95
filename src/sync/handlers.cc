// What the handler families share: dispatch, agencies, names and DNs.
#include "sync/handlers.h"

#include <type_traits>

#include "danhba/ldap/dn.h"
#include "sync/certificate.h"

namespace danhba::sync {

using directory::AgencyRecord;
using directory::PersonRecord;

Applied Handlers::Apply(const model::TypedEvent& event) {
  // One overload of Handle per alternative: a new type without one does not compile.
  return std::visit([this](const auto& ev) { return Handle(ev); }, event);
}

Result<AgencyRecord> Handlers::ActiveAgency(const std::string& code) {
  if (auto known = agencies_.find(code); known != agencies_.end()) return known->second;
  DANHBA_ASSIGN_OR_RETURN(auto found, dir_.FindAgency(code));
  if (!found) return NotFound(UnknownAgency(code));
  if (found->status != directory::kStatusActive) {
    return NotFound("agency '" + code + "' is " + found->status);
  }
  return agencies_.emplace(code, *found).first->second;
}

// Why `code` names no agency; when its address is another agency's alias, the
// agency was renamed (the sender may not know yet), and that is said.
std::string Handlers::UnknownAgency(const std::string& code) {
  std::string why = "unknown agency '" + code + "'";
  const std::string address = code + "@" + dir_.domain();
  auto renamed = dir_.FindAgencyByAddress(address);
  if (renamed.ok() && *renamed && (*renamed)->code != code) {
    why += ": it was renamed to '" + (*renamed)->code + "' (" + address +
           " is an alias of its address)";
  }
  return why;
}

bool Handlers::InFormer(const std::string& dn) const { return InSubtree(dn, layout_.former_dn); }

AppliedResult Handlers::PersonResult(const directory::PersonRecord& r,
                                     const model::EventHeader& h,
                                     const model::PersonFields& p) const {
  AppliedResult out = PersonResult(r);
  out.certificate = internal::CertificateNote(h.id, p, r.mail, Now());
  return out;
}

AppliedResult Handlers::AgencyResult(const AgencyRecord& a) const {
  AppliedResult r;
  r.agency = a.code;
  r.mail = a.mail.value_or(a.code + "@" + dir_.domain());
  return r;
}

Result<naming::PersonName> NameOf(const model::PersonFields& p) {
  if (p.family_name && p.given_name) {
    std::string middle;
    if (p.middle_names) {
      for (const auto& m : *p.middle_names) middle += (middle.empty() ? "" : " ") + m;
    }
    return naming::NameFromFields({*p.family_name, middle, *p.given_name});
  }
  if (p.full_name) return naming::ParseName(*p.full_name);
  return InvalidInput("no name given");
}

bool HasName(const model::PersonFields& p) {
  return p.full_name || p.family_name || p.given_name || p.middle_names;
}

void ApplyName(const naming::PersonName& name, PersonRecord& r) {
  r.full_name = name.full_name;
  r.family_name = name.family_name;
  r.given_name = name.given_name;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string DnKey(std::string_view dn) {
  // The directory hands back DNs in its own spelling; parsed, spaces and
  // escapes no longer matter, and case is folded as the directory folds it.
  auto parsed = ldap::Dn::Parse(dn);
  return Lower(parsed.ok() ? parsed->ToString() : std::string(dn));
}

bool SameDn(std::string_view a, std::string_view b) {
  auto pa = ldap::Dn::Parse(a);
  auto pb = ldap::Dn::Parse(b);
  if (pa.ok() && pb.ok()) return *pa == *pb;
  return Lower(a) == Lower(b);
}

bool InSubtree(std::string_view dn, std::string_view parent) {
  auto child = ldap::Dn::Parse(dn);
  auto ancestor = ldap::Dn::Parse(parent);
  if (!child.ok() || !ancestor.ok()) return false;
  return child->IsDescendantOf(*ancestor);
}

}  // namespace danhba::sync
