#include "sync/address_claims.h"

#include <utility>

namespace danhba::sync {

AddressClaims::Claim::Claim(Claim&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), local_part_(std::move(other.local_part_)) {}

AddressClaims::Claim& AddressClaims::Claim::operator=(Claim&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    local_part_ = std::move(other.local_part_);
  }
  return *this;
}

void AddressClaims::Claim::Release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->Release(local_part_);
}

std::optional<AddressClaims::Claim> AddressClaims::TryClaim(const std::string& local_part) {
  std::lock_guard lock(mutex_);
  if (!claimed_.insert(local_part).second) return std::nullopt;
  return Claim(this, local_part);
}

void AddressClaims::Release(const std::string& local_part) {
  std::lock_guard lock(mutex_);
  claimed_.erase(local_part);
}

bool AddressClaims::KnownTaken(const std::string& local_part) const {
  std::lock_guard lock(taken_mutex_);
  return taken_.count(local_part) > 0;
}

void AddressClaims::NoteTaken(const std::string& local_part) {
  std::lock_guard lock(taken_mutex_);
  if (taken_.size() < kMaxTakenCache) taken_.insert(local_part);
}

Result<AddressClaims::Claim> CandidateWalk::Next(const IsTaken& is_taken) {
  while (true) {
    const std::size_t attempt = seen_++;
    auto candidate = sequence_.Next();
    if (!candidate.ok()) {
      return NotFound("no free address for " + full_name_ + ": " + candidate.error().detail);
    }
    if (limits_.max_attempts && attempt > *limits_.max_attempts) {
      return NotFound("no free address for " + full_name_ + ": too many taken");
    }
    const std::string& c = candidate->local_part;
    if (limits_.own && c == *limits_.own) return AddressClaims::Claim::Unowned(c);
    if (attempt < limits_.skip) continue;
    if (limits_.taken_here && limits_.taken_here->count(c)) continue;
    if (claims_.KnownTaken(c)) continue;
    DANHBA_ASSIGN_OR_RETURN(auto taken, is_taken(c));
    if (taken) {
      claims_.NoteTaken(c);
      continue;
    }
    auto claim = claims_.TryClaim(c);
    if (!claim) continue;  // another worker is adding it
    return std::move(*claim);
  }
}

}  // namespace danhba::sync
