#include "api/ingest_auth.h"

#include <fmt/format.h>

#include <charconv>

#include "api/x509_signature.h"
#include "danhba/api/ingest.h"
#include "danhba/base/log.h"
#include "danhba/base/strings.h"

namespace danhba::api {
namespace {

constexpr std::string_view kBearerChallenge = "Bearer realm=\"danhba-ingest\"";

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

// The signature check of a sender that must sign: nullopt when the request's
// timestamp is within the window and its signature matches; `replay_key` is
// then set for a request that changes something.
std::optional<http::Response> CheckSignature(const http::Request& request, const Sender& sender,
                                             const base::Clock& clock, std::chrono::seconds window,
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
  auto now_seconds = std::chrono::floor<std::chrono::seconds>(clock()).time_since_epoch().count();
  auto window_seconds = window.count();
  if (seconds < now_seconds - window_seconds || seconds > now_seconds + window_seconds) {
    return Unauthorized("stale_timestamp",
                        fmt::format("{} {} is more than {} s from the server's time {}",
                                    kTimestampHeader, seconds, window_seconds, now_seconds),
                        false);
  }
  std::string given = AsciiLower(Trim(*signature));
  // A sender with a certificate signs with CMS (R17), the others with HMAC.
  Status verified = Ok();
  if (!sender.x509_certificate.empty()) {
    verified = VerifyX509Signature(
        Trim(*signature), SignatureBase(stamp, request.method, request.target, request.body),
        sender.x509_certificate);
  } else if (!ConstantTimeEquals(SignRequest(sender.hmac_secret.Reveal(), stamp, request.method,
                                             request.target, request.body),
                                 given)) {
    verified = InvalidInput("the request signature does not match");
  }
  if (!verified.ok()) {
    log::Get("ingest")->warn("{} {} from {}: bad signature for sender '{}'", request.method,
                             request.target, request.remote_address, sender.name);
    return Unauthorized("bad_signature", verified.error().detail, false);
  }
  // Reading a status twice is harmless, and a poll may repeat within a second.
  if (request.method != "GET" && request.method != "HEAD") replay_key = sender.name + ":" + given;
  return std::nullopt;
}

}  // namespace

std::variant<Authenticated, http::Response> Authenticate(const http::Request& request,
                                                         const SenderList& senders,
                                                         const base::Clock& clock,
                                                         std::chrono::seconds signature_window) {
  auto header = request.headers.Get("Authorization");
  if (!header) {
    return Unauthorized("unauthorized",
                        "this API needs a bearer token (Authorization: Bearer <token>)", false);
  }
  std::string_view value = Trim(*header);
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos || AsciiLower(value.substr(0, space)) != "bearer") {
    return Unauthorized("unauthorized", "the Authorization header must be \"Bearer <token>\"",
                        false);
  }
  std::string_view token = Trim(value.substr(space + 1));
  Authenticated out;
  out.sender = senders.Authenticate(token);
  if (out.sender == nullptr) {
    log::Get("ingest")->warn("{} {} from {}: unknown bearer token", request.method, request.target,
                             request.remote_address);
    return Unauthorized("unauthorized", "the bearer token is not valid", true);
  }
  if (out.sender->must_sign()) {
    if (auto refused =
            CheckSignature(request, *out.sender, clock, signature_window, out.replay_key)) {
      return std::move(*refused);
    }
  }
  return out;
}

http::Response ReplayedResponse() {
  return Unauthorized("replayed",
                      "this signed request was already received; sign a retry with a new timestamp",
                      false);
}

bool ReplayCache::Remember(std::string key, base::TimePoint now) {
  std::lock_guard lock(mutex_);
  while (!order_.empty() && (order_.size() > max_keys_ || order_.front().second + keep_ < now)) {
    seen_.erase(order_.front().first);
    order_.pop_front();
  }
  if (!seen_.emplace(key, now).second) return false;
  order_.emplace_back(std::move(key), now);
  return true;
}

}  // namespace danhba::api
