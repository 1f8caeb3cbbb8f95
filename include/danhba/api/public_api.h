// The public lookup (contract.md "Public API"): read-only JSON, vCard and CSV
// over the read model, the web page and the embeddable listing, /healthz,
// /readyz and /metrics. GET and HEAD only; anything else is 405.
//
//   GET /api/v1/people?q=&agency=&sub_units=&page=&per_page=
//   GET /api/v1/people/{uid}            (…/{uid}.vcf: vCard 4.0)
//   GET /api/v1/agencies                every agency, with parent codes
//   GET /api/v1/agencies/{code}
//   GET /api/v1/agencies/{code}/people  (…/people.vcf, …/people.csv: the whole listing)
//   GET /, /agency/{code}, /person/{uid}, /embed.js, /assets/…   (public_page.h)
//   GET /healthz, /readyz, /metrics
//
// Answer() is a pure function of (request, snapshot, sync state); PublicApi
// adds what has state: the per-client rate limit and the request metrics. No
// LDAP is touched on a request.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "danhba/config/config.h"
#include "danhba/http/message.h"
#include "danhba/readmodel/follower.h"
#include "danhba/readmodel/snapshot.h"

namespace danhba::api {

struct PublicApiOptions {
  std::string domain = "dongnai.gov.vn";
  std::size_t default_per_page = 20;
  // Larger per_page values are lowered to this (the answer says which was used).
  std::size_t max_per_page = 500;
  // Origins allowed to read the API from a browser (CORS): exact origins such as
  // "https://stttt.dongnai.gov.vn", "https://*.dongnai.gov.vn" for any
  // subdomain, or "*" for any origin.
  std::vector<std::string> cors_origins;
  // Per client address: a token bucket of `rate_burst` requests refilled at
  // `rate_limit` per second; 0: no limit.
  double rate_limit = 50;
  double rate_burst = 100;
  // Cache-Control max-age of data answers.
  std::chrono::seconds max_age{60};
};

// What the sync state means for readiness and /metrics.
struct ReadState {
  readmodel::SyncState sync;
  std::chrono::system_clock::time_point now{};
};

// Answers `request` from `snapshot`: routing, parameters, ETag and 304,
// Cache-Control, CORS, 405. /metrics is answered by PublicApi.
http::Response Answer(const http::Request& request, const readmodel::Snapshot& snapshot, const ReadState& state,
                      const PublicApiOptions& options);

// The route a request counts under in /metrics ("/api/v1/people/{uid}"), so that
// labels stay few whatever clients ask.
std::string_view RouteLabel(std::string_view path);

class PublicApi {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const readmodel::Snapshot>()>;
  using StateSource = std::function<readmodel::SyncState()>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  PublicApi(PublicApiOptions options, SnapshotSource snapshot, StateSource state, Clock clock = {});
  ~PublicApi();
  PublicApi(const PublicApi&) = delete;
  PublicApi& operator=(const PublicApi&) = delete;

  // Rate limit, Answer() or /metrics, metrics. Thread-safe.
  http::Response Handle(const http::Request& request);
  // More of /metrics (Prometheus text) from the rest of the daemon, e.g. the
  // backups; called on every scrape, on a listener thread. Add before the
  // handler serves.
  using MetricsSource = std::function<std::string()>;
  void AddMetrics(MetricsSource source);
  // Handle as an http::Handler; the PublicApi must outlive it.
  http::Handler AsHandler();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The read side as `danhba run` and `danhba serve` use it: a follower and the
// API over it. Start() starts following; the handler answers (503 from
// /readyz) before the first load.
class PublicService {
 public:
  static Result<std::unique_ptr<PublicService>> Create(readmodel::FollowerOptions follower, PublicApiOptions api);
  // Options from the configuration: domain, ldap.url, ldap.base_dn and its
  // timeouts, public_api.* (cors_origins, rate_limit, rate_burst,
  // max_per_page, publish).
  static Result<std::unique_ptr<PublicService>> FromConfig(const config::Config& config);
  ~PublicService();

  void Start(ldap::Credentials credentials);
  void Stop();
  http::Handler handler() { return api_->AsHandler(); }
  // PublicApi::AddMetrics, before the handler serves.
  void AddMetrics(PublicApi::MetricsSource source) { api_->AddMetrics(std::move(source)); }
  readmodel::Follower& follower() { return *follower_; }

 private:
  PublicService() = default;
  std::unique_ptr<readmodel::Follower> follower_;
  std::unique_ptr<PublicApi> api_;
};

}  // namespace danhba::api
