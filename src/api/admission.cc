#include "api/admission.h"

#include <fmt/format.h>

#include "danhba/model/date.h"

namespace danhba::api {

std::vector<EventVerdict> AdmitBatch(model::ParsedBatch& batch, const Sender& sender,
                                     const PersonAgencyFn& person_agency, base::TimePoint now) {
  std::vector<EventVerdict> verdicts(batch.events.size());
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    model::ParsedEvent& parsed = batch.events[i];
    EventVerdict& verdict = verdicts[i];
    if (!parsed.event.ok()) {
      verdict = {EventVerdict::Kind::kInvalid, parsed.id, parsed.event.error().detail, {}};
      continue;
    }
    const model::Event& event = *parsed.event;
    if (event.id.size() > journal::kMaxIdBytes) {
      std::string where = batch.was_array ? fmt::format("events[{}].id", i) : "id";
      verdict = {EventVerdict::Kind::kInvalid,
                 {},
                 fmt::format("{}: longer than {} bytes", where, journal::kMaxIdBytes),
                 {}};
      continue;
    }
    auto scope = OutOfScope(sender, event, person_agency);
    if (!scope.ok()) {
      verdict = {EventVerdict::Kind::kUnavailable, event.id, scope.error().detail, {}};
      continue;
    }
    if (*scope) {
      verdict = {EventVerdict::Kind::kForbidden, event.id, std::move(**scope), {}};
      continue;
    }
    verdict.kind = EventVerdict::Kind::kAdmitted;
    verdict.id = event.id;
    verdict.entry = {
        .id = event.id, .sender = sender.name, .payload = model::ToJson(event), .not_before = {}};
    if (event.effective_date) {
      base::TimePoint due = model::ProvinceStartOfDay(*event.effective_date);
      if (due > now) verdict.entry.not_before = due;
    }
  }
  return verdicts;
}

}  // namespace danhba::api
