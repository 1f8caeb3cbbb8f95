// Addresses: which ones a worker is adding right now (claims), which ones are
// known to be taken, and the one walk through a person's candidate addresses
// that hires and re-addressing updates share.
//
// Namesakes hired at the same moment by two workers get different candidates
// instead of one failing its add; the directory stays the arbiter against
// other writers.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>

#include "danhba/base/result.h"
#include "danhba/naming/allocation.h"

namespace danhba::sync {

class AddressClaims {
 public:
  // Held while the address is being added; released when the claim is
  // destroyed or Release()d, on every path, so an address is never left
  // claimed by a hire that failed on the way. A claim with no owner stands
  // for an address the person already has (nothing to release).
  class Claim {
   public:
    Claim() = default;
    Claim(Claim&& other) noexcept;
    Claim& operator=(Claim&& other) noexcept;
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    ~Claim() { Release(); }

    void Release();
    const std::string& local_part() const { return local_part_; }

    static Claim Unowned(std::string local_part) { return Claim(nullptr, std::move(local_part)); }

   private:
    friend class AddressClaims;
    Claim(AddressClaims* owner, std::string local_part)
        : owner_(owner), local_part_(std::move(local_part)) {}

    AddressClaims* owner_ = nullptr;
    std::string local_part_;
  };

  // The claim, or nothing when another worker holds it.
  std::optional<Claim> TryClaim(const std::string& local_part);

  // Addresses are never released (R9), so one seen taken stays taken: a cache
  // that spares a search per candidate when many people share a name.
  bool KnownTaken(const std::string& local_part) const;
  void NoteTaken(const std::string& local_part);

 private:
  void Release(const std::string& local_part);

  std::mutex mutex_;
  std::unordered_set<std::string> claimed_;  // guarded by mutex_

  static constexpr std::size_t kMaxTakenCache = 1 << 20;
  mutable std::mutex taken_mutex_;
  std::unordered_set<std::string> taken_;  // guarded by taken_mutex_
};

// A person's candidate addresses in the operator's policy order, each one
// skipped when known taken or claimed by another worker, else asked about
// (`is_taken`, the directory) and claimed when free. The one loop behind a
// hire's address and an update's new address.
class CandidateWalk {
 public:
  struct Limits {
    std::size_t skip = 0;  // candidates passed over first (a retry after a conflict)
    std::optional<std::size_t> max_attempts;            // give up after this many candidates
    const std::set<std::string>* taken_here = nullptr;  // used by the same batch
    // The person's current address: reaching it ends the walk with an
    // unowned claim on it (the name gives the address the person has).
    std::optional<std::string> own;
  };
  using IsTaken = std::function<Result<bool>(const std::string& local_part)>;

  CandidateWalk(AddressClaims& claims, naming::CandidateSequence sequence, std::string full_name,
                Limits limits)
      : claims_(claims),
        sequence_(std::move(sequence)),
        full_name_(std::move(full_name)),
        limits_(std::move(limits)) {}

  // The next free candidate, claimed; NotFound ("no free address for <name>:
  // ...") when the policy has none left; the error of `is_taken` as it is.
  Result<AddressClaims::Claim> Next(const IsTaken& is_taken);

 private:
  AddressClaims& claims_;
  naming::CandidateSequence sequence_;
  std::string full_name_;
  Limits limits_;
  std::size_t seen_ = 0;
};

}  // namespace danhba::sync
