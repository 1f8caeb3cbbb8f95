// Webhook subscribers of the change feed (R18): each applied change is POSTed
// as JSON to every subscriber that sees it, signed with HMAC-SHA256, one change
// at a time and in feed order per subscriber, retried with back-off, and
// given up ("dead") after a number of tries until an operator retries it.
//
// Durable outbox: what a subscriber has received is its position in the
// feed, written to <data_dir>/webhooks/state/<name>.json only after the
// subscriber answered 2xx (fsynced at most once a second while changes
// stream, and when it has caught up); the changes themselves are in the
// journal. A restart resumes at that position, so nothing is lost and nothing
// is reordered; a change may be delivered again if the daemon stopped between
// the answer and the write, or several after a power loss (receivers
// deduplicate by X-Danhba-Delivery).
//
// Files: <data_dir>/webhooks/subscribers.json (0600: it holds the signing
// secrets), state/<name>.json, retry/<name> (an operator's retry request).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"

namespace danhba::journal {
class Journal;
}

namespace danhba::ops {

struct Subscriber {
  std::string name;
  std::string url;                    // http[s]://host[:port]/path
  std::vector<std::string> agencies;  // empty: every change
  std::string secret;                 // HMAC-SHA256 key (hex)
  std::string created_at;
  // https only: PEM certificates of the CA the receiver's certificate chains to
  // (absolute path); empty: the system's CAs.
  std::string ca_file;
};

// Where a subscriber is.
struct SubscriberState {
  std::string cursor;        // the feed position delivered up to (empty: the beginning)
  std::uint64_t delivered = 0;
  std::string last_delivered;  // id of the last change delivered
  int attempts = 0;          // failed tries of the next change
  std::string last_error;
  std::string next_attempt_at;  // ISO 8601 UTC, when retrying
  bool dead = false;            // gave up on change `failing`; waits for a retry
  std::string failing;          // id of the change that fails
};

std::filesystem::path WebhooksDir(const config::Config& config);

Result<std::vector<Subscriber>> LoadSubscribers(const config::Config& config);
// Adds a subscriber with a fresh secret and returns it (shown once). Errors: a
// bad name or URL (a scheme other than http or https), a name in use, a CA file
// that holds no certificate or given for an http URL.
Result<Subscriber> AddSubscriber(const config::Config& config, const std::string& name, const std::string& url,
                                 std::vector<std::string> agencies,
                                 std::chrono::system_clock::time_point now, const std::string& ca_file = "");
Status RemoveSubscriber(const config::Config& config, const std::string& name);
Result<SubscriberState> LoadSubscriberState(const config::Config& config, const std::string& name);
// Asks the daemon to try a dead (or backing-off) subscriber again now.
Status RequestRetry(const config::Config& config, const std::string& name);

// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "\n" + body)): the
// X-Danhba-Signature of a delivery, with X-Danhba-Timestamp = timestamp.
std::string SignDelivery(const std::string& secret, const std::string& timestamp, const std::string& body);

struct WebhookOptions {
  int max_attempts = 8;  // tries of one change before the subscriber is dead
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds timeout{10000};  // per POST
};

// `danhba run`'s deliveries, on a thread of their own.
class WebhookDispatcher {
 public:
  // Options from config.webhooks.
  WebhookDispatcher(config::Config config, journal::Journal& journal);
  WebhookDispatcher(config::Config config, journal::Journal& journal, WebhookOptions options);
  ~WebhookDispatcher();  // stops
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  void Stop();

 private:
  void Loop();
  // Delivers what is due for one subscriber; returns true when it did anything.
  bool Serve(const Subscriber& subscriber);

  config::Config config_;
  journal::Journal& journal_;
  WebhookOptions options_;
  std::map<std::string, SubscriberState> states_;
  std::map<std::string, std::chrono::steady_clock::time_point> next_attempt_;
  // Journal records written when a subscriber last had nothing to receive.
  std::map<std::string, std::uint64_t> idle_at_;
  // When each subscriber's position was last fsynced; those written since.
  std::map<std::string, std::chrono::steady_clock::time_point> synced_at_;
  std::set<std::string> unsynced_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace danhba::ops
