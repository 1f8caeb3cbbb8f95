#include "danhba/ldap/filter.h"

#include "ldap/escape_internal.h"

namespace danhba::ldap {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; }

// numericoid = number 1*( DOT number ); number = DIGIT / ( LDIGIT 1*DIGIT )
bool IsNumericOid(std::string_view s) {
  std::size_t parts = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
    if (i - start > 1 && s[start] == '0') return false;
    ++parts;
    if (i == s.size()) return parts >= 2;
    if (s[i] != '.') return false;
    ++i;
  }
}

bool IsKeystring(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

std::string Simple(std::string_view attribute, std::string_view op, std::string_view value) {
  std::string text = "(";
  text += attribute;
  text += op;
  text += EscapeFilterValue(value);
  text += ')';
  return text;
}

}  // namespace

std::string EscapeFilterValue(std::string_view value) {
  return internal::EscapeUtf8Value(
      value, value.size(), [](unsigned char c, std::size_t, std::string& out) {
        if (c == '*' || c == '(' || c == ')' || c == '\\' || internal::IsAsciiControl(c)) {
          internal::AppendHexEscape(c, out);
        } else {
          out.push_back(static_cast<char>(c));
        }
      });
}

bool IsAttributeDescription(std::string_view attribute) {
  const std::size_t semi = attribute.find(';');
  const std::string_view type = attribute.substr(0, semi);
  if (!IsKeystring(type) && !IsNumericOid(type)) return false;
  if (semi == std::string_view::npos) return true;
  std::string_view options = attribute.substr(semi + 1);
  while (true) {
    const std::size_t next = options.find(';');
    const std::string_view option = options.substr(0, next);
    if (option.empty()) return false;
    for (char c : option) {
      if (!IsKeyChar(c)) return false;
    }
    if (next == std::string_view::npos) return true;
    options = options.substr(next + 1);
  }
}

Filter Filter::Invalid(std::string detail) {
  Filter filter{std::string()};
  filter.error_ = std::move(detail);
  return filter;
}

#define DANHBA_CHECK_ATTRIBUTE(attribute)                                                  \
  do {                                                                                     \
    if (!IsAttributeDescription(attribute)) {                                              \
      return Invalid("filter: \"" + EscapeFilterValue(attribute) +                         \
                     "\" is not an attribute description (a name like \"cn\" or an OID)"); \
    }                                                                                      \
  } while (false)

Filter Filter::Eq(std::string_view attribute, std::string_view value) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  return Filter(Simple(attribute, "=", value));
}

Filter Filter::Ge(std::string_view attribute, std::string_view value) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  return Filter(Simple(attribute, ">=", value));
}

Filter Filter::Le(std::string_view attribute, std::string_view value) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  return Filter(Simple(attribute, "<=", value));
}

Filter Filter::Approx(std::string_view attribute, std::string_view value) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  return Filter(Simple(attribute, "~=", value));
}

Filter Filter::Present(std::string_view attribute) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  return Filter("(" + std::string(attribute) + "=*)");
}

Filter Filter::Substring(std::string_view attribute, std::string_view initial,
                         const std::vector<std::string>& any, std::string_view final_part) {
  DANHBA_CHECK_ATTRIBUTE(attribute);
  std::string text = "(";
  text += attribute;
  text += '=';
  text += EscapeFilterValue(initial);
  text += '*';
  for (const std::string& part : any) {
    if (part.empty()) continue;
    text += EscapeFilterValue(part);
    text += '*';
  }
  text += EscapeFilterValue(final_part);
  text += ')';
  if (text.size() == attribute.size() + 4) return Present(attribute);  // "(a=*)"
  return Filter(std::move(text));
}

Filter Filter::Contains(std::string_view attribute, std::string_view value) {
  return Substring(attribute, {}, {std::string(value)}, {});
}

Filter Filter::StartsWith(std::string_view attribute, std::string_view value) {
  return Substring(attribute, value, {}, {});
}

#undef DANHBA_CHECK_ATTRIBUTE

Filter Filter::And(std::vector<Filter> parts) {
  if (parts.empty()) return Invalid("filter: an AND needs at least one part");
  std::string text = "(&";
  for (const Filter& part : parts) {
    if (part.error_) return part;
    text += part.text_;
  }
  text += ')';
  return Filter(std::move(text));
}

Filter Filter::Or(std::vector<Filter> parts) {
  if (parts.empty()) return Invalid("filter: an OR needs at least one part");
  std::string text = "(|";
  for (const Filter& part : parts) {
    if (part.error_) return part;
    text += part.text_;
  }
  text += ')';
  return Filter(std::move(text));
}

Filter Filter::Not(Filter part) {
  if (part.error_) return part;
  return Filter("(!" + part.text_ + ")");
}

Status Filter::Check() const {
  if (error_) return InvalidInput(*error_);
  return Ok();
}

std::string Filter::ToString() const {
  if (error_) return "(!(objectClass=*))";
  return text_;
}

}  // namespace danhba::ldap
