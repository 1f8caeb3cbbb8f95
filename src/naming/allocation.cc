#include "danhba/naming/allocation.h"

#include <algorithm>

#include "danhba/base/strings.h"
#include "danhba/naming/agency_code.h"
#include "naming/letters.h"

namespace danhba::naming {
namespace {

using internal::Quote;

}  // namespace

std::string_view ToString(CollisionPolicy policy) {
  switch (policy) {
    case CollisionPolicy::kNumeric:
      return "numeric";
    case CollisionPolicy::kBirthYear:
      return "birth_year";
    case CollisionPolicy::kAgency:
      return "agency";
  }
  return "numeric";
}

Result<CollisionPolicy> ParseCollisionPolicy(std::string_view name) {
  for (const auto policy :
       {CollisionPolicy::kNumeric, CollisionPolicy::kBirthYear, CollisionPolicy::kAgency}) {
    if (name == ToString(policy)) return policy;
  }
  return InvalidInput("collision policy " + Quote(name) +
                      " is not one of 'numeric', 'birth_year', 'agency'");
}

const std::vector<std::string>& DefaultReservedNames() {
  // RFC 2142 role mailboxes, the usual system senders, and the names mail
  // software answers to.
  static const std::vector<std::string> names = {
      "abuse",         "admin",      "administrator", "ftp",      "hostmaster", "info",
      "mailer-daemon", "marketing",  "news",          "no-reply", "noc",        "nobody",
      "noreply",       "postmaster", "root",          "sales",    "security",   "support",
      "usenet",        "uucp",       "webmaster",     "www"};
  return names;
}

CandidateSequence::CandidateSequence(Spec spec,
                                     std::shared_ptr<const std::vector<std::string>> reserved,
                                     std::vector<std::string> notes)
    : spec_(std::move(spec)), reserved_(std::move(reserved)), notes_(std::move(notes)) {}

bool CandidateSequence::IsReserved(std::string_view local_part) const {
  return std::binary_search(reserved_->begin(), reserved_->end(), local_part);
}

std::optional<Candidate> CandidateSequence::Raw(std::size_t i, std::string& end) const {
  if (spec_.is_explicit) {
    if (i == 0) return Candidate{spec_.base, "explicit address"};
    end = "an explicit address " + Quote(spec_.base) + " is never suffixed";
    return std::nullopt;
  }
  if (i >= spec_.max_candidates) {
    end =
        "the policy's limit of " + std::to_string(spec_.max_candidates) + " candidates was reached";
    return std::nullopt;
  }
  if (i == 0) return Candidate{spec_.base, "tencbcc"};
  std::size_t k = i - 1;
  if (!spec_.extra.empty()) {
    if (k == 0) return Candidate{spec_.extra, spec_.extra_step};
    --k;
  }
  const unsigned long long number = spec_.numeric_start + static_cast<unsigned long long>(k);
  std::string suffix = std::to_string(number);
  Candidate c{spec_.base + suffix, "numeric suffix " + suffix};
  if (c.local_part.size() > spec_.max_length) {
    end = "the next candidate " + Quote(c.local_part) + " would be longer than " +
          std::to_string(spec_.max_length);
    return std::nullopt;
  }
  return c;
}

Result<Candidate> CandidateSequence::Next() {
  for (;;) {
    std::string end;
    auto c = Raw(next_raw_, end);
    if (!c) return NotFound("no more candidates for " + Quote(spec_.base) + ": " + end);
    ++next_raw_;
    if (IsReserved(c->local_part)) {
      notes_.push_back(Quote(c->local_part) + " is a reserved name, skipped");
      continue;
    }
    return std::move(*c);
  }
}

Result<Candidate> CandidateSequence::At(std::size_t n) const {
  std::size_t seen = 0;
  for (std::size_t i = 0;; ++i) {
    std::string end;
    auto c = Raw(i, end);
    if (!c) return NotFound("no more candidates for " + Quote(spec_.base) + ": " + end);
    if (IsReserved(c->local_part)) continue;
    if (seen == n) return std::move(*c);
    ++seen;
  }
}

Result<Allocator> Allocator::Create(NamingPolicy policy) {
  if (policy.max_length < 1 || policy.max_length > kDefaultMaxLocalPartLength) {
    return ConfigError("naming: max_length " + std::to_string(policy.max_length) +
                       " is not between 1 and 64 (RFC 5321)");
  }
  if (policy.max_candidates < 1) return ConfigError("naming: max_candidates must be at least 1");
  auto reserved = std::make_shared<std::vector<std::string>>();
  reserved->reserve(policy.reserved.size());
  for (const auto& name : policy.reserved) {
    std::string lower = AsciiLower(name);
    if (auto ok = ValidateLocalPart(lower); !ok.ok()) {
      return ConfigError("naming: reserved name " + Quote(name) + ": " + ok.error().detail);
    }
    reserved->push_back(std::move(lower));
  }
  std::sort(reserved->begin(), reserved->end());
  reserved->erase(std::unique(reserved->begin(), reserved->end()), reserved->end());
  return Allocator(std::move(policy), std::move(reserved));
}

bool Allocator::IsReserved(std::string_view local_part) const {
  return std::binary_search(reserved_->begin(), reserved_->end(), AsciiLower(local_part));
}

Result<CandidateSequence> Allocator::Candidates(const AllocationRequest& request) const {
  CandidateSequence::Spec spec;
  spec.numeric_start = policy_.numeric_start;
  spec.max_length = policy_.max_length;
  spec.max_candidates = policy_.max_candidates;
  std::vector<std::string> notes;
  if (!request.explicit_local_part.empty()) {
    DANHBA_RETURN_IF_ERROR(ValidateLocalPart(request.explicit_local_part, policy_.max_length));
    if (IsReserved(request.explicit_local_part)) {
      return InvalidInput("address " + Quote(request.explicit_local_part) +
                          " is reserved and cannot be given to a person");
    }
    spec.base = request.explicit_local_part;
    spec.is_explicit = true;
    notes.push_back("explicit address " + Quote(spec.base) + " chosen by the operator");
    return CandidateSequence(std::move(spec), reserved_, std::move(notes));
  }
  if (request.base.empty()) {
    return InvalidInput("nothing to allocate from: no tencbcc and no explicit address");
  }
  DANHBA_RETURN_IF_ERROR(ValidateLocalPart(request.base, policy_.max_length));
  spec.base = request.base;
  if (request.birth_year && (*request.birth_year < 1000 || *request.birth_year > 9999)) {
    return InvalidInput("birth year " + std::to_string(*request.birth_year) +
                        " is not a four-digit year");
  }
  if (!request.agency_code.empty()) DANHBA_RETURN_IF_ERROR(ValidateAgencyCode(request.agency_code));

  switch (policy_.collision) {
    case CollisionPolicy::kNumeric:
      break;
    case CollisionPolicy::kBirthYear:
      if (request.birth_year) {
        spec.extra = spec.base + std::to_string(*request.birth_year);
        spec.extra_step = "birth year " + std::to_string(*request.birth_year);
      } else {
        notes.push_back("no birth year known: the birth_year step is skipped");
      }
      break;
    case CollisionPolicy::kAgency:
      if (!request.agency_code.empty()) {
        spec.extra = spec.base + "." + request.agency_code;
        spec.extra_step = "agency code " + request.agency_code;
      } else {
        notes.push_back("no agency known: the agency step is skipped");
      }
      break;
  }
  if (!spec.extra.empty() && spec.extra.size() > policy_.max_length) {
    notes.push_back(Quote(spec.extra) + " would be longer than " +
                    std::to_string(policy_.max_length) + ": the " + spec.extra_step +
                    " step is skipped");
    spec.extra.clear();
    spec.extra_step.clear();
  }
  return CandidateSequence(std::move(spec), reserved_, std::move(notes));
}

Result<Allocation> Allocator::Allocate(const AllocationRequest& request,
                                       const IsTaken& is_taken) const {
  auto sequence = Candidates(request);
  if (!sequence.ok()) return sequence.take_error();
  Allocation allocation;
  allocation.explanation.push_back("collision policy " + std::string(ToString(policy_.collision)));
  std::size_t notes_seen = 0;
  auto take_notes = [&] {
    const auto& notes = sequence->notes();
    for (; notes_seen < notes.size(); ++notes_seen)
      allocation.explanation.push_back(notes[notes_seen]);
  };
  std::string last;
  for (;;) {
    auto candidate = sequence->Next();
    take_notes();
    if (!candidate.ok()) {
      if (!request.explicit_local_part.empty()) {
        return Conflict("address " + Quote(request.explicit_local_part) +
                        " is already taken; an explicit address is never suffixed");
      }
      return Conflict(candidate.error().detail + " (last tried " + Quote(last) + ")");
    }
    if (is_taken(candidate->local_part)) {
      allocation.explanation.push_back(Quote(candidate->local_part) + " (" + candidate->step +
                                       ") is taken");
      last = std::move(candidate->local_part);
      continue;
    }
    allocation.explanation.push_back(Quote(candidate->local_part) + " (" + candidate->step +
                                     ") is free");
    allocation.local_part = std::move(candidate->local_part);
    allocation.step = std::move(candidate->step);
    return allocation;
  }
}

}  // namespace danhba::naming
