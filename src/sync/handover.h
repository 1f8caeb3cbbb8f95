// The handover channel of initial passwords (docs/lifecycle.md): one CSV file
// per agency, <dir>/<agency code>.csv, header "uid,email,full_name,password,event_id",
// one line per password set. The directory is 0700 and the files 0600, so only
// the daemon's user (and root) can read them; the operator collects and deletes
// them. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::sync {

struct HandoverLine {
  std::string agency;  // file name: validated agency code
  std::string uid;
  std::string email;
  std::string full_name;
  std::string password;
  std::string event_id;
};

class Handover {
 public:
  explicit Handover(std::string dir) : dir_(std::move(dir)) {}

  // Appends the lines (grouped by agency file) and fsyncs each file touched.
  Status Write(const std::vector<HandoverLine>& lines);
  // Whether <agency>.csv holds a line for `event_id`.
  Result<bool> Has(std::string_view agency, std::string_view event_id);

  const std::string& dir() const { return dir_; }

 private:
  Status EnsureDir();
  std::string PathOf(std::string_view agency) const;

  std::mutex mutex_;
  std::string dir_;
  bool dir_ready_ = false;
};

// A new initial password as hiring issues it: 16 letters and digits that
// cannot be mistaken for each other on paper (OpenSSL RAND).
Result<std::string> GenerateInitialPassword();

// One CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string CsvField(std::string_view value);

}  // namespace danhba::sync
