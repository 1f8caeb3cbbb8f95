#include "danhba/ops/person_agency.h"

#include <utility>

#include "danhba/model/event.h"

namespace danhba::ops {
namespace {

// Whether `id` appears verbatim in JSON that contains it: true unless it holds
// a character JSON escapes.
bool AppearsVerbatimInJson(std::string_view id) {
  for (char c : id) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> PendingAgencyOf(const journal::Journal& journal,
                                           std::string_view person_id) {
  const bool prefilter = AppearsVerbatimInJson(person_id);
  std::optional<std::string> agency;
  // Pending() is in append order, so the last match is the latest.
  for (const journal::Event& pending : journal.Pending()) {
    // Parsing every waiting payload would be the cost of a large import per
    // call; a substring test rules out nearly all of them first.
    if (prefilter && pending.payload.find(person_id) == std::string::npos) continue;
    auto event = model::ParseStoredEvent(pending.payload);
    if (!event.ok() || !event->person || event->person->id != person_id) continue;
    if (event->type == model::EventType::kHire && event->person->agency) {
      agency = event->person->agency;
    } else if (event->type == model::EventType::kTransfer && event->to_agency) {
      agency = event->to_agency;
    }
  }
  return agency;
}

PersonAgencyLookup::PersonAgencyLookup(PersonAgencyOptions options)
    : options_(std::move(options)) {}

PersonAgencyLookup::~PersonAgencyLookup() = default;

std::unique_ptr<directory::Directory> PersonAgencyLookup::Take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto directory = std::move(idle_.back());
      idle_.pop_back();
      return directory;
    }
  }
  return options_.make_directory();
}

void PersonAgencyLookup::Give(std::unique_ptr<directory::Directory> directory) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(directory));
}

Result<std::optional<std::string>> PersonAgencyLookup::Find(std::string_view person_id) {
  if (options_.directory_ready && !options_.directory_ready()) {
    return Transient("the directory is not reachable (see /readyz)");
  }
  auto directory = Take();
  if (!directory) return Transient("the directory is not connected yet");
  auto found = directory->FindPerson(person_id);
  if (!found.ok()) return found.take_error();  // the directory is dropped: a fresh one next time
  Give(std::move(directory));
  if (*found) return std::optional<std::string>((*found)->agency_code);
  if (options_.journal) return PendingAgencyOf(*options_.journal, person_id);
  return std::optional<std::string>();
}

std::function<Result<std::optional<std::string>>(std::string_view)> PersonAgencyLookup::AsHook() {
  return [this](std::string_view person_id) { return Find(person_id); };
}

}  // namespace danhba::ops
