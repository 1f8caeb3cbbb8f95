#include "danhba/ops/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "danhba/base/clock.h"
#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/base/strings.h"
#include "danhba/model/date.h"
#include "danhba/model/fields.h"
#include "danhba/ops/import_runner.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::string> ReadAll(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Transient(path.string() + ": " + ec.message());
  if (size > model::kMaxStaffListBytes) {
    return InvalidInput("the file is larger than " + std::to_string(model::kMaxStaffListBytes >> 20) + " MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Transient(path.string() + ": cannot open the file");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A free name in `dir` for `name`: name, then name.1, name.2, ...
fs::path FreeName(const fs::path& dir, const std::string& name) {
  fs::path candidate = dir / name;
  for (int i = 1; fs::exists(candidate) || fs::exists(fs::path(candidate.string() + ".report.json")); ++i) {
    candidate = dir / (name + "." + std::to_string(i));
  }
  return candidate;
}

std::string Iso(journal::TimePoint t) { return base::FormatUtc(t); }

// The outcome of one file before it is moved.
struct Processed {
  bool ok = false;
  std::string summary;
  json report;
};

}  // namespace

fs::path DefaultSpoolDir(const fs::path& data_dir) { return data_dir / "spool"; }

bool IsCompleteSpoolName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  std::string lower = AsciiLower(name);
  return !EndsWith(lower, ".tmp") && !EndsWith(lower, ".part") && !EndsWith(lower, "~");
}

Result<std::string> SpoolAgencyOf(std::string_view name) {
  std::string lower = AsciiLower(name);
  std::string_view stem;
  if (EndsWith(lower, ".csv")) {
    stem = name.substr(0, name.size() - 4);
  } else if (EndsWith(lower, ".xlsx")) {
    stem = name.substr(0, name.size() - 5);
  } else {
    return InvalidInput(std::string(name) + ": not a staff list name (<agency>.csv, <agency>.xlsx or "
                                            "<agency>__<anything>.csv|xlsx) nor events (*.json)");
  }
  auto separator = stem.find("__");
  std::string code(stem.substr(0, separator));
  if (Status valid = model::CheckAgencyCode(code); !valid.ok()) {
    return InvalidInput(std::string(name) + ": the agency code before the extension (or before \"__\"): " +
                        valid.error().detail);
  }
  return code;
}

Spool::Spool(SpoolOptions options, SpoolServices services)
    : options_(std::move(options)), services_(std::move(services)) {}

Status Spool::Prepare() {
  for (const char* sub : {"incoming", "done", "failed"}) {
    std::error_code ec;
    fs::create_directories(options_.dir / sub, ec);
    if (ec) return ConfigError((options_.dir / sub).string() + ": " + ec.message());
  }
  return Ok();
}

Result<std::vector<SpoolFileResult>> Spool::ScanOnce() {
  DANHBA_RETURN_IF_ERROR(Prepare());
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir / "incoming", ec)) {
    if (!entry.is_regular_file()) continue;
    if (!IsCompleteSpoolName(entry.path().filename().string())) continue;
    files.push_back(entry.path());
  }
  if (ec) return ConfigError((options_.dir / "incoming").string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<SpoolFileResult> results;
  std::optional<Error> passing;
  for (const auto& path : files) {
    auto result = Process(path);
    if (!result.ok()) {
      log::Get("spool")->warn("{}: left for the next scan: {}", path.string(), result.error().detail);
      if (!passing) passing = result.error();
      continue;
    }
    results.push_back(std::move(result).value());
  }
  if (passing) return *passing;
  return results;
}

Result<SpoolFileResult> Spool::Process(const fs::path& path) {
  auto log = log::Get("spool");
  const std::string name = path.filename().string();
  Processed processed;
  processed.report["file"] = name;
  processed.report["processed_at"] =
      Iso(base::SystemNow());

  auto bytes = ReadAll(path);
  if (!bytes.ok() && bytes.error().code == ErrorCode::kTransient) return bytes.take_error();

  if (!bytes.ok()) {
    processed.summary = bytes.error().detail;
  } else if (EndsWith(AsciiLower(name), ".json")) {
    processed.report["kind"] = "events";
    auto batch = model::ParseEvents(*bytes);
    if (!batch.ok()) {
      processed.summary = "not events: " + batch.error().detail;
    } else {
      std::vector<journal::NewEvent> events;
      json items = json::array();
      std::vector<std::size_t> item_of;  // index in items of each journaled event
      for (auto& parsed : batch->events) {
        json item;
        item["id"] = parsed.id;
        if (!parsed.event.ok()) {
          item["status"] = "invalid";
          item["reason"] = parsed.event.error().detail;
        } else {
          const model::Event& event = *parsed.event;
          journal::NewEvent ne{event.id, std::string(kSpoolSender), model::ToJson(event), std::nullopt};
          if (event.effective_date) {
            ne.not_before = journal::TimePoint(event.effective_date->ToSysDays()) - std::chrono::hours(7);
          }
          events.push_back(std::move(ne));
          item_of.push_back(items.size());
        }
        items.push_back(std::move(item));
      }
      std::size_t accepted = 0;
      if (!events.empty()) {
        auto appended = services_.journal->Append(std::move(events));
        if (!appended.ok()) return appended.take_error();  // the journal: try again later
        for (std::size_t i = 0; i < appended->size(); ++i) {
          const auto& a = (*appended)[i];
          json& item = items[item_of[i]];
          item["status"] = std::string(journal::ToString(a.state));
          if (!a.detail.empty()) item["detail"] = a.detail;
          if (a.duplicate) item["duplicate"] = true;
          if (!a.duplicate) ++accepted;
        }
        if (accepted && services_.on_appended) services_.on_appended();
      }
      std::size_t invalid = batch->events.size() - item_of.size();
      processed.report["events"] = std::move(items);
      processed.ok = !item_of.empty();
      processed.summary = std::to_string(item_of.size()) + " event(s) journaled (" + std::to_string(accepted) +
                          " new), " + std::to_string(invalid) + " invalid";
    }
  } else {
    processed.report["kind"] = "staff_list";
    auto agency = SpoolAgencyOf(name);
    if (!agency.ok()) {
      processed.summary = agency.error().detail;
    } else {
      processed.report["agency"] = *agency;
      auto file = ReadStaffFile(*bytes);
      if (!file.ok()) {
        processed.summary = file.error().detail;
      } else {
        if (!services_.snapshot) return Internal("the spool has no directory snapshot to import staff lists");
        auto snapshot = services_.snapshot();
        if (!snapshot.ok()) {
          if (snapshot.error().code == ErrorCode::kTransient) return snapshot.take_error();
          return Error{snapshot.error().code, "reading the directory: " + snapshot.error().detail};
        }
        ImportOptions options;
        options.agency = *agency;
        options.allocator = options_.allocator;
        model::Date today = services_.today ? services_.today() : model::ProvinceDate(base::SystemNow());
        options.decision = DefaultDecision(*agency, today);
        auto plan = PlanImport(file->list, file->sha256, *snapshot, options);
        if (!plan.ok()) {
          processed.summary = plan.error().detail;
        } else {
          auto appended = JournalPlan(*services_.journal, *plan, kSpoolSender);
          if (!appended.ok()) return appended.take_error();
          std::vector<EventStatus> statuses;
          std::size_t fresh = 0;
          for (const auto& a : *appended) {
            statuses.push_back({a.id, std::string(journal::ToString(a.state)), a.detail});
            if (!a.duplicate) ++fresh;
          }
          if (fresh && services_.on_appended) services_.on_appended();
          processed.ok = true;
          processed.summary = FormatSummary(plan->counts) + "; " + std::to_string(statuses.size()) +
                              " event(s) journaled";
          processed.report["plan"] = json::parse(PlanToJson(*plan, false, statuses));
          if (!file->encoding_notes.empty()) processed.report["encoding"] = file->encoding_notes;
        }
      }
    }
  }

  processed.report["ok"] = processed.ok;
  processed.report["summary"] = processed.summary;
  fs::path target_dir = options_.dir / (processed.ok ? "done" : "failed");
  fs::path target = FreeName(target_dir, name);
  fs::path report = target.string() + ".report.json";
  DANHBA_RETURN_IF_ERROR(
      WriteFileAtomically(report, processed.report.dump(2, ' ', false, json::error_handler_t::replace) + "\n", 0640));
  std::error_code ec;
  fs::rename(path, target, ec);
  if (ec) return Internal("moving " + path.string() + " to " + target.string() + ": " + ec.message());
  log->info("{}: {} -> {}", name, processed.summary, target.string());
  return SpoolFileResult{name, processed.ok, target, report, processed.summary};
}

}  // namespace danhba::ops
