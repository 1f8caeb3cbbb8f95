#include "danhba/text/collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>

#include <array>
#include <string>

namespace danhba::text {

struct Collator::Impl {
  std::unique_ptr<icu::Collator> collator;

  void AppendKey(std::string_view utf8, std::string& out) const {
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    std::array<uint8_t, 256> buffer;
    int32_t length = collator->getSortKey(text, buffer.data(), static_cast<int32_t>(buffer.size()));
    if (length <= static_cast<int32_t>(buffer.size())) {
      out.append(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(length));
      return;
    }
    const std::size_t start = out.size();
    out.resize(start + static_cast<std::size_t>(length));
    collator->getSortKey(text, reinterpret_cast<uint8_t*>(out.data() + start), length);
  }
};

Collator::Collator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Collator::Collator(Collator&&) noexcept = default;
Collator& Collator::operator=(Collator&&) noexcept = default;
Collator::~Collator() = default;

Result<Collator> Collator::Vietnamese() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> collator(icu::Collator::createInstance(icu::Locale("vi"), status));
  if (U_FAILURE(status) || collator == nullptr) {
    return ConfigError(std::string("cannot create the Vietnamese collator: ") +
                       u_errorName(status));
  }
  if (status == U_USING_DEFAULT_WARNING || status == U_USING_FALLBACK_WARNING) {
    return ConfigError("the ICU data on this machine has no Vietnamese collation (\"vi\")");
  }
  auto impl = std::make_unique<Impl>();
  impl->collator = std::move(collator);
  return Collator(std::move(impl));
}

Result<Collator> Collator::Clone() const {
  std::unique_ptr<icu::Collator> copy(impl_->collator->clone());
  if (copy == nullptr) return Internal("cannot copy the Vietnamese collator: out of memory");
  auto impl = std::make_unique<Impl>();
  impl->collator = std::move(copy);
  return Collator(std::move(impl));
}

std::string Collator::SortKey(std::string_view utf8) const {
  std::string key;
  impl_->AppendKey(utf8, key);
  return key;
}

int Collator::Compare(std::string_view a, std::string_view b) const {
  UErrorCode status = U_ZERO_ERROR;
  const UCollationResult result = impl_->collator->compareUTF8(
      icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
      icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
  if (U_FAILURE(status)) return a.compare(b);
  return static_cast<int>(result);
}

std::string Collator::PersonSortKey(std::string_view given, std::string_view middle,
                                    std::string_view family) const {
  // Each ICU key ends in its only zero byte, so concatenated keys compare field
  // by field.
  std::string key;
  key.reserve(3 * 24);
  impl_->AppendKey(given, key);
  impl_->AppendKey(middle, key);
  impl_->AppendKey(family, key);
  return key;
}

}  // namespace danhba::text
