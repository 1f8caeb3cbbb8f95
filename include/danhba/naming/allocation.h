// What happens when a tencbcc is already taken (R2): the operator's collision
// policy turns it into a deterministic sequence of candidates; the first one that
// is free wins. Personal addresses, agency addresses and reserved role names share
// one namespace, so reserved names are never candidates and the caller's "is it
// taken" answer covers both people and agencies.
//
// Two ways to use it:
//  - Allocate(request, is_taken): the first candidate for which is_taken is false;
//  - Candidates(request): the sequence itself, for a caller that lets LDAP arbitrate
//    (try an add, move to the next candidate on alreadyExists).
//
// Policies (configuration key naming.collision):
//  - numeric:    annv, annv1, annv2, ... (from numeric_start);
//  - birth_year: annv, annv1990, then numeric on the tencbcc: annv1, annv2, ...;
//  - agency:     annv, annv.stttt (tencbcc, a dot, the agency code, so the two parts
//                stay readable and can never run together into another tencbcc),
//                then numeric: annv1, annv2, ...
// A birth year or agency code the request lacks skips that step (the explanation
// says so). An explicit address chosen by the operator is the only candidate: it
// is validated and never suffixed.
//
// Allocator is immutable after Create and safe to share between threads;
// CandidateSequence is a value owned by one caller.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/naming/address.h"

namespace danhba::naming {

enum class CollisionPolicy { kNumeric, kBirthYear, kAgency };

// "numeric", "birth_year", "agency".
std::string_view ToString(CollisionPolicy policy);
// The inverse of ToString; anything else is an invalid-input error listing the choices.
Result<CollisionPolicy> ParseCollisionPolicy(std::string_view name);

// Role and system mailboxes never given to a person: postmaster, abuse, hostmaster,
// webmaster, mailer-daemon, root, admin, noreply, info and the rest of RFC 2142.
const std::vector<std::string>& DefaultReservedNames();

struct NamingPolicy {
  CollisionPolicy collision = CollisionPolicy::kNumeric;
  // First number of a numeric suffix: 1 gives annv, annv1, annv2.
  unsigned numeric_start = 1;
  std::size_t max_length = kDefaultMaxLocalPartLength;
  // How many candidates a sequence holds at most before giving up.
  std::size_t max_candidates = 10000;
  // Never returned (compared without case). Agency codes may be listed here too
  // (e.g. the codes of merged agencies kept as aliases).
  std::vector<std::string> reserved = DefaultReservedNames();
};

// What the caller knows about the person, beyond the tencbcc.
struct AllocationRequest {
  // The tencbcc (MakeLocalPart), or empty when `explicit_local_part` is set.
  std::string base;
  std::optional<int> birth_year;  // used by the birth_year policy; 1000..9999
  std::string agency_code;        // used by the agency policy
  // The operator's own choice: validated, never suffixed, must be free.
  std::string explicit_local_part;
};

struct Candidate {
  std::string local_part;
  // The policy step that gave it, e.g. "tencbcc", "birth year 1990",
  // "numeric suffix 2", "agency code stttt", "explicit address".
  std::string step;
};

// The candidates of one request, in order, reserved names left out.
class CandidateSequence {
 public:
  // The next candidate; a not-found error (saying why) when the sequence is
  // exhausted: the explicit address was returned, max_candidates were produced,
  // or the next suffix would make the local part longer than max_length.
  Result<Candidate> Next();
  // Candidate n (0-based) of the same sequence, independent of Next().
  Result<Candidate> At(std::size_t n) const;
  // Why candidates were left out so far by Next() (reserved names, skipped steps).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  friend class Allocator;
  struct Spec {
    std::string base;  // the tencbcc, or the explicit address
    bool is_explicit = false;
    std::string extra;       // the policy's own step (birth year, agency), if it fits
    std::string extra_step;  // how it was made
    unsigned numeric_start = 1;
    std::size_t max_length = kDefaultMaxLocalPartLength;
    std::size_t max_candidates = 0;
  };

  CandidateSequence(Spec spec, std::shared_ptr<const std::vector<std::string>> reserved,
                    std::vector<std::string> notes);
  // Raw candidate i before reserved names are left out; past the end, nullopt and
  // why in `end`.
  std::optional<Candidate> Raw(std::size_t i, std::string& end) const;
  bool IsReserved(std::string_view local_part) const;

  Spec spec_;
  std::shared_ptr<const std::vector<std::string>> reserved_;  // sorted, lower case
  std::size_t next_raw_ = 0;
  std::vector<std::string> notes_;
};

// A free address and how it was found.
struct Allocation {
  std::string local_part;
  std::string step;
  // One line per candidate tried: "annv is taken", "annv1 (numeric suffix 1) is free".
  std::vector<std::string> explanation;
};

using IsTaken = std::function<bool(std::string_view local_part)>;

class Allocator {
 public:
  // Checks the policy: max_length 1..64, max_candidates >= 1, reserved names
  // valid local parts. A bad policy is a config error saying which setting.
  static Result<Allocator> Create(NamingPolicy policy);

  // Errors (invalid input): no base and no explicit address; a base or explicit
  // address that is not a valid local part; an explicit address that is
  // reserved; a birth year outside 1000..9999; an agency code that is not one
  // (ValidateAgencyCode).
  Result<CandidateSequence> Candidates(const AllocationRequest& request) const;

  // The first candidate for which is_taken is false. Errors: those of Candidates;
  // a conflict when an explicit address is taken; a conflict when the sequence
  // is exhausted (naming the last candidate tried).
  Result<Allocation> Allocate(const AllocationRequest& request, const IsTaken& is_taken) const;

  // True when `local_part` (compared without case) is on the reserved list.
  bool IsReserved(std::string_view local_part) const;

  const NamingPolicy& policy() const { return policy_; }

 private:
  Allocator(NamingPolicy policy, std::shared_ptr<const std::vector<std::string>> reserved)
      : policy_(std::move(policy)), reserved_(std::move(reserved)) {}
  NamingPolicy policy_;
  std::shared_ptr<const std::vector<std::string>> reserved_;  // sorted, lower case
};

}  // namespace danhba::naming
