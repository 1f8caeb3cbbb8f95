// Validation shared by event.cc (the rules) and event_json.cc (the JSON form).
// Internal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/event.h"

namespace danhba::model::internal {

inline constexpr std::size_t kMaxProblems = 20;

// "path.key", or "key" at the top.
std::string At(std::string_view path, std::string_view key);
// "path[index]".
std::string At(std::string_view path, std::size_t index);

// Problems of one event, each "<path>: <reason>".
class Problems {
 public:
  void Add(std::string_view path, std::string_view why) {
    if (list_.size() >= kMaxProblems) return;
    list_.push_back(std::string(path) + ": " + std::string(why));
  }
  void Add(std::string_view path, const Error& error) { Add(path, error.detail); }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  Error ToError() const {
    std::string detail;
    for (const std::string& item : list_) {
      if (!detail.empty()) detail.append("; ");
      detail.append(item);
    }
    return InvalidInput(std::move(detail));
  }

 private:
  std::vector<std::string> list_;
};

// Formats, limits, clean-up (NFC, proper case, full_name filled in) and what
// each type takes (event_rules.h). Paths are relative to `path`.
void CheckEvent(Event& event, std::string_view path, Problems& problems);

// What a stored event needs to be applied at all, whatever the rules of the
// day: the parts its type acts on (the required ones of event_rules.h).
// Formats and limits are not looked at.
void CheckStoredShape(const Event& event, Problems& problems);

}  // namespace danhba::model::internal
