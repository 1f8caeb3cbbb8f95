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

}  // namespace danhba::sync
