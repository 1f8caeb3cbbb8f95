#include "danhba/api/public_api.h"

#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "api/public_formats.h"
#include "api/rate_limiter.h"
#include "api/public_page.h"
#include "danhba/base/log.h"
#include "danhba/text/text.h"

namespace danhba::api {
namespace {

using readmodel::Snapshot;

// Longest q accepted: far more than any name, title or address.
constexpr std::size_t kMaxQueryBytes = 200;

constexpr std::array<std::string_view, 17> kRouteLabels = {
    "/api/v1/people", "/api/v1/people/{uid}", "/api/v1/people/{uid}.vcf", "/api/v1/agencies",
    "/api/v1/agencies/{code}", "/api/v1/agencies/{code}/people", "/api/v1/agencies/{code}/people.vcf",
    "/api/v1/agencies/{code}/people.csv", "/", "/agency/{code}", "/person/{uid}", "/embed.js", "/assets/{file}",
    "/healthz", "/readyz", "/metrics", "other"};

constexpr std::array<int, 11> kStatuses = {200, 304, 400, 404, 405, 429, 431, 500, 503, 413, 0};
constexpr std::array<double, 11> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                             0.01,   0.025,   0.05,   0.1,   0.25};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

http::Response BadParameter(std::string_view name, std::string_view why) {
  return http::Response::Error(400, "invalid_parameter", std::string(name) + ": " + std::string(why));
}

// A decimal count 1..999999999.
std::optional<std::size_t> Count(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (value == 0) return std::nullopt;
  return value;
}

struct Paging {
  std::size_t page = 1;
  std::size_t per_page = 20;
};

std::optional<http::Response> ReadPaging(const http::Request& request, const PublicApiOptions& options,
                                         Paging& paging) {
  paging.per_page = options.default_per_page;
  if (auto page = request.Query("page")) {
    auto value = Count(*page);
    if (!value) return BadParameter("page", "expected a whole number from 1");
    paging.page = *value;
  }
  if (auto per_page = request.Query("per_page")) {
    auto value = Count(*per_page);
    if (!value) return BadParameter("per_page", "expected a whole number from 1");
    paging.per_page = std::min(*value, options.max_per_page);
  }
  return std::nullopt;
}

std::optional<http::Response> ReadBool(const http::Request& request, std::string_view name, bool& value) {
  auto text = request.Query(name);
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "1" || *text == "yes" || text->empty()) {
    value = true;
  } else if (*text == "false" || *text == "0" || *text == "no") {
    value = false;
  } else {
    return BadParameter(name, "expected true or false");
  }
  return std::nullopt;
}

// q as typed: valid UTF-8, no control characters, not absurdly long.
std::optional<http::Response> ReadQuery(const http::Request& request, std::string& q) {
  auto text = request.Query("q");
  if (!text) return std::nullopt;
  if (text->size() > kMaxQueryBytes) {
    return BadParameter("q", "longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  if (!text::CheckUtf8(*text).ok()) return BadParameter("q", "not valid UTF-8");
  for (char c : *text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return BadParameter("q", "contains a control character");
  }
  q = std::string(*text);
  return std::nullopt;
}

http::Response Listing(const Snapshot& snapshot, const std::vector<std::uint32_t>& matched, const Paging& paging) {
  std::string body = "{\"items\":[";
  std::size_t first = (paging.page - 1) * paging.per_page;
  bool comma = false;
  if (paging.page <= matched.size() / paging.per_page + 1) {
    for (std::size_t i = first; i < matched.size() && i < first + paging.per_page; ++i) {
      if (comma) body.push_back(',');
      comma = true;
      snapshot.AppendPersonJson(*snapshot.people()[matched[i]], body);
    }
  }
  body += fmt::format("],\"total\":{},\"page\":{},\"per_page\":{}}}", matched.size(), paging.page, paging.per_page);
  return http::Response::Json(200, std::move(body));
}

http::Response NotFound(std::string message) { return http::Response::Error(404, "not_found", std::move(message)); }

http::Response People(const http::Request& request, const Snapshot& snapshot, const PublicApiOptions& options) {
  readmodel::Query query;
  Paging paging;
  if (auto bad = ReadQuery(request, query.text)) return *bad;
  if (auto bad = ReadPaging(request, options, paging)) return *bad;
  if (auto bad = ReadBool(request, "sub_units", query.sub_units)) return *bad;
  if (auto agency = request.Query("agency"); agency && !agency->empty()) {
    if (snapshot.FindAgency(*agency) == nullptr) return NotFound("no agency '" + std::string(*agency) + "'");
    query.agency = std::string(*agency);
  }
  return Listing(snapshot, snapshot.Search(query, options.domain), paging);
}

http::Response Person(std::string_view key, const Snapshot& snapshot, const PublicApiOptions& options) {
  bool vcard = key.ends_with(".vcf");
  if (vcard) key.remove_suffix(4);
  const readmodel::PersonEntry* person = snapshot.FindPerson(key, options.domain);
  if (person == nullptr) return NotFound("no person '" + std::string(key) + "'");
  if (vcard) {
    std::string body;
    formats::AppendVcard(snapshot, *person, body);
    auto response = http::Response::Text(200, std::move(body), "text/vcard; charset=utf-8");
    response.headers.Set("Content-Disposition", "attachment; filename=\"" + std::string(person->uid()) + ".vcf\"");
    return response;
  }
  std::string body;
  snapshot.AppendPersonJson(*person, body);
  return http::Response::Json(200, std::move(body));
}

http::Response Agencies(const Snapshot& snapshot) {
  std::string body = "{\"items\":[";
  bool comma = false;
  for (const auto& agency : snapshot.agencies()) {
    if (comma) body.push_back(',');
    comma = true;
    model::AppendJson(agency.ToModel(), body);
  }
  body += fmt::format("],\"total\":{}}}", snapshot.agencies().size());
  return http::Response::Json(200, std::move(body));
}

http::Response AgencyPeople(const http::Request& request, const readmodel::AgencyEntry& agency,
                            std::string_view format, const Snapshot& snapshot, const PublicApiOptions& options) {
  readmodel::Query query{.text = {}, .agency = agency.code, .sub_units = false};
  if (auto bad = ReadBool(request, "sub_units", query.sub_units)) return *bad;
  if (format == "people") {
    Paging paging;
    if (auto bad = ReadQuery(request, query.text)) return *bad;
    if (auto bad = ReadPaging(request, options, paging)) return *bad;
    return Listing(snapshot, snapshot.Search(query, options.domain), paging);
  }
  auto matched = snapshot.Search(query, options.domain);
  http::Response response;
  if (format == "people.vcf") {
    std::string body;
    for (auto index : matched) formats::AppendVcard(snapshot, *snapshot.people()[index], body);
    response = http::Response::Text(200, std::move(body), "text/vcard; charset=utf-8");
  } else {
    response = http::Response::Text(200, formats::Csv(snapshot, matched), "text/csv; charset=utf-8; header=present");
  }
  response.headers.Set("Content-Disposition", "attachment; filename=\"" + agency.code + "." +
                                                  std::string(format.substr(format.find('.') + 1)) + "\"");
  return response;
}

http::Response Ready(const ReadState& state, const Snapshot& snapshot) {
  if (state.sync.loaded && state.sync.connected) {
    return http::Response::Json(200, fmt::format(R"({{"status":"ready","people":{},"agencies":{}}})",
                                                 snapshot.people().size(), snapshot.agencies().size()));
  }
  if (!state.sync.loaded) {
    return http::Response::Error(503, "not_ready", "the directory has not been loaded yet");
  }
  auto age = std::chrono::duration_cast<std::chrono::seconds>(state.now - state.sync.current_at).count();
  return http::Response::Error(
      503, "stale",
      fmt::format("the directory is not reachable; answers come from a snapshot {} s old", std::max<long long>(0, age)));
}

// The response before the headers every answer gets.
http::Response Route(const http::Request& request, const Snapshot& snapshot, const ReadState& state,
                     const PublicApiOptions& options) {
  auto s = Segments(request.path);
  if (s.empty()) return page::Home(request, snapshot, options.domain);
  if (s.size() == 1) {
    if (s[0] == "healthz") return http::Response::Json(200, R"({"status":"ok"})");
    if (s[0] == "readyz") return Ready(state, snapshot);
    if (s[0] == "embed.js") return page::Asset("embed.js");
  }
  if (s.size() == 2 && s[0] == "assets") return page::Asset(s[1]);
  if (s.size() == 2 && s[0] == "agency") {
    const auto* agency = snapshot.FindAgency(s[1]);
    if (agency == nullptr) return page::NotFoundPage(request);
    return page::Agency(request, snapshot, *agency);
  }
  if (s.size() == 2 && s[0] == "person") {
    const auto* person = snapshot.FindPerson(s[1], options.domain);
    if (person == nullptr) return page::NotFoundPage(request);
    return page::Person(request, snapshot, *person);
  }
  if (s.size() >= 3 && s[0] == "api" && s[1] == "v1") {
    if (s[2] == "people") {
      if (s.size() == 3) return People(request, snapshot, options);
      if (s.size() == 4) return Person(s[3], snapshot, options);
    }
    if (s[2] == "agencies") {
      if (s.size() == 3) return Agencies(snapshot);
      if (s.size() >= 4 && s.size() <= 5) {
        const auto* agency = snapshot.FindAgency(s[3]);
        if (agency == nullptr) return NotFound("no agency '" + std::string(s[3]) + "'");
        if (s.size() == 4) return http::Response::Json(200, model::ToJson(agency->ToModel()));
        if (s[4] == "people" || s[4] == "people.vcf" || s[4] == "people.csv") {
          return AgencyPeople(request, *agency, s[4], snapshot, options);
        }
      }
    }
  }
  if (s[0] == "api") return NotFound("no such resource: " + request.path);
  return page::NotFoundPage(request);
}

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  for (const auto& pattern : allowed) {
    if (pattern == "*" || pattern == origin) return true;
    // "https://*.example.org": any subdomain, same scheme.
    auto star = pattern.find("://*.");
    if (star == std::string::npos) continue;
    std::string_view scheme = std::string_view(pattern).substr(0, star + 3);
    std::string_view suffix = std::string_view(pattern).substr(star + 4);  // ".example.org"
    if (origin.starts_with(scheme) && origin.ends_with(suffix) && origin.size() > scheme.size() + suffix.size() &&
        origin.substr(scheme.size()).find_first_of("/@") == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::string ETagOf(const http::Response& response) {
  std::size_t hash = std::hash<std::string_view>{}(response.body);
  hash ^= std::hash<std::string_view>{}(response.content_type) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return fmt::format("\"{:016x}\"", hash);
}

bool MatchesETag(std::string_view header, std::string_view etag) {
  // A list of entity tags, strong or weak (weak comparison, RFC 9110 13.1.2).
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    if (header.substr(i).starts_with("*")) return true;
    if (header.substr(i).starts_with("W/")) i += 2;
    auto end = header.find(',', i);
    if (end == std::string_view::npos) end = header.size();
    std::string_view tag = header.substr(i, end - i);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == etag) return true;
    i = end;
  }
  return false;
}

}  // namespace

std::string_view RouteLabel(std::string_view path) {
  auto s = Segments(path);
  if (s.empty()) return "/";
  if (s.size() == 1 && (s[0] == "healthz" || s[0] == "readyz" || s[0] == "metrics" || s[0] == "embed.js")) {
    for (auto label : kRouteLabels) {
      if (label.substr(1) == s[0]) return label;
    }
  }
  if (s.size() == 2 && s[0] == "assets") return "/assets/{file}";
  if (s.size() == 2 && s[0] == "agency") return "/agency/{code}";
  if (s.size() == 2 && s[0] == "person") return "/person/{uid}";
  if (s.size() >= 3 && s[0] == "api" && s[1] == "v1") {
    if (s[2] == "people" && s.size() == 3) return "/api/v1/people";
    if (s[2] == "people" && s.size() == 4) {
      return s[3].ends_with(".vcf") ? "/api/v1/people/{uid}.vcf" : "/api/v1/people/{uid}";
    }
    if (s[2] == "agencies" && s.size() == 3) return "/api/v1/agencies";
    if (s[2] == "agencies" && s.size() == 4) return "/api/v1/agencies/{code}";
    if (s[2] == "agencies" && s.size() == 5) {
      if (s[4] == "people") return "/api/v1/agencies/{code}/people";
      if (s[4] == "people.vcf") return "/api/v1/agencies/{code}/people.vcf";
      if (s[4] == "people.csv") return "/api/v1/agencies/{code}/people.csv";
    }
  }
  return "other";
}

http::Response Answer(const http::Request& request, const Snapshot& snapshot, const ReadState& state,
                      const PublicApiOptions& options) {
  http::Response response;
  bool cacheable = false;
  if (request.method != "GET" && request.method != "HEAD") {
    response = http::Response::Error(405, "method_not_allowed",
                                     "the public API is read-only: " + request.method + " is not allowed");
    response.headers.Set("Allow", "GET, HEAD");
  } else if (request.path.empty()) {
    response = http::Response::Error(400, "bad_request", "the request path is not validly percent-encoded");
  } else {
    response = Route(request, snapshot, state, options);
    auto label = RouteLabel(request.path);
    cacheable = response.status == 200 && label != "/healthz" && label != "/readyz";
  }
  if (cacheable) {
    std::string etag = ETagOf(response);
    bool asset = request.path.starts_with("/assets/") || request.path == "/embed.js";
    response.headers.Set("Cache-Control", fmt::format("public, max-age={}", asset ? 3600 : options.max_age.count()));
    response.headers.Set("ETag", etag);
    if (auto match = request.headers.Get("If-None-Match"); match && MatchesETag(*match, etag)) {
      response.status = 304;
      response.body.clear();
      response.content_length = 0;
    }
  } else {
    response.headers.Set("Cache-Control", "no-store");
  }
  if (response.content_type == "application/json") response.content_type = "application/json; charset=utf-8";
  response.headers.Set("X-Content-Type-Options", "nosniff");
  if (auto origin = request.headers.Get("Origin"); origin && OriginAllowed(*origin, options.cors_origins)) {
    response.headers.Set("Access-Control-Allow-Origin", std::string(*origin));
    response.headers.Set("Access-Control-Expose-Headers", "ETag");
  }
  response.headers.Set("Vary", "Origin");
  return response;
}

class PublicApi::Impl {
 public:
  Impl(PublicApiOptions options, SnapshotSource snapshot, StateSource state, Clock clock)
      : options_(std::move(options)),
        snapshot_(std::move(snapshot)),
        state_(std::move(state)),
        clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
        rate_limiter_(options_.rate_limit, options_.rate_burst,
                      [this] { return clock_().time_since_epoch(); }) {}

  http::Response Handle(const http::Request& request) {
    auto started = std::chrono::steady_clock::now();
    auto label = RouteLabel(request.path);
    std::size_t route = static_cast<std::size_t>(
        std::find(kRouteLabels.begin(), kRouteLabels.end(), label) - kRouteLabels.begin());
    http::Response response;
    bool monitoring = label == "/healthz" || label == "/readyz" || label == "/metrics";
    if (auto limited = monitoring ? std::nullopt : TakeToken(request.remote_address)) {
      response = std::move(*limited);
      ++rate_limited_;
    } else if (label == "/metrics" && (request.method == "GET" || request.method == "HEAD")) {
      response = http::Response::Text(200, Metrics(), "text/plain; version=0.0.4; charset=utf-8");
      response.headers.Set("Cache-Control", "no-store");
    } else {
      auto snapshot = snapshot_();
      // Only readiness depends on the sync state (taking it copies under a lock).
      ReadState state{.sync = label == "/readyz" ? state_() : readmodel::SyncState{},
                      .now = std::chrono::system_clock::now()};
      response = Answer(request, *snapshot, state, options_);
    }
    if (response.content_type == "application/json") response.content_type = "application/json; charset=utf-8";
    Record(route, response.status, std::chrono::steady_clock::now() - started);
    return response;
  }

  void AddMetrics(MetricsSource source) { more_metrics_.push_back(std::move(source)); }

 private:
  std::optional<http::Response> TakeToken(const std::string& client) {
    auto wait = rate_limiter_.Take(client);
    if (!wait) return std::nullopt;
    http::Response response = http::Response::Error(
        429, "rate_limited",
        fmt::format("more than {} requests per second from {}; retry later", options_.rate_limit, client));
    response.headers.Set("Retry-After", std::to_string(wait->count()));
    response.headers.Set("Cache-Control", "no-store");
    return response;
  }

  void Record(std::size_t route, int status, std::chrono::steady_clock::duration elapsed) {
    std::size_t s = kStatuses.size() - 1;
    for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i) {
      if (kStatuses[i] == status) s = i;
    }
    requests_[route][s].fetch_add(1, std::memory_order_relaxed);
    double seconds = std::chrono::duration<double>(elapsed).count();
    auto& histogram = latency_[route];
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      if (seconds <= kBuckets[b]) {
        histogram.buckets[b].fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
    histogram.count.fetch_add(1, std::memory_order_relaxed);
    histogram.sum_ns.fetch_add(static_cast<std::uint64_t>(std::chrono::nanoseconds(elapsed).count()),
                               std::memory_order_relaxed);
  }

  std::string Metrics() {
    std::string out;
    out += "# HELP danhba_public_requests_total Requests to the public listener by route and status.\n";
    out += "# TYPE danhba_public_requests_total counter\n";
    for (std::size_t r = 0; r < kRouteLabels.size(); ++r) {
      for (std::size_t s = 0; s < kStatuses.size(); ++s) {
        auto n = requests_[r][s].load(std::memory_order_relaxed);
        if (n == 0) continue;
        out += fmt::format("danhba_public_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", kRouteLabels[r],
                           kStatuses[s] == 0 ? std::string("other") : std::to_string(kStatuses[s]), n);
      }
    }
    out += "# HELP danhba_public_request_duration_seconds Time to answer a request, by route.\n";
    out += "# TYPE danhba_public_request_duration_seconds histogram\n";
    for (std::size_t r = 0; r < kRouteLabels.size(); ++r) {
      auto& h = latency_[r];
      auto count = h.count.load(std::memory_order_relaxed);
      if (count == 0) continue;
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < kBuckets.size(); ++b) {
        cumulative += h.buckets[b].load(std::memory_order_relaxed);
        out += fmt::format("danhba_public_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                           kRouteLabels[r], kBuckets[b], cumulative);
      }
      out += fmt::format("danhba_public_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                         kRouteLabels[r], count);
      out += fmt::format("danhba_public_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", kRouteLabels[r],
                         static_cast<double>(h.sum_ns.load(std::memory_order_relaxed)) / 1e9);
      out += fmt::format("danhba_public_request_duration_seconds_count{{route=\"{}\"}} {}\n", kRouteLabels[r], count);
    }
    out += "# HELP danhba_public_rate_limited_total Requests refused with 429.\n";
    out += "# TYPE danhba_public_rate_limited_total counter\n";
    out += fmt::format("danhba_public_rate_limited_total {}\n", rate_limited_.load());

    auto snapshot = snapshot_();
    auto state = state_();
    auto now = std::chrono::system_clock::now();
    double age = state.loaded ? std::max(0.0, std::chrono::duration<double>(now - state.current_at).count()) : 0.0;
    auto gauge = [&out](std::string_view name, std::string_view help, auto value) {
      out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
    };
    gauge("danhba_readmodel_loaded", "1 once a complete snapshot of the directory is served.", state.loaded ? 1 : 0);
    gauge("danhba_readmodel_connected", "1 while the read model follows the directory (content sync).",
          state.connected ? 1 : 0);
    gauge("danhba_readmodel_snapshot_age_seconds", "Seconds since the served snapshot was last known current.",
          fmt::format("{:.3f}", age));
    gauge("danhba_readmodel_people", "People in the served snapshot.", snapshot->people().size());
    gauge("danhba_readmodel_agencies", "Agencies in the served snapshot.", snapshot->agencies().size());
    gauge("danhba_readmodel_snapshot_bytes", "Memory held by the served snapshot (estimate).",
          snapshot->MemoryBytes());
    gauge("danhba_readmodel_generation", "Snapshots built since start.", snapshot->generation());
    gauge("danhba_readmodel_rejected_entries", "Directory entries left out as not publishable.",
          state.rejected_entries);
    out += "# HELP danhba_readmodel_reconnects_total Content sync sessions lost.\n";
    out += "# TYPE danhba_readmodel_reconnects_total counter\n";
    out += fmt::format("danhba_readmodel_reconnects_total {}\n", state.reconnects);
    for (const MetricsSource& source : more_metrics_) out += source();
    return out;
  }


  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };

  PublicApiOptions options_;
  SnapshotSource snapshot_;
  StateSource state_;
  Clock clock_;
  RateLimiter rate_limiter_;
  std::array<std::array<std::atomic<std::uint64_t>, kStatuses.size()>, kRouteLabels.size()> requests_{};
  std::array<Histogram, kRouteLabels.size()> latency_{};
  std::atomic<std::uint64_t> rate_limited_{0};
  std::vector<MetricsSource> more_metrics_;  // only added to before serving
};

PublicApi::PublicApi(PublicApiOptions options, SnapshotSource snapshot, StateSource state, Clock clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(snapshot), std::move(state), std::move(clock))) {}
PublicApi::~PublicApi() = default;
http::Response PublicApi::Handle(const http::Request& request) { return impl_->Handle(request); }
void PublicApi::AddMetrics(MetricsSource source) { impl_->AddMetrics(std::move(source)); }
http::Handler PublicApi::AsHandler() {
  return [this](const http::Request& request) { return Handle(request); };
}

Result<std::unique_ptr<PublicService>> PublicService::Create(readmodel::FollowerOptions follower,
                                                             PublicApiOptions api) {
  DANHBA_ASSIGN_OR_RETURN(auto made, readmodel::Follower::Create(std::move(follower)));
  std::unique_ptr<PublicService> service(new PublicService());
  service->follower_ = std::move(made);
  readmodel::Follower* f = service->follower_.get();
  service->api_ = std::make_unique<PublicApi>(
      std::move(api), [f] { return f->snapshot(); }, [f] { return f->state(); });
  return service;
}

Result<std::unique_ptr<PublicService>> PublicService::FromConfig(const config::Config& config) {
  readmodel::FollowerOptions follower;
  follower.connect.url = config.ldap.url;
  follower.connect.network_timeout = config.ldap.connect_timeout;
  follower.connect.operation_timeout = config.ldap.operation_timeout;
  follower.base_dn = config.ldap.base_dn;
  follower.domain = config.domain;
  const auto& publish = config.public_lookup.publish;
  follower.publish.title = std::find(publish.begin(), publish.end(), "title") != publish.end();
  follower.publish.phone = std::find(publish.begin(), publish.end(), "phone") != publish.end();
  PublicApiOptions api;
  api.domain = config.domain;
  api.max_per_page = static_cast<std::size_t>(config.public_lookup.max_per_page);
  api.default_per_page = std::min<std::size_t>(api.default_per_page, api.max_per_page);
  api.cors_origins = config.public_lookup.cors_origins;
  api.rate_limit = config.public_lookup.rate_limit;
  api.rate_burst = config.public_lookup.rate_burst;
  return Create(std::move(follower), std::move(api));
}

PublicService::~PublicService() { Stop(); }

void PublicService::Start(ldap::Credentials credentials) {
  follower_->SetCredentials(std::move(credentials));
  follower_->Start();
}

void PublicService::Stop() {
  if (follower_) follower_->Stop();
}

}  // namespace danhba::api
