#include "danhba/api/ingest.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "danhba/api/changes.h"
#include "danhba/base/log.h"
#include "api/x509_signature.h"

namespace danhba::api {
namespace {

using json = nlohmann::json;
using journal::TimePoint;

constexpr std::string_view kEventsPath = "/api/v1/events";
constexpr std::string_view kEventPrefix = "/api/v1/events/";
constexpr std::string_view kBearerChallenge = "Bearer realm=\"danhba-ingest\"";
// The directory monitor looks every 2 s, and a restarted slapd answers within seconds.
constexpr int kScopeRetryAfterSeconds = 10;

// fmt 9 would format a system time in the local time zone: UTC, always.
std::string FormatTime(TimePoint time) { return base::FormatUtc(time); }

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

http::Response Unauthorized(std::string_view code, std::string_view message, bool invalid_token) {
  http::Response response = http::Response::Error(401, code, message);
  std::string challenge(kBearerChallenge);
  if (invalid_token) challenge += ", error=\"invalid_token\"";
  response.headers.Set("WWW-Authenticate", std::move(challenge));
  return response;
}

http::Response MethodNotAllowed(std::string_view allow, std::string_view path) {
  http::Response response = http::Response::Error(405, "method_not_allowed",
                                                  fmt::format("{} accepts only {}", path, allow));
  response.headers.Set("Allow", std::string(allow));
  return response;
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
      : options_(std::move(options)), services_(std::move(services)) {
    if (!options_.clock) options_.clock = base::SystemClock();
  }

  http::Response Handle(const http::Request& request) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (request.body.size() > options_.max_body_bytes) {
      return http::Response::Error(
          413, "too_large",
          fmt::format("the request body is larger than {} bytes", options_.max_body_bytes));
    }
    std::shared_ptr<const SenderList> senders = services_.senders->Current();
    const Sender* sender = nullptr;
    std::string replay_key;
    if (auto refused = Authenticate(request, *senders, sender, replay_key)) {
      // Perhaps a sender added since the last look at the senders file. Only
      // requests that carry credentials ask (a probe without any does not use
      // up the rate-limited look).
      std::shared_ptr<const SenderList> fresh =
          request.headers.Get("Authorization") ? services_.senders->Recheck() : senders;
      if (fresh == senders || Authenticate(request, *fresh, sender, replay_key)) {
        unauthorized_.fetch_add(1, std::memory_order_relaxed);
        return std::move(*refused);
      }
      senders = std::move(fresh);
    }
    if (auto refused = TakeToken(sender->name)) {
      rate_limited_.fetch_add(1, std::memory_order_relaxed);
      return std::move(*refused);
    }
    // Remembered only once the request is let through, so a request refused by
    // the rate limit can be sent again as it was.
    if (!replay_key.empty() && !Remember(std::move(replay_key), options_.clock())) {
      unauthorized_.fetch_add(1, std::memory_order_relaxed);
      return Unauthorized(
          "replayed", "this signed request was already received; sign a retry with a new timestamp",
          false);
    }
    return Route(request, *sender);
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
  struct Bucket {
    double tokens = 0;
    TimePoint last{};
  };

  // Sets `sender` and returns nullopt when the request carries valid credentials.
  // For a signed request that changes something, `replay_key` is set to what
  // identifies it for replay detection.
  std::optional<http::Response> Authenticate(const http::Request& request,
                                             const SenderList& senders, const Sender*& sender,
                                             std::string& replay_key) {
    auto header = request.headers.Get("Authorization");
    if (!header)
      return Unauthorized("unauthorized",
                          "this API needs a bearer token (Authorization: Bearer <token>)", false);
    std::string_view value = Trim(*header);
    std::size_t space = value.find(' ');
    if (space == std::string_view::npos || ToLower(value.substr(0, space)) != "bearer") {
      return Unauthorized("unauthorized", "the Authorization header must be \"Bearer <token>\"",
                          false);
    }
    std::string_view token = Trim(value.substr(space + 1));
    sender = senders.Authenticate(token);
    if (sender == nullptr) {
      log_->warn("{} {} from {}: unknown bearer token", request.method, request.target,
                 request.remote_address);
      return Unauthorized("unauthorized", "the bearer token is not valid", true);
    }
    if (sender->must_sign()) return CheckSignature(request, *sender, replay_key);
    return std::nullopt;
  }

  std::optional<http::Response> CheckSignature(const http::Request& request, const Sender& sender,
                                               std::string& replay_key) {
    auto timestamp = request.headers.Get(kTimestampHeader);
    auto signature = request.headers.Get(kSignatureHeader);
    if (!timestamp || !signature) {
      return Unauthorized("signature_required",
                          fmt::format("sender '{}' must sign its requests ({} and {} headers)",
                                      sender.name, kTimestampHeader, kSignatureHeader),
                          false);
    }
    std::string_view stamp = Trim(*timestamp);
    long long seconds = 0;
    auto [end, error] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), seconds);
    if (error != std::errc() || end != stamp.data() + stamp.size() || stamp.empty()) {
      return Unauthorized("bad_signature",
                          fmt::format("{} must be the Unix time in seconds", kTimestampHeader),
                          false);
    }
    TimePoint now = options_.clock();
    auto now_seconds = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    auto window = options_.signature_window.count();
    if (seconds < now_seconds - window || seconds > now_seconds + window) {
      return Unauthorized("stale_timestamp",
                          fmt::format("{} {} is more than {} s from the server's time {}",
                                      kTimestampHeader, seconds, window, now_seconds),
                          false);
    }
    std::string given = ToLower(Trim(*signature));
    // A sender with a certificate signs with CMS (R17), the others with HMAC.
    Status verified = Ok();
    if (!sender.x509_certificate.empty()) {
      verified = VerifyX509Signature(Trim(*signature),
                                     SignatureBase(stamp, request.method, request.target,
                                                   request.body),
                                     sender.x509_certificate);
    } else if (!ConstantTimeEquals(SignRequest(sender.hmac_secret.Reveal(), stamp, request.method,
                                               request.target, request.body),
                                   given)) {
      verified = InvalidInput("the request signature does not match");
    }
    if (!verified.ok()) {
      log_->warn("{} {} from {}: bad signature for sender '{}'", request.method, request.target,
                 request.remote_address, sender.name);
      return Unauthorized("bad_signature", verified.error().detail, false);
    }
    // Reading a status twice is harmless, and a poll may repeat within a second.
    if (request.method != "GET" && request.method != "HEAD") replay_key = sender.name + ":" + given;
    return std::nullopt;
  }

  // False when `key` was seen within the window.
  bool Remember(std::string key, TimePoint now) {
    std::lock_guard lock(seen_mutex_);
    auto keep = 2 * options_.signature_window;
    while (!seen_order_.empty() && (seen_order_.size() > options_.max_remembered_signatures ||
                                    seen_order_.front().second + keep < now)) {
      seen_.erase(seen_order_.front().first);
      seen_order_.pop_front();
    }
    if (!seen_.emplace(key, now).second) return false;
    seen_order_.emplace_back(std::move(key), now);
    return true;
  }

  std::optional<http::Response> TakeToken(const std::string& sender) {
    const RateLimit& limit = options_.rate_limit;
    if (limit.per_second <= 0) return std::nullopt;
    TimePoint now = options_.clock();
    std::lock_guard lock(buckets_mutex_);
    auto [it, inserted] = buckets_.try_emplace(sender, Bucket{limit.burst, now});
    Bucket& bucket = it->second;
    if (!inserted && now > bucket.last) {
      double elapsed = std::chrono::duration<double>(now - bucket.last).count();
      bucket.tokens = std::min(limit.burst, bucket.tokens + elapsed * limit.per_second);
    }
    bucket.last = std::max(bucket.last, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return std::nullopt;
    }
    auto wait = static_cast<long long>(std::ceil((1 - bucket.tokens) / limit.per_second));
    http::Response response = http::Response::Error(
        429, "rate_limited",
        fmt::format("sender '{}' is over its limit of {} requests per second; retry later", sender,
                    limit.per_second));
    response.headers.Set("Retry-After", std::to_string(std::max(1LL, wait)));
    return response;
  }

  http::Response Route(const http::Request& request, const Sender& sender) {
    if (request.path == kChangesPath) {
      if (request.method != "GET" && request.method != "HEAD") return MethodNotAllowed("GET, HEAD", request.path);
      http::Response response = ChangesResponse(*services_.journal, sender, request, services_.person_agency);
      if (request.method == "HEAD") {
        response.content_length = response.body.size();
        response.body.clear();
      }
      return response;
    }
    if (request.path == kEventsPath) {
      if (request.method != "POST") return MethodNotAllowed("POST", request.path);
      return PostEvents(request, sender);
    }
    if (request.path.size() > kEventPrefix.size() && request.path.starts_with(kEventPrefix)) {
      if (request.method != "GET" && request.method != "HEAD")
        return MethodNotAllowed("GET, HEAD", request.path);
      http::Response response = GetEvent(request.path.substr(kEventPrefix.size()), sender);
      if (request.method == "HEAD") {
        response.content_length = response.body.size();
        response.body.clear();
      }
      return response;
    }
    if (request.path.empty())
      return http::Response::Error(400, "bad_request", "the request target cannot be decoded");
    return http::Response::Error(404, "not_found", fmt::format("no such path: {}", request.path));
  }

  http::Response PostEvents(const http::Request& request, const Sender& sender) {
    auto content_type = request.headers.Get("Content-Type");
    std::string media =
        content_type ? ToLower(Trim(content_type->substr(0, content_type->find(';')))) : "";
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

    TimePoint now = options_.clock();
    std::vector<json> results(batch->events.size());
    std::vector<journal::NewEvent> to_append;
    std::vector<std::size_t> appended_index;
    std::size_t invalid = 0, forbidden = 0, unavailable = 0;
    for (std::size_t i = 0; i < batch->events.size(); ++i) {
      model::ParsedEvent& parsed = batch->events[i];
      if (!parsed.event.ok()) {
        ++invalid;
        results[i] = RefusedJson(parsed.id, "invalid_event", parsed.event.error().detail);
        continue;
      }
      const model::Event& event = *parsed.event;
      if (event.id.size() > journal::kMaxIdBytes) {
        ++invalid;
        std::string where = batch->was_array ? fmt::format("events[{}].id", i) : "id";
        results[i] =
            RefusedJson({}, "invalid_event",
                        fmt::format("{}: longer than {} bytes", where, journal::kMaxIdBytes));
        continue;
      }
      auto scope = OutOfScope(sender, event, services_.person_agency);
      if (!scope.ok()) {
        // Neither accepted nor refused: the sender is to send it again.
        ++unavailable;
        log_->warn("sender '{}', event '{}': cannot check the person's agency: {}", sender.name,
                   event.id, scope.error().detail);
        results[i] = RefusedJson(event.id, "unavailable",
                                 fmt::format("the person's current agency cannot be checked now "
                                             "(the directory does not answer); not recorded, "
                                             "send this event again later: {}",
                                             scope.error().detail));
        results[i]["status"] = "unavailable";
        continue;
      }
      if (*scope) {
        ++forbidden;
        results[i] = RefusedJson(event.id, "forbidden", **scope);
        continue;
      }
      journal::NewEvent entry{
          .id = event.id, .sender = sender.name, .payload = model::ToJson(event), .not_before = {}};
      if (event.effective_date) {
        TimePoint due = model::ProvinceStartOfDay(*event.effective_date);
        if (due > now) entry.not_before = due;
      }
      to_append.push_back(std::move(entry));
      appended_index.push_back(i);
    }
    invalid_.fetch_add(invalid, std::memory_order_relaxed);
    forbidden_.fetch_add(forbidden, std::memory_order_relaxed);
    unavailable_.fetch_add(unavailable, std::memory_order_relaxed);

    std::size_t accepted = 0, duplicates = 0, conflicts = 0;
    if (!to_append.empty()) {
      std::vector<std::optional<TimePoint>> due;
      for (const auto& entry : to_append) due.push_back(entry.not_before);
      auto appended = services_.journal->Append(std::move(to_append));
      if (!appended.ok()) {
        journal_failures_.fetch_add(1, std::memory_order_relaxed);
        log_->error("sender '{}': the journal refused {} events: {}", sender.name,
                    appended_index.size(), appended.error().detail);
        http::Response response = http::Response::Error(
            503, "journal_unavailable",
            "the events could not be recorded; nothing was accepted; retry later");
        response.headers.Set("Retry-After", "30");
        return response;
      }
      for (std::size_t k = 0; k < appended->size(); ++k) {
        const journal::AppendResult& result = (*appended)[k];
        std::size_t i = appended_index[k];
        if (!result.duplicate) {
          ++accepted;
          results[i] = StatusJson(result.id, result.state, result.detail, due[k]);
          continue;
        }
        auto existing = services_.journal->Lookup(result.id);
        if (existing.ok() && existing->sender != sender.name) {
          ++conflicts;
          results[i] = RefusedJson(
              result.id, "id_conflict",
              fmt::format("id '{}' is already used by another sender; choose ids unique to "
                          "this sender (e.g. with a prefix)",
                          result.id));
          continue;
        }
        ++duplicates;
        results[i] =
            existing.ok()
                ? StatusJson(result.id, existing->state, existing->detail, existing->not_before)
                : StatusJson(result.id, result.state, result.detail, std::nullopt);
        results[i]["duplicate"] = true;
      }
    }
    accepted_.fetch_add(accepted, std::memory_order_relaxed);
    duplicate_.fetch_add(duplicates, std::memory_order_relaxed);
    conflict_.fetch_add(conflicts, std::memory_order_relaxed);
    if (accepted > 0 && services_.on_appended) services_.on_appended();
    if (accepted + duplicates > 0 || invalid + forbidden + conflicts > 0) {
      log_->debug(
          "sender '{}': {} accepted, {} duplicate, {} invalid, {} forbidden, {} conflicting, {} "
          "unavailable",
          sender.name, accepted, duplicates, invalid, forbidden, conflicts, unavailable);
    }

    int status = 202;
    if (accepted + duplicates == 0) {
      if (unavailable > 0) {
        status = 503;  // something may succeed when sent again
      } else if (forbidden > 0 && invalid == 0 && conflicts == 0) {
        status = 403;
      } else if (conflicts > 0 && invalid == 0 && forbidden == 0) {
        status = 409;
      } else {
        status = 400;
      }
    }
    json body = {{"accepted", accepted + duplicates},
                 {"rejected", invalid + forbidden + conflicts},
                 {"results", std::move(results)}};
    if (unavailable > 0) body["unavailable"] = unavailable;
    if (status == 503) {
      body["error"] = {{"code", "unavailable"},
                       {"message",
                        "the directory does not answer, so the sender's scope cannot be checked; "
                        "nothing was accepted; retry later"}};
    }
    http::Response response = http::Response::Json(status, body.dump());
    if (unavailable > 0) response.headers.Set("Retry-After", std::to_string(kScopeRetryAfterSeconds));
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

  std::mutex buckets_mutex_;
  std::unordered_map<std::string, Bucket> buckets_;

  std::mutex seen_mutex_;
  std::unordered_map<std::string, TimePoint> seen_;
  std::deque<std::pair<std::string, TimePoint>> seen_order_;

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
