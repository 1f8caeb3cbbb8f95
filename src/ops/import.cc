#include "danhba/ops/import.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "danhba/base/strings.h"
#include "danhba/model/fields.h"
#include "danhba/naming/address.h"

namespace danhba::ops {
namespace {

using model::EventType;

bool HasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// XLSX cells are Unicode: legacy font text in them is the cp1252 reading of
// the font's bytes.
text::Encoding ForXlsx(text::Encoding encoding) {
  switch (encoding) {
    case text::Encoding::kTcvn3:
      return text::Encoding::kTcvn3AsCp1252;
    case text::Encoding::kVni:
      return text::Encoding::kVniAsCp1252;
    case text::Encoding::kViscii:
      return text::Encoding::kVisciiAsCp1252;
    case text::Encoding::kCp1258:
      return text::Encoding::kCp1258AsCp1252;
    default:
      return encoding;
  }
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string OptionalText(const std::optional<std::string>& s) { return s ? Quote(*s) : "(none)"; }

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

Result<StaffFile> ReadStaffFile(std::string_view bytes, std::optional<text::Encoding> encoding) {
  StaffFile file;
  file.sha256 = Sha256Hex(bytes);
  file.xlsx = model::IsXlsx(bytes);
  std::vector<model::TableRow> rows;
  std::vector<model::RowError> errors;
  if (file.xlsx) {
    DANHBA_ASSIGN_OR_RETURN(auto read, model::ReadXlsx(bytes));
    rows = std::move(read);
  } else {
    DANHBA_ASSIGN_OR_RETURN(auto read, model::ReadCsv(bytes));
    rows = std::move(read.rows);
    errors = std::move(read.errors);
  }

  // One encoding per column (never per cell): the column's own evidence when
  // it decides, else the whole file's.
  std::size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.cells.size());
  std::vector<text::Encoding> column_encoding(columns, text::Encoding::kUtf8);
  if (encoding) {
    std::fill(column_encoding.begin(), column_encoding.end(),
              file.xlsx ? ForXlsx(*encoding) : *encoding);
  } else {
    std::vector<std::string_view> all;
    std::vector<std::vector<std::string_view>> per_column(columns);
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.cells.size(); ++c) {
        if (!HasNonAscii(row.cells[c])) continue;
        all.push_back(row.cells[c]);
        per_column[c].push_back(row.cells[c]);
      }
    }
    std::optional<text::Detection> whole;
    for (std::size_t c = 0; c < columns; ++c) {
      if (per_column[c].empty()) continue;
      text::Detection detection = text::DetectEncoding(per_column[c]);
      if (!detection.decided) {
        if (!whole) whole = text::DetectEncoding(all);
        // Too few words to prove anything (a one-person list), but UTF-8 reads
        // everything and is the best reading: legacy 8-bit text is almost never
        // valid UTF-8, so this is not a guess between encodings.
        if (!whole->decided && whole->encoding == text::Encoding::kUtf8 &&
            std::all_of(all.begin(), all.end(), [](std::string_view cell) {
              return text::Decode(cell, text::Encoding::kUtf8).ok();
            })) {
          whole->decided = true;
        }
        if (!whole->decided) {
          return InvalidInput("cannot tell the text encoding of the file (" + whole->reason +
                              "); give it with --encoding utf-8|tcvn3|vni|viscii|cp1258");
        }
        detection = *whole;
      }
      column_encoding[c] = detection.encoding;
      if (detection.encoding != text::Encoding::kUtf8) {
        file.encoding_notes.push_back("column " + std::to_string(c + 1) + ": " +
                                      std::string(text::EncodingName(detection.encoding)));
      }
    }
  }

  std::vector<model::TableRow> decoded;
  decoded.reserve(rows.size());
  for (auto& row : rows) {
    bool good = true;
    for (std::size_t c = 0; c < row.cells.size() && good; ++c) {
      if (column_encoding[c] == text::Encoding::kUtf8 && !HasNonAscii(row.cells[c])) continue;
      auto text = text::Decode(row.cells[c], column_encoding[c]);
      if (!text.ok()) {
        errors.push_back(
            {row.line, "column " + std::to_string(c + 1) + ": " + text.error().detail});
        good = false;
        break;
      }
      row.cells[c] = std::move(text).value();
    }
    if (good) decoded.push_back(std::move(row));
  }
  auto list = model::ReadStaffTable(decoded);
  if (!list.ok()) return list.take_error();
  file.list = std::move(list).value();
  file.list.errors.insert(file.list.errors.end(), errors.begin(), errors.end());
  std::stable_sort(file.list.errors.begin(), file.list.errors.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return file;
}

std::string_view ToString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreate:
      return "create";
    case ChangeKind::kRehire:
      return "rehire";
    case ChangeKind::kUpdate:
      return "update";
    case ChangeKind::kUnchanged:
      return "unchanged";
    case ChangeKind::kOtherAgency:
      return "other_agency";
    case ChangeKind::kTransfer:
      return "transfer";
    case ChangeKind::kMissing:
      return "missing";
    case ChangeKind::kLeave:
      return "leave";
    case ChangeKind::kError:
      return "error";
  }
  return "unknown";
}

std::vector<model::Event> ImportPlan::Events() const {
  std::vector<model::Event> events;
  for (const auto& change : changes) {
    if (change.event) events.push_back(*change.event);
  }
  return events;
}

model::Decision DefaultDecision(std::string_view agency, const model::Date& today) {
  std::string date = today.ToString();
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  return {"import-" + std::string(agency) + "-" + date, today, "danhba import", std::nullopt};
}

std::string ImportEventId(std::string_view agency, std::string_view file_sha256,
                          std::string_view person_id, model::EventType type) {
  std::string id = "import:" + std::string(agency) + ":" + std::string(file_sha256.substr(0, 16)) +
                   ":" + std::string(person_id) + ":" + std::string(model::ToString(type));
  if (id.size() <= model::kMaxIdLength) return id;
  return "import:" + std::string(agency) + ":" + Sha256Hex(id);
}

Result<ImportPlan> PlanImport(const model::StaffList& list, std::string_view file_sha256,
                              const DirectorySnapshot& snapshot, const ImportOptions& options) {
  const std::string& agency = options.agency;
  if (Status valid = model::CheckAgencyCode(agency); !valid.ok()) {
    return InvalidInput("--agency: " + valid.error().detail);
  }
  if (!(options.max_remove_share >= 0 && options.max_remove_share <= 1)) {
    return InvalidInput("--max-remove-share: " + std::to_string(options.max_remove_share) +
                        " is not a share between 0 and 1");
  }
  if (!snapshot.active_agencies.count(agency)) {
    return NotFound("agency '" + agency +
                    "' is not in the directory (or no longer active): create it first "
                    "(an agency.create event)");
  }

  std::unordered_map<std::string_view, const DirectoryPerson*> by_id;
  by_id.reserve(snapshot.people.size());
  std::size_t active_here = 0;
  for (const auto& person : snapshot.people) {
    by_id[person.person_id] = &person;
    if (person.active && person.agency_code == agency) ++active_here;
  }
  std::unordered_set<std::string_view> on_list;
  for (const auto& row : list.rows) on_list.insert(row.person_id);
  std::vector<const DirectoryPerson*> missing;
  for (const auto& person : snapshot.people) {
    if (person.active && person.agency_code == agency && !on_list.count(person.person_id)) {
      missing.push_back(&person);
    }
  }
  std::sort(missing.begin(), missing.end(),
            [](const auto* a, const auto* b) { return a->uid < b->uid; });

  if (options.remove_missing) {
    if (list.rows.empty()) {
      return InvalidInput(
          "--remove-missing with a list without one readable person: refusing to "
          "remove the whole agency '" +
          agency + "'");
    }
    if (!list.errors.empty()) {
      return InvalidInput("--remove-missing refused: " + std::to_string(list.errors.size()) +
                          " row(s) could not be read (first at line " +
                          std::to_string(list.errors.front().line) +
                          "), and their people would count as missing; fix the list first");
    }
    if (active_here > 0 && static_cast<double>(missing.size()) >
                               options.max_remove_share * static_cast<double>(active_here)) {
      char share[32];
      std::snprintf(share, sizeof share, "%.0f%%",
                    100.0 * static_cast<double>(missing.size()) / static_cast<double>(active_here));
      char limit[32];
      std::snprintf(limit, sizeof limit, "%.0f%%", 100.0 * options.max_remove_share);
      return InvalidInput("--remove-missing would remove " + std::to_string(missing.size()) +
                          " of the " + std::to_string(active_here) + " people of '" + agency +
                          "' (" + share + ", more than --max-remove-share " + limit +
                          "): check the list, or raise --max-remove-share");
    }
  }

  ImportPlan plan;
  plan.agency = agency;
  plan.file_sha256 = std::string(file_sha256);
  std::set<std::string> taken = snapshot.taken;

  auto make_event = [&](EventType type, model::PersonFields person) {
    model::Event event;
    event.id = ImportEventId(agency, file_sha256, person.id, type);
    event.type = type;
    event.decision = options.decision;
    event.person = std::move(person);
    return event;
  };
  // Canonical events only: a row whose event would be rejected is an error now.
  auto set_event = [&](PlannedChange& change, model::Event event) {
    auto canonical = model::CanonicalizeEvent(std::move(event));
    if (!canonical.ok()) {
      change.kind = ChangeKind::kError;
      change.reason = canonical.error().detail;
      return false;
    }
    change.event = std::move(canonical).value();
    return true;
  };

  std::vector<PlannedChange> changes;
  changes.reserve(list.rows.size() + list.errors.size() + missing.size());
  for (const auto& row : list.rows) {
    PlannedChange change;
    change.line = row.line;
    change.person_id = row.person_id;
    change.full_name = row.full_name;
    auto found = by_id.find(row.person_id);
    if (found == by_id.end()) {
      change.kind = ChangeKind::kCreate;
      model::PersonFields person = model::ToPersonFields(row, agency);
      if (!set_event(change, make_event(EventType::kHire, std::move(person)))) {
        changes.push_back(std::move(change));
        continue;
      }
      if (options.allocator) {
        auto address = naming::AddressFor(row.full_name);
        if (!address.ok()) {
          change.kind = ChangeKind::kError;
          change.reason = address.error().detail;
          change.event.reset();
        } else {
          naming::AllocationRequest request;
          request.base = address->local_part.value;
          if (row.birth_date) request.birth_year = row.birth_date->year();
          request.agency_code = agency;
          auto allocation = options.allocator->Allocate(request, [&taken](std::string_view local) {
            return taken.count(std::string(local)) > 0;
          });
          if (!allocation.ok()) {
            change.kind = ChangeKind::kError;
            change.reason = allocation.error().detail;
            change.event.reset();
          } else {
            change.uid = allocation->local_part;
            change.address_step = allocation->step;
            taken.insert(allocation->local_part);
          }
        }
      }
      changes.push_back(std::move(change));
      continue;
    }
    const DirectoryPerson& person = *found->second;
    change.uid = person.uid;
    if (person.full_name != row.full_name) {
      change.details.push_back("name differs: directory " + Quote(person.full_name) + ", list " +
                               Quote(row.full_name) + " (not changed)");
    }
    if (!person.active) {
      change.kind = ChangeKind::kRehire;
      set_event(change, make_event(EventType::kHire, model::ToPersonFields(row, agency)));
      changes.push_back(std::move(change));
      continue;
    }
    model::PersonFields fields;
    fields.id = row.person_id;
    bool differs = false;
    if (row.title && row.title != person.title) {
      change.details.push_back("title: " + OptionalText(person.title) + " -> " + Quote(*row.title));
      fields.title = std::optional<std::string>(*row.title);
      differs = true;
    }
    if (row.phone && row.phone != person.phone) {
      change.details.push_back("phone: " + OptionalText(person.phone) + " -> " + Quote(*row.phone));
      fields.phone = std::optional<std::string>(*row.phone);
      differs = true;
    }
    if (person.agency_code != agency) {
      change.other_agency = person.agency_code;
      if (options.transfer) {
        change.kind = ChangeKind::kTransfer;
        model::Event event = make_event(EventType::kTransfer, std::move(fields));
        event.to_agency = agency;
        set_event(change, std::move(event));
      } else {
        change.kind = ChangeKind::kOtherAgency;
      }
    } else if (differs) {
      change.kind = ChangeKind::kUpdate;
      set_event(change, make_event(EventType::kUpdate, std::move(fields)));
    } else {
      change.kind = ChangeKind::kUnchanged;
    }
    changes.push_back(std::move(change));
  }
  for (const auto& error : list.errors) {
    PlannedChange change;
    change.kind = ChangeKind::kError;
    change.line = error.line;
    change.reason = error.reason;
    changes.push_back(std::move(change));
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  for (const DirectoryPerson* person : missing) {
    PlannedChange change;
    change.person_id = person->person_id;
    change.full_name = person->full_name;
    change.uid = person->uid;
    if (options.remove_missing) {
      change.kind = ChangeKind::kLeave;
      model::PersonFields fields;
      fields.id = person->person_id;
      set_event(change, make_event(EventType::kLeave, std::move(fields)));
    } else {
      change.kind = ChangeKind::kMissing;
    }
    changes.push_back(std::move(change));
  }

  PlanCounts& counts = plan.counts;
  for (const auto& change : changes) {
    switch (change.kind) {
      case ChangeKind::kCreate:
      case ChangeKind::kRehire:
        ++counts.created;
        break;
      case ChangeKind::kUpdate:
        ++counts.updated;
        break;
      case ChangeKind::kUnchanged:
        ++counts.unchanged;
        break;
      case ChangeKind::kOtherAgency:
        ++counts.other_agency;
        break;
      case ChangeKind::kTransfer:
        ++counts.other_agency, ++counts.transferred;
        break;
      case ChangeKind::kMissing:
        ++counts.missing;
        break;
      case ChangeKind::kLeave:
        ++counts.missing, ++counts.removed;
        break;
      case ChangeKind::kError:
        ++counts.errors;
        break;
    }
  }
  plan.changes = std::move(changes);
  return plan;
}

std::string FormatSummary(const PlanCounts& c) {
  std::string out = "created " + std::to_string(c.created) + ", updated " +
                    std::to_string(c.updated) + ", unchanged " + std::to_string(c.unchanged) +
                    ", missing " + std::to_string(c.missing);
  if (c.removed) out += " (removed " + std::to_string(c.removed) + ")";
  out += ", other agency " + std::to_string(c.other_agency);
  if (c.transferred) out += " (transferred " + std::to_string(c.transferred) + ")";
  out += ", errors " + std::to_string(c.errors);
  return out;
}

namespace {

std::string ChangeLine(const PlannedChange& change, const EventStatus* status) {
  std::ostringstream out;
  if (change.line) {
    out << "line " << change.line << ": ";
  } else {
    out << "not on the list: ";
  }
  out << ToString(change.kind);
  if (!change.person_id.empty()) out << " " << change.person_id;
  if (!change.full_name.empty()) out << " " << change.full_name;
  if (!change.uid.empty()) out << " <" << change.uid << ">";
  if (!change.address_step.empty() && change.address_step != "tencbcc") {
    out << " (" << change.address_step << ")";
  }
  if (!change.other_agency.empty()) out << " now in '" << change.other_agency << "'";
  for (const auto& detail : change.details) out << "; " << detail;
  if (!change.reason.empty()) out << ": " << change.reason;
  if (status)
    out << " [" << status->state << (status->detail.empty() ? "" : ": " + status->detail) << "]";
  return out.str();
}

}  // namespace

std::string FormatPlan(const ImportPlan& plan, bool dry_run) {
  return FormatStatuses(plan, {}) + (dry_run ? "dry run: nothing was changed\n" : "");
}

std::string FormatStatuses(const ImportPlan& plan, const std::vector<EventStatus>& statuses) {
  std::unordered_map<std::string_view, const EventStatus*> by_id;
  for (const auto& s : statuses) by_id[s.event_id] = &s;
  std::string out;
  for (const auto& change : plan.changes) {
    if (change.kind == ChangeKind::kUnchanged && change.details.empty()) continue;
    const EventStatus* status = nullptr;
    if (change.event) {
      auto found = by_id.find(change.event->id);
      if (found != by_id.end()) status = found->second;
    }
    out += ChangeLine(change, status);
    out += "\n";
  }
  out += "agency " + plan.agency + ": " + FormatSummary(plan.counts) + "\n";
  return out;
}

std::string PlanToJson(const ImportPlan& plan, bool dry_run,
                       const std::vector<EventStatus>& statuses) {
  using nlohmann::json;
  std::unordered_map<std::string_view, const EventStatus*> by_id;
  for (const auto& s : statuses) by_id[s.event_id] = &s;
  json out;
  out["agency"] = plan.agency;
  out["file_sha256"] = plan.file_sha256;
  out["dry_run"] = dry_run;
  const PlanCounts& c = plan.counts;
  out["counts"] = {{"created", c.created},         {"updated", c.updated},
                   {"unchanged", c.unchanged},     {"missing", c.missing},
                   {"removed", c.removed},         {"other_agency", c.other_agency},
                   {"transferred", c.transferred}, {"errors", c.errors}};
  json changes = json::array();
  for (const auto& change : plan.changes) {
    json item;
    item["kind"] = ToString(change.kind);
    if (change.line) item["line"] = change.line;
    if (!change.person_id.empty()) item["person_id"] = change.person_id;
    if (!change.full_name.empty()) item["full_name"] = change.full_name;
    if (!change.uid.empty()) item["uid"] = change.uid;
    if (!change.address_step.empty()) item["address_step"] = change.address_step;
    if (!change.other_agency.empty()) item["other_agency"] = change.other_agency;
    if (!change.details.empty()) item["details"] = change.details;
    if (!change.reason.empty()) item["reason"] = change.reason;
    if (change.event) {
      item["event_id"] = change.event->id;
      item["event_type"] = model::ToString(change.event->type);
      auto found = by_id.find(change.event->id);
      if (found != by_id.end()) {
        item["status"] = found->second->state;
        if (!found->second->detail.empty()) item["result"] = found->second->detail;
      }
    }
    changes.push_back(std::move(item));
  }
  out["changes"] = std::move(changes);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace danhba::ops
