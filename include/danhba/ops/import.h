// Agency staff lists into the directory (R6, `danhba import`): reading a list in
// any of the encodings agencies send, reconciling it against a snapshot of the
// directory, and the events that make the directory match (docs/import.md).
//
// Reconciliation is a pure function of (list, snapshot, options), by person id:
//   on the list, not in the directory          -> create: a hire event
//   on the list, left earlier (ou=former)      -> rehire: a hire event (same address, R3)
//   in the agency, title or phone differs      -> update: an update event
//   in the agency, nothing differs             -> unchanged
//   in another agency                          -> other_agency (reported), or a
//                                                 transfer event with `transfer`
//   in the agency, not on the list             -> missing (reported), or a
//                                                 leave event with `remove_missing`
//   a row that cannot be read                  -> error, with its line
// A blank title or phone cell never clears a value in the directory: lists are
// often partial, and a cleared phone must come from a decision (an update event).
//
// Events have deterministic ids, "import:<agency>:<first 16 hex of the file's
// SHA-256>:<person id>:<type>", so importing the same file twice journals them
// once.
//
// All functions are thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/event.h"
#include "danhba/model/staff_list.h"
#include "danhba/naming/allocation.h"
#include "danhba/text/legacy.h"

namespace danhba::ops {

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// A staff list file, read and decoded.
struct StaffFile {
  model::StaffList list;
  std::string sha256;             // of the file's bytes
  bool xlsx = false;
  // How the text was read, per column that needed it: "Họ và tên: tcvn3 (...)".
  std::vector<std::string> encoding_notes;
};

// Reads a CSV (UTF-8 with or without BOM, or a legacy encoding) or XLSX staff
// list. `encoding` nullopt detects the encoding per column (text::DetectEncoding
// over the column's raw cells, falling back to the whole file's cells when a
// column alone is not enough); a given encoding is used for every cell (for
// XLSX, whose cells are Unicode, a legacy encoding means its font text, i.e.
// the "+cp1252" form). A cell that does not decode makes its row a RowError.
// Errors (nothing read): a column, or the file, whose encoding cannot be told
// (the message says to pass --encoding), and those of the model readers.
Result<StaffFile> ReadStaffFile(std::string_view bytes,
                                std::optional<text::Encoding> encoding = std::nullopt);

// A person of the directory, as reconciliation needs it.
struct DirectoryPerson {
  std::string person_id;
  std::string uid;
  std::string agency_code;
  std::string full_name;
  std::optional<std::string> title;
  std::optional<std::string> phone;
  bool active = true;  // false: has left (under ou=former, or status "left")

  friend bool operator==(const DirectoryPerson&, const DirectoryPerson&) = default;
};

struct DirectorySnapshot {
  // Every person entry with a person id, active or not.
  std::vector<DirectoryPerson> people;
  // Local parts in use anywhere (people, former staff, agency codes, aliases):
  // the is-taken answer for simulated allocation.
  std::set<std::string> taken;
  // Agency codes that exist and are active.
  std::set<std::string> active_agencies;
};

enum class ChangeKind {
  kCreate,
  kRehire,
  kUpdate,
  kUnchanged,
  kOtherAgency,  // reported only
  kTransfer,
  kMissing,      // reported only
  kLeave,
  kError,
};

// "create", "rehire", "update", "unchanged", "other_agency", "transfer",
// "missing", "leave", "error".
std::string_view ToString(ChangeKind kind);

struct PlannedChange {
  ChangeKind kind = ChangeKind::kUnchanged;
  std::size_t line = 0;  // line (row) in the file; 0 for people not on the list
  std::string person_id;
  std::string full_name;
  // The address: the existing one, or (create) the one allocation would give
  // when the events are applied in list order.
  std::string uid;
  std::string address_step;  // create: how the address was found ("tencbcc", "numeric suffix 1")
  std::string other_agency;  // other_agency, transfer: where the person is now
  // What differs, one item each: "title: \"A\" -> \"B\"", "name differs: ...".
  std::vector<std::string> details;
  std::string reason;        // error: why the row was refused
  std::optional<model::Event> event;  // the event that makes the change, if any
};

struct PlanCounts {
  std::size_t created = 0;  // creates and rehires
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t missing = 0;  // not on the list (also those turned into leaves)
  std::size_t removed = 0;  // leave events
  std::size_t other_agency = 0;  // in another agency (also those turned into transfers)
  std::size_t transferred = 0;
  std::size_t errors = 0;
};

struct ImportPlan {
  std::string agency;
  std::string file_sha256;
  std::vector<PlannedChange> changes;  // list rows in line order, then people not on the list
  PlanCounts counts;

  // The events of the plan, in order.
  std::vector<model::Event> Events() const;
};

struct ImportOptions {
  std::string agency;  // agency code, required
  bool remove_missing = false;
  // remove_missing is refused when it would remove more than this share of the
  // agency's active people (0..1).
  double max_remove_share = 0.2;
  bool transfer = false;
  model::Decision decision;
  // Simulated allocation for creates; no addresses are shown when null.
  const naming::Allocator* allocator = nullptr;
};

// The decision of an import when the operator gives none (R22): number
// "import-<agency>-<YYYYMMDD>", dated `today`, issued by "danhba import".
model::Decision DefaultDecision(std::string_view agency, const model::Date& today);

// "import:<agency>:<sha256 prefix>:<person id>:<type>"; when that is longer
// than model::kMaxIdLength, "import:<agency>:<SHA-256 of that id>".
std::string ImportEventId(std::string_view agency, std::string_view file_sha256,
                          std::string_view person_id, model::EventType type);

// The plan for `list` of `options.agency` against `snapshot`. Errors (nothing
// planned): an invalid or unknown/inactive agency (not-found), remove_missing
// with an empty list or one that would remove more than max_remove_share of
// the agency (invalid input, naming the counts), max_remove_share outside 0..1.
Result<ImportPlan> PlanImport(const model::StaffList& list, std::string_view file_sha256,
                              const DirectorySnapshot& snapshot, const ImportOptions& options);

// Per-row lines and the summary, for people ("created 3, updated 1, ...").
// `results`, when given, are the final statuses by event id ("applied uid=...").
std::string FormatPlan(const ImportPlan& plan, bool dry_run);
// One JSON object: agency, file_sha256, dry_run, counts, changes[] (kind, line,
// person_id, full_name, uid, address_step, other_agency, details, reason,
// event_id, status, result).
struct EventStatus {
  std::string event_id;
  std::string state;   // queued, scheduled, applied, rejected
  std::string detail;  // applied: "uid=... mail=..."; rejected: the reason
};
std::string FormatSummary(const PlanCounts& counts);
std::string PlanToJson(const ImportPlan& plan, bool dry_run,
                       const std::vector<EventStatus>& statuses = {});
std::string FormatStatuses(const ImportPlan& plan, const std::vector<EventStatus>& statuses);

}  // namespace danhba::ops
