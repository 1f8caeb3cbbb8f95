#include "danhba/ops/webhooks.h"

#include <sys/stat.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "danhba/api/changes.h"
#include "danhba/api/senders.h"
#include "danhba/base/clock.h"
#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/journal/journal.h"
#include "ops/webhook_post.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using webhook_post::ParseUrl;
using Json = nlohmann::ordered_json;

std::string Iso(std::chrono::system_clock::time_point at) {
  return base::FormatUtc(std::chrono::time_point_cast<std::chrono::microseconds>(at));
}

fs::path SubscribersFile(const config::Config& config) { return WebhooksDir(config) / "subscribers.json"; }
fs::path StateFile(const config::Config& config, const std::string& name) {
  return WebhooksDir(config) / "state" / (name + ".json");
}
fs::path RetryFile(const config::Config& config, const std::string& name) {
  return WebhooksDir(config) / "retry" / name;
}

// How often a subscriber's position is fsynced while changes stream to it.
constexpr std::chrono::seconds kStateSyncInterval{1};

// Writes `content` to `path` whole (base WriteFileAtomically) in a directory
// only the daemon's user may enter. With `sync`, durably; without, it survives
// a crash of the process but maybe not of the machine: a streaming
// subscriber's position is fsynced at most once every kStateSyncInterval.
Status WriteDurably(const fs::path& path, const std::string& content, bool sync = true) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  ::chmod(path.parent_path().c_str(), 0700);
  return WriteFileAtomically(path, content, 0600, sync ? FileSync::kFileAndDirectory : FileSync::kNone);
}

Status SaveSubscribers(const config::Config& config, const std::vector<Subscriber>& subscribers) {
  Json list = Json::array();
  for (const Subscriber& s : subscribers) {
    Json entry = {{"name", s.name},     {"url", s.url},
                  {"agencies", s.agencies}, {"secret", s.secret}, {"created_at", s.created_at}};
    if (!s.ca_file.empty()) entry["ca_file"] = s.ca_file;
    list.push_back(std::move(entry));
  }
  Json file = {{"version", 1}, {"subscribers", std::move(list)}};
  return WriteDurably(SubscribersFile(config), file.dump(2) + "\n");
}

Status SaveState(const config::Config& config, const std::string& name, const SubscriberState& state,
                 bool sync = true) {
  Json j = {{"cursor", state.cursor},         {"delivered", state.delivered}, {"last_delivered", state.last_delivered},
            {"attempts", state.attempts},     {"last_error", state.last_error},
            {"next_attempt_at", state.next_attempt_at}, {"dead", state.dead}, {"failing", state.failing}};
  return WriteDurably(StateFile(config, name), j.dump(2) + "\n", sync);
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

fs::path WebhooksDir(const config::Config& config) { return config.data_dir / "webhooks"; }

std::string SignDelivery(const std::string& secret, const std::string& timestamp, const std::string& body) {
  return "sha256=" + api::HmacSha256Hex(secret, timestamp + "\n" + body);
}

Result<std::vector<Subscriber>> LoadSubscribers(const config::Config& config) {
  fs::path file = SubscribersFile(config);
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::vector<Subscriber>{};
  std::ifstream in(file);
  try {
    Json j = Json::parse(in);
    std::vector<Subscriber> out;
    for (const auto& s : j.at("subscribers")) {
      out.push_back(Subscriber{s.at("name").get<std::string>(), s.at("url").get<std::string>(),
                               s.at("agencies").get<std::vector<std::string>>(), s.at("secret").get<std::string>(),
                               s.value("created_at", ""), s.value("ca_file", "")});
    }
    return out;
  } catch (const std::exception& e) {
    return ConfigError(file.string() + ": not a subscribers file: " + e.what());
  }
}

Result<Subscriber> AddSubscriber(const config::Config& config, const std::string& name, const std::string& url,
                                 std::vector<std::string> agencies, std::chrono::system_clock::time_point now,
                                 const std::string& ca_file) {
  if (!ValidName(name)) {
    return InvalidInput("subscriber name '" + name +
                        "': use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
  DANHBA_ASSIGN_OR_RETURN(auto parsed, ParseUrl(url));
  std::string ca_path;
  if (!ca_file.empty()) {
    if (!parsed.tls)
      return InvalidInput("--ca-file " + ca_file + ": only for an https:// --url (this one is " +
                          url + ")");
    std::error_code ec;
    ca_path = std::filesystem::absolute(ca_file, ec).string();
    DANHBA_RETURN_IF_ERROR(webhook_post::CheckCaFile(ca_path));
  }
  DANHBA_ASSIGN_OR_RETURN(auto subscribers, LoadSubscribers(config));
  for (const Subscriber& s : subscribers) {
    if (s.name == name) return Conflict("a subscriber named '" + name + "' exists already");
  }
  DANHBA_ASSIGN_OR_RETURN(auto secret, api::GenerateSecret());
  Subscriber added{name, url, std::move(agencies), secret, Iso(now), ca_path};
  subscribers.push_back(added);
  DANHBA_RETURN_IF_ERROR(SaveSubscribers(config, subscribers));
  return added;
}

Status RemoveSubscriber(const config::Config& config, const std::string& name) {
  DANHBA_ASSIGN_OR_RETURN(auto subscribers, LoadSubscribers(config));
  auto before = subscribers.size();
  std::erase_if(subscribers, [&](const Subscriber& s) { return s.name == name; });
  if (subscribers.size() == before) return NotFound("no subscriber named '" + name + "'");
  DANHBA_RETURN_IF_ERROR(SaveSubscribers(config, subscribers));
  std::error_code ec;
  fs::remove(StateFile(config, name), ec);
  fs::remove(RetryFile(config, name), ec);
  return Ok();
}

Result<SubscriberState> LoadSubscriberState(const config::Config& config, const std::string& name) {
  SubscriberState state;
  fs::path file = StateFile(config, name);
  std::error_code ec;
  if (!fs::exists(file, ec)) return state;
  std::ifstream in(file);
  try {
    Json j = Json::parse(in);
    state.cursor = j.value("cursor", "");
    state.delivered = j.value("delivered", std::uint64_t{0});
    state.last_delivered = j.value("last_delivered", "");
    state.attempts = j.value("attempts", 0);
    state.last_error = j.value("last_error", "");
    state.next_attempt_at = j.value("next_attempt_at", "");
    state.dead = j.value("dead", false);
    state.failing = j.value("failing", "");
  } catch (const std::exception& e) {
    return Internal(file.string() + ": not a subscriber state: " + e.what());
  }
  return state;
}

Status RequestRetry(const config::Config& config, const std::string& name) {
  DANHBA_ASSIGN_OR_RETURN(auto subscribers, LoadSubscribers(config));
  if (std::none_of(subscribers.begin(), subscribers.end(),
                   [&](const Subscriber& s) { return s.name == name; })) {
    return NotFound("no subscriber named '" + name + "'");
  }
  return WriteDurably(RetryFile(config, name), "");
}

WebhookDispatcher::WebhookDispatcher(config::Config config, journal::Journal& journal, WebhookOptions options)
    : config_(std::move(config)), journal_(journal), options_(options) {}

WebhookDispatcher::WebhookDispatcher(config::Config config, journal::Journal& journal)
    : WebhookDispatcher(config, journal,
                        WebhookOptions{.max_attempts = config.webhooks.max_attempts,
                                       .first_backoff = config.webhooks.first_backoff,
                                       .max_backoff = config.webhooks.max_backoff,
                                       .poll_interval = std::chrono::milliseconds(200),
                                       .timeout = config.webhooks.timeout}) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::Loop() {
  auto log = log::Get("webhook");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    bool busy = false;
    auto subscribers = LoadSubscribers(config_);
    if (!subscribers.ok()) {
      log->error("{}", subscribers.error().detail);
    } else {
      for (const Subscriber& subscriber : *subscribers) {
        busy = Serve(subscriber) || busy;
        std::lock_guard stop_check(mutex_);
        if (stopping_) break;
      }
    }
    lock.lock();
    if (!busy) wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

bool WebhookDispatcher::Serve(const Subscriber& subscriber) {
  auto log = log::Get("webhook");
  auto now = std::chrono::steady_clock::now();
  if (!states_.contains(subscriber.name)) {
    auto loaded = LoadSubscriberState(config_, subscriber.name);
    if (!loaded.ok()) {
      log->error("{}", loaded.error().detail);
      return false;
    }
    states_[subscriber.name] = *loaded;
  }
  SubscriberState& state = states_[subscriber.name];
  std::error_code ec;
  if (fs::exists(RetryFile(config_, subscriber.name), ec)) {
    fs::remove(RetryFile(config_, subscriber.name), ec);
    log->info("subscriber {}: retry requested by the operator{}", subscriber.name,
              state.dead ? " (was dead)" : "");
    state.dead = false;
    state.attempts = 0;
    state.next_attempt_at.clear();
    next_attempt_.erase(subscriber.name);
    (void)SaveState(config_, subscriber.name, state);
  }
  if (state.dead) return false;
  if (auto it = next_attempt_.find(subscriber.name); it != next_attempt_.end() && now < it->second) return false;
  auto url = ParseUrl(subscriber.url);
  if (!url.ok()) return false;

  // Nothing was written to the journal since this subscriber was last idle.
  const std::uint64_t records = journal_.Stats().records_written;
  if (auto idle = idle_at_.find(subscriber.name); idle != idle_at_.end() && idle->second == records) return false;
  idle_at_.erase(subscriber.name);

  api::ChangePosition after;
  if (!state.cursor.empty()) {
    if (auto decoded = api::DecodeCursor(state.cursor)) after = *decoded;
  }
  api::ChangePosition scanned = after;
  auto changes = api::ReadChanges(journal_, after, 1, api::AgencyFilter(subscriber.agencies, {}), &scanned, nullptr);
  if (!changes.ok()) return false;
  if (changes->empty()) {
    if (unsynced_.erase(subscriber.name) > 0) {
      // Caught up: the position written last is made durable now.
      if (Status saved = SaveState(config_, subscriber.name, state); !saved.ok()) {
        log->error("subscriber {}: {}", subscriber.name, saved.error().detail);
      }
      synced_at_[subscriber.name] = now;
    }
    if (scanned != after) {
      // Only changes this subscriber does not see: move past them.
      state.cursor = api::EncodeCursor(scanned);
      (void)SaveState(config_, subscriber.name, state);
      return true;
    }
    idle_at_[subscriber.name] = records;
    return false;
  }
  const api::Change& change = changes->front();
  Json parsed = Json::parse(change.json);
  std::string id = parsed.value("id", "");
  std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  // The subscriber's CA file, else the system's CAs.
  const fs::path ca_file = subscriber.ca_file;
  auto answer = webhook_post::Post(*url,
                     {{"X-Danhba-Delivery", id},
                      {"X-Danhba-Subscriber", subscriber.name},
                      {"X-Danhba-Timestamp", timestamp},
                      {"X-Danhba-Signature", SignDelivery(subscriber.secret, timestamp, change.json)}},
                     change.json, options_.timeout, ca_file);
  if (answer.ok() && answer->status >= 200 && answer->status < 300) {
    state.cursor = api::EncodeCursor(change.position);
    state.last_delivered = id;
    ++state.delivered;
    state.attempts = 0;
    state.last_error.clear();
    state.next_attempt_at.clear();
    state.failing.clear();
    next_attempt_.erase(subscriber.name);
    // The position after each 2xx, fsynced at most every kStateSyncInterval
    // while changes stream (two fsyncs per change would cap deliveries at
    // the disk's rate) and as soon as the subscriber has caught up. A crash of
    // the process loses nothing; one of the machine may deliver again the
    // changes of the last second (receivers deduplicate).
    auto synced = synced_at_.find(subscriber.name);
    const bool sync = synced == synced_at_.end() || now - synced->second >= kStateSyncInterval;
    if (Status saved = SaveState(config_, subscriber.name, state, sync); !saved.ok()) {
      log->error("subscriber {}: {}", subscriber.name, saved.error().detail);
    }
    if (sync) {
      synced_at_[subscriber.name] = now;
      unsynced_.erase(subscriber.name);
    } else {
      unsynced_.insert(subscriber.name);
    }
    return true;
  }
  std::string error = answer.ok() ? fmt::format("HTTP {} {}", answer->status, answer->body.substr(0, 200))
                                  : answer.error().detail;
  ++state.attempts;
  state.last_error = error;
  state.failing = id;
  if (state.attempts >= options_.max_attempts) {
    state.dead = true;
    state.next_attempt_at.clear();
    log->error("subscriber {} is dead after {} tries of change {}: {} (`danhba subscribe retry {}`)",
               subscriber.name, state.attempts, id, error, subscriber.name);
  } else {
    std::chrono::milliseconds backoff = std::min<std::chrono::milliseconds>(
        options_.first_backoff * (std::int64_t{1} << std::min(state.attempts - 1, 20)), options_.max_backoff);
    next_attempt_[subscriber.name] = now + backoff;
    state.next_attempt_at = Iso(std::chrono::system_clock::now() + backoff);
    log->warn("subscriber {}: change {} not delivered (try {} of {}, next in {} ms): {}", subscriber.name, id,
              state.attempts, options_.max_attempts, backoff.count(), error);
  }
  (void)SaveState(config_, subscriber.name, state);
  return false;
}

}  // namespace danhba::ops
