// Addresses a worker is adding right now. Namesakes hired at the same moment
// by two workers get different candidates instead of one failing its add; the
// directory stays the arbiter against other writers.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

namespace danhba::sync {

class AddressClaims {
 public:
  // Held while the address is being added; released when the claim is
  // destroyed or Release()d, on every path, so an address is never left
  // claimed by a hire that failed on the way.
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

   private:
    friend class AddressClaims;
    Claim(AddressClaims* owner, std::string local_part)
        : owner_(owner), local_part_(std::move(local_part)) {}

    AddressClaims* owner_ = nullptr;
    std::string local_part_;
  };

  // The claim, or nothing when another worker holds it.
  std::optional<Claim> TryClaim(const std::string& local_part);

 private:
  void Release(const std::string& local_part);

  std::mutex mutex_;
  std::unordered_set<std::string> claimed_;  // guarded by mutex_
};

}  // namespace danhba::sync
