#include "danhba/ldap/client.h"

#include <algorithm>
#include <random>
#include <thread>

#include "danhba/base/log.h"
#include "danhba/ldap/dn.h"
#include "danhba/ldap/error.h"

namespace danhba::ldap {
namespace {

using std::chrono::milliseconds;

// Whether a failed request may have reached the server and been applied: the
// connection broke or the answer did not come in time. Busy/unavailable are the
// server's own refusals, so nothing was done.
bool MayHaveBeenApplied(const Error& error) {
  const std::optional<int> rc = ResultCode(error);
  return !rc || *rc == kServerDown || *rc == kTimeout;
}

Error WithNote(Error error, std::string_view note) {
  error.detail += "; ";
  error.detail += note;
  return error;
}

constexpr std::string_view kLostNote =
    "an earlier attempt's answer was lost when the connection broke, and it may have been applied";

// Every value sent is there, for each attribute the server lets us read back.
bool HoldsWhatWasSent(const Entry& sent, const Entry& found) {
  int compared = 0;
  for (const auto& [attribute, values] : sent.attributes) {
    if (!found.Has(attribute)) continue;  // unreadable here (e.g. userPassword)
    for (const std::string& v : values) {
      if (!found.HasValue(attribute, v)) return false;
    }
    ++compared;
  }
  return compared > 0;
}

}  // namespace

RetryClock RetryClock::Real() {
  return {[] { return std::chrono::steady_clock::now(); },
          [](milliseconds wait) { std::this_thread::sleep_for(wait); }};
}

Client::Client(ConnectOptions options, Credentials credentials, RetryPolicy policy)
    : Client(
          [options = std::move(options),
           credentials = std::move(credentials)]() -> Result<std::unique_ptr<Operations>> {
            DANHBA_ASSIGN_OR_RETURN(auto connection, Connection::Open(options, credentials));
            return std::unique_ptr<Operations>(std::make_unique<Connection>(std::move(connection)));
          },
          policy) {}

Client::Client(Connector connector, RetryPolicy policy, RetryClock clock, unsigned random_seed)
    : connector_(std::move(connector)),
      policy_(policy),
      clock_(std::move(clock)),
      random_state_(random_seed != 0 ? random_seed : std::random_device{}() | 1u) {}

Client::~Client() = default;

milliseconds Client::NextBackoff(int retry) {
  double wait = static_cast<double>(policy_.initial_backoff.count());
  for (int i = 1; i < retry; ++i) wait *= policy_.multiplier;
  wait = std::min(wait, static_cast<double>(policy_.max_backoff.count()));
  // xorshift32: enough to spread clients apart, and reproducible from a seed.
  random_state_ ^= random_state_ << 13;
  random_state_ ^= random_state_ >> 17;
  random_state_ ^= random_state_ << 5;
  const double unit = static_cast<double>(random_state_) / 4294967296.0;
  return milliseconds(static_cast<long>(wait / 2 + unit * wait / 2));
}

Status Client::Run(const std::function<Status(Operations&)>& op, bool* lost, const bool* no_retry) {
  auto logger = log::Get("ldap");
  const auto start = clock_.now();
  for (int attempt = 1;; ++attempt) {
    bool sent = false;
    Status status;
    if (!connection_) {
      auto made = connector_();
      if (made.ok()) {
        connection_ = std::move(*made);
        if (connections_made_++ > 0) {
          ++reconnects_;
          logger->info("reconnected to the directory server");
        }
      } else {
        status = made.take_error();
      }
    }
    if (connection_) {
      sent = true;
      status = op(*connection_);
    }
    if (status.ok() || !status.error().transient()) return status;
    if (sent) {
      if (lost != nullptr && MayHaveBeenApplied(status.error())) *lost = true;
      connection_.reset();  // a broken libldap handle is not reused
    }
    if (no_retry != nullptr && *no_retry) return status;
    const auto elapsed = std::chrono::duration_cast<milliseconds>(clock_.now() - start);
    const milliseconds wait = NextBackoff(attempt);
    if (attempt >= policy_.max_attempts || elapsed + wait > policy_.max_total) {
      return WithNote(status.take_error(), "gave up after " + std::to_string(attempt) +
                                               " attempts in " + std::to_string(elapsed.count()) +
                                               " ms");
    }
    logger->warn("{}; retrying in {} ms (attempt {} of {})", status.error().detail, wait.count(),
                 attempt + 1, policy_.max_attempts);
    clock_.sleep(wait);
  }
}

template <class T>
Result<T> Client::RunFor(const std::function<Result<T>(Operations&)>& op, bool* lost) {
  std::optional<T> out;
  Status status = Run(
      [&](Operations& c) -> Status {
        DANHBA_ASSIGN_OR_RETURN(auto r, op(c));
        out = std::move(r);
        return Ok();
      },
      lost);
  if (!status.ok()) return status.take_error();
  return std::move(*out);
}

Status Client::Connect() {
  return Run([](Operations&) { return Ok(); });
}

Status Client::Search(const SearchRequest& request, const EntryVisitor& visit) {
  bool delivered = false;
  return Run(
      [&](Operations& c) {
        return c.Search(request, [&](Entry&& entry) {
          delivered = true;
          return visit(std::move(entry));
        });
      },
      nullptr, &delivered);
}

Result<std::vector<Entry>> Client::SearchAll(const SearchRequest& request) {
  return RunFor<std::vector<Entry>>([&](Operations& c) { return c.SearchAll(request); });
}

Result<std::optional<Entry>> Client::Read(std::string_view dn,
                                          const std::vector<std::string>& attributes) {
  return RunFor<std::optional<Entry>>([&](Operations& c) { return c.Read(dn, attributes); });
}

Status Client::Add(const Entry& entry) {
  bool lost = false;
  Status status = Run([&](Operations& c) { return c.Add(entry); }, &lost);
  if (status.ok() || !lost || !HasResultCode(status.error(), kAlreadyExists)) return status;
  std::vector<std::string> attributes;
  for (const auto& [attribute, values] : entry.attributes) attributes.push_back(attribute);
  auto found = Read(entry.dn, attributes);
  if (found.ok() && found->has_value() && HoldsWhatWasSent(entry, **found)) {
    log::Get("ldap")->info("add {}: the answer was lost, and the entry is there as sent", entry.dn);
    return Ok();
  }
  return WithNote(status.take_error(),
                  std::string(kLostNote) + "; the entry there differs from the one sent");
}

Status Client::Modify(std::string_view dn, const std::vector<Modification>& modifications) {
  bool lost = false;
  Status status = Run([&](Operations& c) { return c.Modify(dn, modifications); }, &lost);
  if (status.ok() || !lost) return status;
  return WithNote(status.take_error(), kLostNote);
}

Status Client::ModRdn(const ModRdnRequest& request) {
  bool lost = false;
  Status status = Run([&](Operations& c) { return c.ModRdn(request); }, &lost);
  if (status.ok() || !lost) return status;
  if (HasResultCode(status.error(), kNoSuchObject)) {
    std::string superior;
    if (request.new_superior) {
      superior = *request.new_superior;
    } else if (auto old_dn = Dn::Parse(request.dn); old_dn.ok()) {
      superior = old_dn->Parent().ToString();
    }
    const std::string new_dn =
        superior.empty() ? request.new_rdn : request.new_rdn + "," + superior;
    auto found = Read(new_dn, {"1.1"});
    if (found.ok() && found->has_value()) {
      log::Get("ldap")->info("modrdn {}: the answer was lost, and {} is there", request.dn, new_dn);
      return Ok();
    }
  }
  return WithNote(status.take_error(), kLostNote);
}

Status Client::Delete(std::string_view dn) {
  bool lost = false;
  Status status = Run([&](Operations& c) { return c.Delete(dn); }, &lost);
  if (status.ok() || !lost) return status;
  if (HasResultCode(status.error(), kNoSuchObject)) {
    log::Get("ldap")->info("delete {}: the answer was lost, and the entry is gone", dn);
    return Ok();
  }
  return WithNote(status.take_error(), kLostNote);
}

Result<bool> Client::Compare(std::string_view dn, std::string_view attribute,
                             std::string_view value) {
  return RunFor<bool>([&](Operations& c) { return c.Compare(dn, attribute, value); });
}

Result<std::string> Client::PasswordModify(std::string_view user_dn, std::string_view old_password,
                                           std::string_view new_password) {
  bool lost = false;
  auto result = RunFor<std::string>(
      [&](Operations& c) { return c.PasswordModify(user_dn, old_password, new_password); }, &lost);
  if (result.ok() || !lost) return result;
  return WithNote(result.take_error(), kLostNote);
}

Result<std::string> Client::WhoAmI() {
  return RunFor<std::string>([](Operations& c) { return c.WhoAmI(); });
}

Status Client::Apply(const std::vector<Change>& changes) {
  bool lost = false;
  Status status = Run([&](Operations& c) { return c.Apply(changes); }, &lost);
  if (status.ok() || !lost) return status;
  return WithNote(status.take_error(), kLostNote);
}

}  // namespace danhba::ldap
