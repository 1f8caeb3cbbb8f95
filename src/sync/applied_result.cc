// The applied result and its journal form ("uid=annv mail=annv@dongnai.gov.vn").
#include <utility>
#include <vector>

#include "danhba/sync/engine.h"

namespace danhba::sync {

std::string AppliedResult::ToString() const {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view value) {
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    out += value;
  };
  if (person()) {
    add("uid", uid);
  } else {
    add("agency", agency);
  }
  if (!mail.empty()) add("mail", mail);
  if (into) add("into", *into);
  if (alias) add("alias", *alias);
  if (renamed_from) add("renamed_from", *renamed_from);
  if (certificate) add("certificate", *certificate);
  return out;
}

std::optional<AppliedResult> ParseAppliedResult(std::string_view detail) {
  AppliedResult r;
  bool first = true;
  while (!detail.empty()) {
    const std::size_t space = detail.find(' ');
    const std::string_view token = detail.substr(0, space);
    detail = space == std::string_view::npos ? std::string_view() : detail.substr(space + 1);
    const std::size_t eq = token.find('=');
    if (eq == std::string_view::npos || eq + 1 == token.size()) return std::nullopt;
    const std::string_view key = token.substr(0, eq);
    std::string value(token.substr(eq + 1));
    if (first) {
      // The first key says what kind of result it is.
      if (key == "uid") {
        r.uid = std::move(value);
      } else if (key == "agency") {
        r.agency = std::move(value);
      } else {
        return std::nullopt;
      }
      first = false;
      continue;
    }
    if (key == "mail" && r.mail.empty()) {
      r.mail = std::move(value);
    } else if (key == "alias" && !r.alias) {
      r.alias = std::move(value);
    } else if (key == "into" && !r.person() && !r.into) {
      r.into = std::move(value);
    } else if (key == "renamed_from" && !r.person() && !r.renamed_from) {
      r.renamed_from = std::move(value);
    } else if (key == "certificate" && r.person()) {
      // The last key; its value runs to the end.
      if (!detail.empty()) value.append(" ").append(detail);
      r.certificate = std::move(value);
      break;
    } else {
      return std::nullopt;
    }
  }
  if (first) return std::nullopt;
  return r;
}

}  // namespace danhba::sync
