// The spool directory: files dropped by operators or scripts, taken in by the
// daemon (docs/import.md, "Spool").
//
//   <dir>/incoming/   complete files only: write them under a name starting
//                     with '.' or ending in ".tmp", then rename (rename is
//                     atomic, so a half-written file is never read)
//   <dir>/done/       processed files, each with <name>.report.json beside it
//   <dir>/failed/     files that could not be processed at all, or whose
//                     events were all refused, with <name>.report.json
//
// Accepted files:
//   *.json                           events: one object or an array, as the
//                                    ingest API takes them (sender "spool")
//   <agency>.csv|xlsx                a staff list of agency <agency>, imported as
//   <agency>__<anything>.csv|xlsx    `danhba import --agency <agency>` would (no
//                                    removals, no transfers: reported only)
// Other names go to failed/ with a report saying what names are taken.
//
// Events are journaled; the daemon's sync engine applies them (on_appended
// wakes it). Reports list each event's status at the time of processing.
//
// Not thread-safe: one ScanOnce at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/journal/journal.h"
#include "danhba/model/date.h"
#include "danhba/naming/allocation.h"
#include "danhba/ops/import.h"

namespace danhba::ops {

// The journal sender name of spooled events.
inline constexpr std::string_view kSpoolSender = "spool";

struct SpoolOptions {
  std::filesystem::path dir;  // required; incoming/, done/, failed/ are created
  // Used for simulated addresses in staff-list reports; none shown when null.
  const naming::Allocator* allocator = nullptr;
};

struct SpoolServices {
  journal::Journal* journal = nullptr;  // required
  // The directory as reconciliation sees it (LoadSnapshot); required for staff lists.
  std::function<Result<DirectorySnapshot>()> snapshot;
  // Called after events were newly journaled (the engine's Notify).
  std::function<void()> on_appended;
  // Today's date in the province, for the default decision of staff lists.
  std::function<model::Date()> today;
};

// What happened to one file.
struct SpoolFileResult {
  std::string name;                   // as it was in incoming/
  bool ok = false;                    // moved to done/ (else failed/)
  std::filesystem::path moved_to;     // the file's new path
  std::filesystem::path report;       // its report
  std::string summary;                // one line
};

class Spool {
 public:
  Spool(SpoolOptions options, SpoolServices services);

  // Creates incoming/, done/ and failed/ when missing.
  Status Prepare();

  // Processes every complete file now in incoming/, in name order. A file
  // whose processing fails for a passing reason (the directory or journal
  // unreachable) stays in incoming/ for the next scan; its error is returned
  // once every other file was looked at.
  Result<std::vector<SpoolFileResult>> ScanOnce();

  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  Result<SpoolFileResult> Process(const std::filesystem::path& path);

  SpoolOptions options_;
  SpoolServices services_;
};

// <data_dir>/spool.
std::filesystem::path DefaultSpoolDir(const std::filesystem::path& data_dir);

// Whether a name in incoming/ is a complete file to take ("x.csv" yes;
// ".x.csv", "x.csv.tmp", "x.csv.part" no).
bool IsCompleteSpoolName(std::string_view name);

// The agency code of a staff-list file name ("stttt.csv", "stttt__2026-11.xlsx"
// -> "stttt"); an invalid-input error for other names.
Result<std::string> SpoolAgencyOf(std::string_view name);

}  // namespace danhba::ops
