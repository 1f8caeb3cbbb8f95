#include "danhba/api/changes.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "danhba/base/clock.h"
#include "danhba/base/strings.h"
#include "danhba/model/event.h"

namespace danhba::api {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kCursorPrefix = "c1.";
void PutU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

std::uint64_t GetU64(std::string_view in) {
  std::uint64_t value = 0;
  for (char c : in.substr(0, 8)) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

std::string Iso(journal::TimePoint at) {
  return base::FormatUtc(std::chrono::time_point_cast<std::chrono::microseconds>(at));
}

}  // namespace

std::string EncodeCursor(const ChangePosition& position) {
  std::string bytes;
  PutU64(bytes, static_cast<std::uint64_t>(position.applied_at.time_since_epoch().count()));
  PutU64(bytes, position.seq);
  return std::string(kCursorPrefix) + Base64UrlEncode(bytes);
}

std::optional<ChangePosition> DecodeCursor(std::string_view cursor) {
  if (!cursor.starts_with(kCursorPrefix)) return std::nullopt;
  auto bytes = Base64UrlDecode(cursor.substr(kCursorPrefix.size()));
  if (!bytes || bytes->size() != 16) return std::nullopt;
  ChangePosition position;
  position.applied_at = journal::TimePoint(std::chrono::microseconds(static_cast<std::int64_t>(GetU64(*bytes))));
  position.seq = GetU64(std::string_view(*bytes).substr(8));
  return position;
}

ChangeFilter AgencyFilter(std::vector<std::string> agencies, PersonAgencyFn person_agency) {
  if (agencies.empty()) return {};
  return [agencies = std::move(agencies), person_agency = std::move(person_agency)](
             const model::Event& event) -> Result<bool> {
    auto in_scope = [&](const std::string& code) {
      return std::find(agencies.begin(), agencies.end(), code) != agencies.end();
    };
    std::vector<std::string> named;
    if (event.person && event.person->agency) named.push_back(*event.person->agency);
    if (event.to_agency) named.push_back(*event.to_agency);
    if (event.into) named.push_back(*event.into);
    if (event.agency) {
      named.push_back(event.agency->code);
      if (event.agency->new_code) named.push_back(*event.agency->new_code);
    }
    if (std::any_of(named.begin(), named.end(), in_scope)) return true;
    if (event.person && person_agency) {
      DANHBA_ASSIGN_OR_RETURN(auto current, person_agency(event.person->id));
      if (current && in_scope(*current)) return true;
    }
    return false;
  };
}

Result<std::vector<Change>> ReadChanges(const journal::Journal& journal, const ChangePosition& after,
                                        std::size_t limit, const ChangeFilter& filter, ChangePosition* scanned_to,
                                        bool* more) {
  std::vector<journal::EventInfo> applied = journal.List(journal::EventState::kApplied);
  std::erase_if(applied, [&](const journal::EventInfo& info) {
    return ChangePosition{info.updated_at, info.seq} <= after;
  });
  std::sort(applied.begin(), applied.end(), [](const journal::EventInfo& a, const journal::EventInfo& b) {
    return ChangePosition{a.updated_at, a.seq} < ChangePosition{b.updated_at, b.seq};
  });
  std::vector<Change> out;
  ChangePosition last = after;
  bool has_more = false;
  for (const journal::EventInfo& info : applied) {
    if (out.size() >= limit) {
      has_more = true;
      break;
    }
    ChangePosition position{info.updated_at, info.seq};
    json item;
    item["cursor"] = EncodeCursor(position);
    item["id"] = info.id;
    item["applied_at"] = Iso(info.updated_at);
    item["result"] = info.detail;
    if (info.compacted) {
      // Only the id and result are kept of old events.
      last = position;
      if (filter) continue;
      item["event"] = nullptr;
      out.push_back(Change{position, item.dump()});
      continue;
    }
    auto shown = journal.Show(info.id);
    if (!shown.ok()) {
      last = position;
      continue;  // compacted meanwhile
    }
    auto event = model::ParseEvent(shown->payload);
    if (!event.ok()) {
      last = position;
      continue;
    }
    if (filter) {
      auto visible = filter(*event);
      if (!visible.ok()) return visible.take_error();  // `last` stays before this one
      last = position;
      if (!*visible) continue;
    }
    last = position;
    item["type"] = std::string(model::ToString(event->type));
    item["event"] = json::parse(model::ToJson(*event));
    out.push_back(Change{position, item.dump()});
  }
  if (scanned_to != nullptr) *scanned_to = last;
  if (more != nullptr) *more = has_more;
  return out;
}

http::Response ChangesResponse(const journal::Journal& journal, const Sender& sender, const http::Request& request,
                               const PersonAgencyFn& person_agency) {
  ChangePosition after;
  std::string since_text;
  if (auto since = request.Query("since"); since && !since->empty()) {
    since_text = std::string(*since);
    auto decoded = DecodeCursor(*since);
    if (!decoded) {
      return http::Response::Error(400, "invalid_cursor",
                                   fmt::format("since: '{}' is not a cursor of this feed (use the 'next' of an "
                                               "earlier answer, or leave it out to start at the beginning)",
                                               *since));
    }
    after = *decoded;
  }
  std::size_t limit = kDefaultChangesLimit;
  if (auto text = request.Query("limit")) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value == 0 || value > kMaxChangesLimit) {
      return http::Response::Error(400, "invalid_limit",
                                   fmt::format("limit: '{}' is not a number from 1 to {}", *text, kMaxChangesLimit));
    }
    limit = value;
  }

  ChangeFilter filter = AgencyFilter(sender.agencies, person_agency);
  ChangePosition last = after;
  bool more = false;
  auto read = ReadChanges(journal, after, limit, filter, &last, &more);
  if (!read.ok()) {
    http::Response busy = http::Response::Error(
        503, "unavailable", "the directory does not answer, so the agencies of the changes cannot be told; retry");
    busy.headers.Set("Retry-After", "5");
    return busy;
  }
  json changes = json::array();
  for (const Change& change : *read) changes.push_back(json::parse(change.json));
  json body;
  body["changes"] = std::move(changes);
  body["next"] = last == after && !since_text.empty() ? since_text : EncodeCursor(last);
  body["more"] = more;
  return http::Response::Json(200, body.dump());
}

}  // namespace danhba::api
