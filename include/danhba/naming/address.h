// The personal address rule of Decision 70/2009/QĐ-UBND, Article 4.2 (R1):
// the local part is "tencbcc" = tên (the given name) + chữ cái đầu của họ (the
// first letter of the family name) + chữ cái đầu của chữ lót (the first letter of
// each middle name), without diacritics, in lower case:
//   Nguyễn Văn An -> annv, Tôn Thất Thuyết -> thuyettt, Điểu K'Nam -> knamd.
//
// All functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/naming/name.h"

namespace danhba::naming {

// RFC 5321 allows 64 octets in a local part.
inline constexpr std::size_t kDefaultMaxLocalPartLength = 64;

struct LocalPart {
  // Always matches ^[a-z0-9]+$.
  std::string value;
  // Which words gave which letters, when asked for (explain = true).
  std::vector<std::string> explanation;
};

// The tencbcc of `name`: the ASCII fold of the given name, then the first letter
// of each word of the family name, then of each middle name, in order.
// Errors (invalid input): the given name folds to nothing ("name '...' has no
// letters"), or the result is longer than `max_length`
// ("Nguyễn ...: local part '...' is longer than 64").
Result<LocalPart> MakeLocalPart(const PersonName& name,
                                std::size_t max_length = kDefaultMaxLocalPartLength,
                                bool explain = false);

// A parsed name and its local part, from one call.
struct NamedAddress {
  PersonName name;
  LocalPart local_part;
};

struct AddressOptions {
  std::size_t max_length = kDefaultMaxLocalPartLength;
  bool explain = false;
};

// ParseName + MakeLocalPart: the whole rule for one full name.
Result<NamedAddress> AddressFor(std::string_view full_name, const AddressOptions& options = {});
// NameFromFields + MakeLocalPart.
Result<NamedAddress> AddressFor(const NameFields& fields, const AddressOptions& options = {});

// The local part alone, reusing `out`'s storage: for loops over many names.
// Same result and errors as AddressFor(full_name).local_part.value.
Status AppendLocalPart(std::string_view full_name, std::string& out,
                       std::size_t max_length = kDefaultMaxLocalPartLength);

// Ok when `local_part` is an RFC 5321 Dot-string (atoms of atext joined by single
// dots) of at most `max_length` octets that this directory accepts: atoms of
// lower-case ASCII letters, digits, '-' and '_' only (no other atext symbols, no
// upper case: uids are compared without case and addresses are published), with
// at least one letter. Otherwise an invalid-input error saying what is wrong,
// e.g. "local part 'an..nv' has an empty part between dots".
Status ValidateLocalPart(std::string_view local_part,
                         std::size_t max_length = kDefaultMaxLocalPartLength);

}  // namespace danhba::naming
