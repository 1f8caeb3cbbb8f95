// Vietnamese collation for listings (ICU's "vi" tailoring): a < ă < â, d < đ,
// e < ê, o < ô < ơ, u < ư as letters; tones order words that are otherwise equal
// (ngang, huyền, hỏi, ngã, sắc, nặng); case last.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::text {

class Collator {
 public:
  // The Vietnamese collator. A config error when the ICU data lacks "vi".
  static Result<Collator> Vietnamese();

  Collator(Collator&&) noexcept;
  Collator& operator=(Collator&&) noexcept;
  ~Collator();

  // A byte string whose plain byte order (std::string operator<, memcmp) is the
  // Vietnamese order of `utf8`; keep it beside the text and sort by it. Invalid
  // UTF-8 sorts as U+FFFD.
  std::string SortKey(std::string_view utf8) const;

  // <0, 0 or >0 as `a` sorts before, with or after `b`.
  int Compare(std::string_view a, std::string_view b) const;

  // Sort key for listing people the Vietnamese way: by given name (tên), then
  // middle names (chữ lót), then family name (họ); "Nguyễn Văn An" is filed
  // under An. Compare keys field by field: a given name that is a prefix of
  // another sorts first whatever the other fields hold.
  std::string PersonSortKey(std::string_view given, std::string_view middle,
                            std::string_view family) const;

  // Not safe for concurrent use: give each thread its own (cheap: ICU shares the data).
  Result<Collator> Clone() const;

 private:
  struct Impl;
  explicit Collator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::text
