#include "danhba/api/ingest.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <variant>
#include <vector>

#include "api/admission.h"
#include "api/ingest_auth.h"
#include "api/rate_limiter.h"
#include "danhba/api/changes.h"
#include "danhba/base/log.h"
#include "danhba/base/strings.h"
#include "danhba/http/router.h"

namespace danhba::api {
namespace {

using json = nlohmann::json;
using journal::TimePoint;

// The directory monitor looks every 2 s, and a restarted slapd answers within seconds.
constexpr int kScopeRetryAfterSeconds = 10;

// fmt 9 would format a system time in the local time zone: UTC, always.
std::string FormatTime(TimePoint time) { return base::FormatUtc(time); }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The parts of a journal detail written by the sync engine as "key=value"
// words ("uid=annv mail=annv@dongnai.gov.vn").
void AddAppliedDetail(std::string_view detail, json& out) {
  std::size_t start = 0;
  while (start < detail.size()) {
    std::size_t end = detail.find(' ', start);
    if (end == std::string_view::npos) end = detail.size();
    std::string_view word = detail.substr(start, end - start);
    std::size_t equals = word.find('=');
    if (equals != std::string_view::npos) {
      std::string_view key = word.substr(0, equals);
      std::string value(word.substr(equals + 1));
      if (key == "uid") out["uid"] = value;
      if (key == "mail") out["email"] = value;
      if (key == "agency") out["agency"] = value;
    }
    start = end + 1;
  }
}

// The status of a journaled event as the API shows it.
json StatusJson(std::string_view id, journal::EventState state, std::string_view detail,
                std::optional<TimePoint> not_before) {
  json out = {{"id", id}, {"status", journal::ToString(state)}};
  switch (state) {
    case journal::EventState::kScheduled:
      if (not_before) out["not_before"] = FormatTime(*not_before);
      if (!detail.empty()) out["detail"] = detail;
      break;
    case journal::EventState::kApplied:
      AddAppliedDetail(detail, out);
      out["detail"] = detail;
      break;
    case journal::EventState::kRejected:
      out["error"] = {{"code", "rejected"}, {"message", detail}};
      break;
    case journal::EventState::kQueued:
      if (!detail.empty()) out["detail"] = detail;
      break;
  }
  return out;
}

json RefusedJson(std::string_view id, std::string_view code, std::string_view message) {
  json out = {{"status", "rejected"}, {"error", {{"code", code}, {"message", message}}}};
  if (!id.empty()) out["id"] = id;
  return out;
}

void Append(std::vector<std::string>& codes, const std::optional<std::string>& code) {
  if (code && !code->empty()) codes.push_back(*code);
}

}  // namespace

std::string SignatureBase(std::string_view timestamp, std::string_view method,
                          std::string_view target, std::string_view body) {
  std::string base;
  base.reserve(timestamp.size() + method.size() + target.size() + body.size() + 3);
  base.append(timestamp)
      .append("\n")
      .append(method)
      .append("\n")
      .append(target)
      .append("\n")
      .append(body);
  return base;
}

std::string SignRequest(std::string_view secret, std::string_view timestamp,
                        std::string_view method, std::string_view target, std::string_view body) {
  return "sha256=" + HmacSha256Hex(secret, SignatureBase(timestamp, method, target, body));
}

Result<std::optional<std::string>> OutOfScope(const Sender& sender, const model::Event& event,
                                              const PersonAgencyFn& person_agency) {
  using Reason = std::optional<std::string>;
  if (sender.agencies.empty()) return Reason();
  std::vector<std::string> named;
  if (event.person) Append(named, event.person->agency);
  Append(named, event.to_agency);
  Append(named, event.into);
  if (event.agency) {
    named.push_back(event.agency->code);
    // A rename takes over the new code too: the sender must hold both.
    Append(named, event.agency->new_code);
    if (event.agency->parent && *event.agency->parent) named.push_back(**event.agency->parent);
  }
  for (const std::string& code : named) {
    if (!sender.MaySendFor(code)) {
      return Reason(
          fmt::format("sender '{}' may send events only about agencies {}; this one names '{}'",
                      sender.name, fmt::join(sender.agencies, ", "), code));
    }
  }
  bool needs_current = event.type == model::EventType::kUpdate ||
                       event.type == model::EventType::kLeave ||
                       event.type == model::EventType::kTransfer;
  if (needs_current && event.person) {
    std::optional<std::string> current;
    if (person_agency) {
      auto found = person_agency(event.person->id);
      if (!found.ok()) return found.take_error();
      current = std::move(found).value();
    }
    if (!current) {
      return Reason(fmt::format(
          "sender '{}' may send events only about agencies {}, and the agency of person '{}' is "
          "not known (not in the directory, nor hired by an event still waiting)",
          sender.name, fmt::join(sender.agencies, ", "), event.person->id));
    }
    if (!sender.MaySendFor(*current)) {
      return Reason(fmt::format(
          "sender '{}' may send events only about agencies {}; person '{}' belongs to '{}'",
          sender.name, fmt::join(sender.agencies, ", "), event.person->id, *current));
    }
  }
  return Reason();
}

IngestOptions IngestOptionsFromConfig(const config::Config& config) {
  IngestOptions options;
  options.max_body_bytes = config.ingest.max_body_bytes;
  options.rate_limit.per_second = config.ingest_auth.rate_limit;
  options.rate_limit.burst = config.ingest_auth.rate_burst;
  options.signature_window = std::max<std::chrono::seconds>(
      std::chrono::seconds(1),
      std::chrono::duration_cast<std::chrono::seconds>(config.ingest_auth.signature_window));
  return options;
}

class IngestService::Impl {
 public:
  Impl(IngestOptions options, IngestServices services)
      : options_(WithClock(std::move(options))),
        services_(std::move(services)),
        rate_limiter_(options_.rate_limit.per_second, options_.rate_limit.burst,
                      [clock = options_.clock] { return clock().time_since_epoch(); }),
        replay_cache_(2 * options_.signature_window, options_.max_remembered_signatures) {
    router_.Get(std::string(kChangesPath), [this](const http::Request& request,
                                                  const http::PathParams&, const Sender& sender) {
      return ChangesResponse(*services_.journal, sender, request, services_.person_agency);
    });
    router_.Post("/api/v1/events",
                 [this](const http::Request& request, const http::PathParams&,
                        const Sender& sender) { return PostEvents(request, sender); });
    router_.Get("/api/v1/events/{id...}",
                [this](const http::Request&, const http::PathParams& params, const Sender& sender) {
                  return GetEvent(params.at("id"), sender);
                });
  }

  http::Response Handle(const http::Request& request) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (request.body.size() > options_.max_body_bytes) {
      return http::Response::Error(
          413, "too_large",
          fmt::format("the request body is larger than {} bytes", options_.max_body_bytes));
    }
    std::shared_ptr<const SenderList> senders = services_.senders->Current();
    auto auth = Authenticate(request, *senders, options_.clock, options_.signature_window);
    if (std::holds_alternative<http::Response>(auth)) {
      // Perhaps a sender added since the last look at the senders file. Only
      // requests that carry credentials ask (a probe without any does not use
      // up the rate-limited look).
      std::shared_ptr<const SenderList> fresh =
          request.headers.Get("Authorization") ? services_.senders->Recheck() : senders;
      if (fresh != senders) {
        auto again = Authenticate(request, *fresh, options_.clock, options_.signature_window);
        if (std::holds_alternative<Authenticated>(again)) {
          auth = std::move(again);
          senders = std::move(fresh);  // keeps the sender authenticated against alive
        }
      }
      if (std::holds_alternative<http::Response>(auth)) {
        unauthorized_.fetch_add(1, std::memory_order_relaxed);
        return std::get<http::Response>(std::move(auth));
      }
    }
    Authenticated& who = std::get<Authenticated>(auth);
    if (auto wait = rate_limiter_.Take(who.sender->name)) {
      rate_limited_.fetch_add(1, std::memory_order_relaxed);
      return RateLimited(who.sender->name, *wait);
    }
    // Remembered only once the request is let through, so a request refused by
    // the rate limit can be sent again as it was.
    if (!who.replay_key.empty() &&
        !replay_cache_.Remember(std::move(who.replay_key), options_.clock())) {
      unauthorized_.fetch_add(1, std::memory_order_relaxed);
      return ReplayedResponse();
    }
    return router_.Handle(request, *who.sender);
  }

  IngestCounters counters() const {
    IngestCounters out;
    out.requests = requests_.load();
    out.events_accepted = accepted_.load();
    out.events_duplicate = duplicate_.load();
    out.events_invalid = invalid_.load();
    out.events_forbidden = forbidden_.load();
    out.events_conflict = conflict_.load();
    out.events_unavailable = unavailable_.load();
    out.unauthorized = unauthorized_.load();
    out.rate_limited = rate_limited_.load();
    out.journal_failures = journal_failures_.load();
    return out;
  }

 private:
  // How a batch fared, counted by kind.
  struct Tally {
    std::size_t accepted = 0, duplicates = 0, invalid = 0, forbidden = 0, conflicts = 0,
                unavailable = 0;
  };

  static IngestOptions WithClock(IngestOptions options) {
    if (!options.clock) options.clock = base::SystemClock();
    return options;
  }

  http::Response RateLimited(const std::string& sender, std::chrono::seconds wait) const {
    http::Response response = http::Response::Error(
        429, "rate_limited",
        fmt::format("sender '{}' is over its limit of {} requests per second; retry later", sender,
                    options_.rate_limit.per_second));
    response.headers.Set("Retry-After", std::to_string(wait.count()));
    return response;
  }

  http::Response PostEvents(const http::Request& request, const Sender& sender) {
    auto content_type = request.headers.Get("Content-Type");
    std::string media =
        content_type ? AsciiLower(Trim(content_type->substr(0, content_type->find(';')))) : "";
    if (media != "application/json") {
      return http::Response::Error(
          415, "unsupported_media_type",
          fmt::format("events must be sent as application/json, not '{}'",
                      content_type ? std::string(*content_type) : "(none)"));
    }
    auto batch = model::ParseEvents(request.body);
    if (!batch.ok()) {
      invalid_.fetch_add(1, std::memory_order_relaxed);
      return http::Response::Error(400, "invalid_body", batch.error().detail);
    }
    std::vector<EventVerdict> verdicts =
        AdmitBatch(*batch, sender, services_.person_agency, options_.clock());

    Tally tally;
    std::vector<json> results(verdicts.size());
    std::vector<journal::NewEvent> to_append;
    std::vector<std::size_t> appended_index;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      EventVerdict& verdict = verdicts[i];
      switch (verdict.kind) {
        case EventVerdict::Kind::kAdmitted:
          to_append.push_back(std::move(verdict.entry));
          appended_index.push_back(i);
          break;
        case EventVerdict::Kind::kInvalid:
          ++tally.invalid;
          results[i] = RefusedJson(verdict.id, "invalid_event", verdict.message);
          break;
        case EventVerdict::Kind::kForbidden:
          ++tally.forbidden;
          results[i] = RefusedJson(verdict.id, "forbidden", verdict.message);
          break;
        case EventVerdict::Kind::kUnavailable:
          // Neither accepted nor refused: the sender is to send it again.
          ++tally.unavailable;
          log_->warn("sender '{}', event '{}': cannot check the person's agency: {}", sender.name,
                     verdict.id, verdict.message);
          results[i] = RefusedJson(verdict.id, "unavailable",
                                   fmt::format("the person's current agency cannot be checked now "
                                               "(the directory does not answer); not recorded, "
                                               "send this event again later: {}",
                                               verdict.message));
          results[i]["status"] = "unavailable";
          break;
      }
    }
    invalid_.fetch_add(tally.invalid, std::memory_order_relaxed);
    forbidden_.fetch_add(tally.forbidden, std::memory_order_relaxed);
    unavailable_.fetch_add(tally.unavailable, std::memory_order_relaxed);

    if (!to_append.empty() &&
        !Record(std::move(to_append), appended_index, sender, results, tally)) {
      http::Response response = http::Response::Error(
          503, "journal_unavailable",
          "the events could not be recorded; nothing was accepted; retry later");
      response.headers.Set("Retry-After", "30");
      return response;
    }
    accepted_.fetch_add(tally.accepted, std::memory_order_relaxed);
    duplicate_.fetch_add(tally.duplicates, std::memory_order_relaxed);
    conflict_.fetch_add(tally.conflicts, std::memory_order_relaxed);
    if (tally.accepted > 0 && services_.on_appended) services_.on_appended();
    if (tally.accepted + tally.duplicates > 0 ||
        tally.invalid + tally.forbidden + tally.conflicts > 0) {
      log_->debug(
          "sender '{}': {} accepted, {} duplicate, {} invalid, {} forbidden, {} conflicting, {} "
          "unavailable",
          sender.name, tally.accepted, tally.duplicates, tally.invalid, tally.forbidden,
          tally.conflicts, tally.unavailable);
    }
    return BatchResponse(tally, std::move(results));
  }

  // Journals the admitted events and fills in their results (new, duplicate
  // of the same sender's, or an id another sender took). False when the
  // journal refused the write: nothing was recorded.
  bool Record(std::vector<journal::NewEvent> to_append, const std::vector<std::size_t>& index,
              const Sender& sender, std::vector<json>& results, Tally& tally) {
    std::vector<std::optional<TimePoint>> due;
    for (const auto& entry : to_append) due.push_back(entry.not_before);
    auto appended = services_.journal->Append(std::move(to_append));
    if (!appended.ok()) {
      journal_failures_.fetch_add(1, std::memory_order_relaxed);
      log_->error("sender '{}': the journal refused {} events: {}", sender.name, index.size(),
                  appended.error().detail);
      return false;
    }
    for (std::size_t k = 0; k < appended->size(); ++k) {
      const journal::AppendResult& result = (*appended)[k];
      std::size_t i = index[k];
      if (!result.duplicate) {
        ++tally.accepted;
        results[i] = StatusJson(result.id, result.state, result.detail, due[k]);
        continue;
      }
      auto existing = services_.journal->Lookup(result.id);
      if (existing.ok() && existing->sender != sender.name) {
        ++tally.conflicts;
        results[i] = RefusedJson(
            result.id, "id_conflict",
            fmt::format("id '{}' is already used by another sender; choose ids unique to "
                        "this sender (e.g. with a prefix)",
                        result.id));
        continue;
      }
      ++tally.duplicates;
      results[i] = existing.ok() ? StatusJson(result.id, existing->state, existing->detail,
                                              existing->not_before)
                                 : StatusJson(result.id, result.state, result.detail, std::nullopt);
      results[i]["duplicate"] = true;
    }
    return true;
  }

  // 202 when something was taken (new or duplicate); otherwise the status
  // that says best why nothing was.
  static http::Response BatchResponse(const Tally& tally, std::vector<json> results) {
    int status = 202;
    if (tally.accepted + tally.duplicates == 0) {
      if (tally.unavailable > 0) {
        status = 503;  // something may succeed when sent again
      } else if (tally.forbidden > 0 && tally.invalid == 0 && tally.conflicts == 0) {
        status = 403;
      } else if (tally.conflicts > 0 && tally.invalid == 0 && tally.forbidden == 0) {
        status = 409;
      } else {
        status = 400;
      }
    }
    json body = {{"accepted", tally.accepted + tally.duplicates},
                 {"rejected", tally.invalid + tally.forbidden + tally.conflicts},
                 {"results", std::move(results)}};
    if (tally.unavailable > 0) body["unavailable"] = tally.unavailable;
    if (status == 503) {
      body["error"] = {{"code", "unavailable"},
                       {"message",
                        "the directory does not answer, so the sender's scope cannot be checked; "
                        "nothing was accepted; retry later"}};
    }
    http::Response response = http::Response::Json(status, body.dump());
    if (tally.unavailable > 0) {
      response.headers.Set("Retry-After", std::to_string(kScopeRetryAfterSeconds));
    }
    return response;
  }

  http::Response GetEvent(std::string_view id, const Sender& sender) {
    auto info = services_.journal->Lookup(id);
    // Another sender's event is answered exactly like an unknown one.
    if (!info.ok() || info->sender != sender.name) {
      if (!info.ok() && info.error().code != ErrorCode::kNotFound) {
        log_->error("looking up event '{}': {}", id, info.error().detail);
        return http::Response::Error(503, "journal_unavailable",
                                     "the event status cannot be read now; retry later");
      }
      return http::Response::Error(404, "not_found",
                                   fmt::format("no event '{}' from sender '{}'", id, sender.name));
    }
    json body = StatusJson(info->id, info->state, info->detail, info->not_before);
    body["received_at"] = FormatTime(info->received_at);
    body["updated_at"] = FormatTime(info->updated_at);
    return http::Response::Json(200, body.dump());
  }

  IngestOptions options_;
  IngestServices services_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("ingest");
  RateLimiter rate_limiter_;
  ReplayCache replay_cache_;
  http::BasicRouter<const Sender&> router_;

  std::atomic<std::uint64_t> requests_{0}, accepted_{0}, duplicate_{0}, invalid_{0}, forbidden_{0},
      conflict_{0}, unauthorized_{0}, rate_limited_{0}, journal_failures_{0}, unavailable_{0};
};

IngestService::IngestService(IngestOptions options, IngestServices services)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services))) {}
IngestService::~IngestService() = default;

http::Response IngestService::Handle(const http::Request& request) {
  return impl_->Handle(request);
}

http::Handler IngestService::AsHandler() {
  return [this](const http::Request& request) { return Handle(request); };
}

IngestCounters IngestService::counters() const { return impl_->counters(); }

}  // namespace danhba::api
