#include "danhba/readmodel/follower.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "danhba/base/log.h"
#include "danhba/ldap/content_sync.h"

namespace danhba::readmodel {
namespace {

using Clock = std::chrono::steady_clock;

// Each sync session is polled this long per turn; two sessions share one thread.
constexpr std::chrono::milliseconds kPollSlice{10};

}  // namespace

class Follower::Impl {
 public:
  Impl(FollowerOptions options, text::Collator collator)
      : options_(std::move(options)), collator_(std::move(collator)) {
    context_.domain = options_.domain;
    context_.people_dn = "ou=people," + options_.base_dn;
    context_.agencies_dn = "ou=agencies," + options_.base_dn;
    context_.publish = options_.publish;
    context_.collator = &collator_;
    snapshot_.store(Snapshot::Empty());
  }

  ~Impl() { Stop(); }

  void SetCredentials(ldap::Credentials credentials) { options_.credentials = std::move(credentials); }

  void Start() {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    {
      std::lock_guard lock(mutex_);
      wake_.notify_all();
    }
    thread_.join();
  }

  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_.load(); }

  SyncState state() const {
    std::lock_guard lock(mutex_);
    return state_;
  }

  bool WaitUntilLoaded(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return loaded_cv_.wait_for(lock, timeout, [this] { return state_.loaded; });
  }

 private:
  struct Session {
    std::unordered_map<std::string, std::shared_ptr<const PersonEntry>> people;
    std::unordered_map<std::string, AgencyEntry> agencies;
    std::uint64_t rejected = 0;
    bool dirty = false;
    Clock::time_point dirty_since{};
  };

  void Run(std::stop_token stop) {
    auto backoff = options_.retry_initial;
    while (!stop.stop_requested()) {
      bool was_connected = false;
      Status ended = Follow(stop, was_connected);
      if (stop.stop_requested()) break;
      {
        std::lock_guard lock(mutex_);
        if (state_.connected) ++state_.reconnects;
        state_.connected = false;
        state_.last_error = ended.ok() ? std::string("the directory ended the content sync") : ended.error().detail;
      }
      if (was_connected) {
        log_->warn("lost the directory {} ({}); serving the last snapshot until it returns", options_.connect.url,
                   ended.ok() ? "sync ended" : ended.error().detail);
        backoff = options_.retry_initial;
      } else if (!ended.ok()) {
        log_->debug("directory {} not reachable: {}", options_.connect.url, ended.error().detail);
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, backoff, [] { return false; });
      backoff = std::min(backoff * 2, options_.retry_max);
    }
  }

  Result<ldap::ContentSync> Open(std::string base, std::string filter, const std::vector<std::string>& attributes) {
    auto connection = ldap::Connection::Open(options_.connect, options_.credentials);
    if (!connection.ok()) return connection.take_error();
    ldap::SearchRequest request;
    request.base = std::move(base);
    request.scope = ldap::Scope::kOneLevel;
    request.filter = std::move(filter);
    request.attributes = attributes;
    return ldap::ContentSync::Start(std::move(connection).value(), request);
  }

  // One session: a full load, then changes until the connection fails or
  // `stop`. `connected` becomes true once the load was published.
  Status Follow(std::stop_token& stop, bool& connected) {
    const std::string people_dn = "ou=people," + options_.base_dn;
    const std::string agencies_dn = "ou=agencies," + options_.base_dn;
    auto people_sync = Open(people_dn, "(objectClass=inetOrgPerson)", PersonAttributes());
    if (!people_sync.ok()) return people_sync.take_error();
    auto agency_sync = Open(agencies_dn, "(objectClass=danhbaAgency)", AgencyAttributes());
    if (!agency_sync.ok()) return agency_sync.take_error();
    auto loading_since = Clock::now();

    Session session;
    auto mark = [&session] {
      if (!session.dirty) session.dirty_since = Clock::now();
      session.dirty = true;
    };
    ldap::SyncHandler people_handler;
    people_handler.on_change = [&](ldap::SyncChange&& change) -> Status {
      using Kind = ldap::SyncChange::Kind;
      if (change.kind == Kind::kPresent) return Ok();
      mark();
      if (change.kind == Kind::kDelete) {
        session.people.erase(change.entry_uuid);
        return Ok();
      }
      std::string why;
      if (auto person = MakePerson(change.entry, context_, &why)) {
        session.people[change.entry_uuid] = std::move(*person);
      } else {
        session.people.erase(change.entry_uuid);
        ++session.rejected;
        log_->debug("not published: {}", why);
      }
      return Ok();
    };
    people_handler.on_uuid_set = [&](std::vector<std::string> uuids, bool deleted) -> Status {
      if (!deleted) return Ok();
      mark();
      for (const auto& uuid : uuids) session.people.erase(uuid);
      return Ok();
    };
    people_handler.on_phase_end = [](bool, bool) { return Ok(); };
    ldap::SyncHandler agency_handler;
    agency_handler.on_change = [&](ldap::SyncChange&& change) -> Status {
      using Kind = ldap::SyncChange::Kind;
      if (change.kind == Kind::kPresent) return Ok();
      mark();
      if (change.kind == Kind::kDelete) {
        session.agencies.erase(change.entry_uuid);
        return Ok();
      }
      std::string why;
      if (auto agency = MakeAgency(change.entry, context_, &why)) {
        session.agencies[change.entry_uuid] = std::move(*agency);
      } else {
        session.agencies.erase(change.entry_uuid);
        ++session.rejected;
        log_->debug("not published: {}", why);
      }
      return Ok();
    };
    agency_handler.on_uuid_set = [&](std::vector<std::string> uuids, bool deleted) -> Status {
      if (!deleted) return Ok();
      mark();
      for (const auto& uuid : uuids) session.agencies.erase(uuid);
      return Ok();
    };
    agency_handler.on_phase_end = [](bool, bool) { return Ok(); };

    bool published = false;
    std::uint64_t seen = 0;  // messages handled
    auto counting = [&seen](ldap::SyncHandler handler) {
      auto on_change = std::move(handler.on_change);
      handler.on_change = [&seen, on_change](ldap::SyncChange&& change) {
        ++seen;
        return on_change(std::move(change));
      };
      auto on_uuid_set = std::move(handler.on_uuid_set);
      handler.on_uuid_set = [&seen, on_uuid_set](std::vector<std::string> uuids, bool deleted) {
        ++seen;
        return on_uuid_set(std::move(uuids), deleted);
      };
      auto on_phase_end = std::move(handler.on_phase_end);
      handler.on_phase_end = [&seen, on_phase_end](bool present, bool done) {
        ++seen;
        return on_phase_end(present, done);
      };
      return handler;
    };
    people_handler = counting(std::move(people_handler));
    agency_handler = counting(std::move(agency_handler));
    // Each session is drained while it delivers (a poll returns as soon as a
    // message is there), then the other gets its turn: a load streams at full
    // speed, and an idle follower answers a change within two poll slices.
    // (A zero timeout is no use: libldap then misses what it has buffered.)
    auto drain = [&](ldap::ContentSync& sync, const ldap::SyncHandler& handler) -> Status {
      while (!stop.stop_requested() && !sync.finished()) {
        std::uint64_t before = seen;
        if (auto polled = sync.Poll(kPollSlice, handler); !polled.ok()) return polled;
        if (seen == before) break;
      }
      return Ok();
    };
    while (!stop.stop_requested()) {
      if (auto drained = drain(*people_sync, people_handler); !drained.ok()) return drained;
      if (auto drained = drain(*agency_sync, agency_handler); !drained.ok()) return drained;
      if (people_sync->finished() || agency_sync->finished()) {
        return Transient("the directory ended the content sync");
      }
      if (!people_sync->refresh_done() || !agency_sync->refresh_done()) continue;
      auto now = Clock::now();
      if (!published || (session.dirty && now - session.dirty_since >= options_.batch_delay)) {
        Publish(session);
        if (!published) {
          log_->info("read model loaded from {}: {} people, {} agencies in {} ms", options_.connect.url,
                     session.people.size(), session.agencies.size(),
                     std::chrono::duration_cast<std::chrono::milliseconds>(now - loading_since).count());
        }
        published = true;
        connected = true;
      }
      std::lock_guard lock(mutex_);
      state_.current_at = std::chrono::system_clock::now();
    }
    return Ok();
  }

  void Publish(Session& session) {
    std::vector<std::shared_ptr<const PersonEntry>> people;
    people.reserve(session.people.size());
    for (const auto& [uuid, person] : session.people) people.push_back(person);
    std::vector<AgencyEntry> agencies;
    agencies.reserve(session.agencies.size());
    for (const auto& [uuid, agency] : session.agencies) agencies.push_back(agency);
    auto snapshot = Snapshot::Build(std::move(people), std::move(agencies), ++generation_,
                                    std::chrono::system_clock::now());
    snapshot_.store(std::move(snapshot));
    session.dirty = false;
    {
      std::lock_guard lock(mutex_);
      state_.connected = true;
      state_.loaded = true;
      ++state_.snapshots;
      state_.rejected_entries = session.rejected;
      state_.current_at = std::chrono::system_clock::now();
    }
    loaded_cv_.notify_all();
  }

  FollowerOptions options_;
  text::Collator collator_;  // used by the follower thread only
  EntryContext context_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("readmodel");
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::uint64_t generation_ = 0;

  mutable std::mutex mutex_;
  mutable std::condition_variable loaded_cv_;
  std::condition_variable_any wake_;
  SyncState state_;  // guarded by mutex_
  std::jthread thread_;
};

Result<std::unique_ptr<Follower>> Follower::Create(FollowerOptions options) {
  DANHBA_ASSIGN_OR_RETURN(auto collator, text::Collator::Vietnamese());
  return std::unique_ptr<Follower>(
      new Follower(std::make_unique<Impl>(std::move(options), std::move(collator))));
}

Follower::Follower(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Follower::~Follower() = default;
void Follower::SetCredentials(ldap::Credentials credentials) { impl_->SetCredentials(std::move(credentials)); }
void Follower::Start() { impl_->Start(); }
void Follower::Stop() { impl_->Stop(); }
std::shared_ptr<const Snapshot> Follower::snapshot() const { return impl_->snapshot(); }
SyncState Follower::state() const { return impl_->state(); }
bool Follower::WaitUntilLoaded(std::chrono::milliseconds timeout) const { return impl_->WaitUntilLoaded(timeout); }

}  // namespace danhba::readmodel
