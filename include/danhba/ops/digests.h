// E-mail digests to agency mailboxes (R18): every digests.interval, each agency
// whose staff changed gets one message at its own mailbox (<code>@<domain>,
// R4) listing the people hired, moved in, moved out or gone since the last
// digest, with their addresses, sent through digests.smtp_relay. Computed from
// the change feed; the position reached is kept in <data_dir>/digests/state.json
// and advanced only after every message of a run was accepted by the relay
// (so a failed run is sent again, whole, next time).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"

namespace danhba::journal {
class Journal;
}

namespace danhba::ops {

struct DigestLine {
  std::string name;     // full name as sent
  std::string address;  // mail address
  std::string note;     // e.g. the other agency of a transfer
};

struct AgencyDigest {
  std::string agency;  // code
  std::vector<DigestLine> hired, moved_in, moved_out, left;
  bool empty() const { return hired.empty() && moved_in.empty() && moved_out.empty() && left.empty(); }
};

struct Mail {
  std::string from;
  std::string to;
  std::string subject;
  std::string body;  // UTF-8 text
};

// The message for one agency's digest (Vietnamese).
Mail DigestMail(const config::Config& config, const AgencyDigest& digest);

// Sends `mail` through an SMTP relay (RFC 5321, no TLS, no authentication;
// 8BITMIME body). Errors name the relay and its answer.
Status SendMail(const config::ListenAddress& relay, const Mail& mail, std::chrono::milliseconds timeout);

class DigestSender {
 public:
  DigestSender(config::Config config, journal::Journal& journal);
  ~DigestSender();
  DigestSender(const DigestSender&) = delete;
  DigestSender& operator=(const DigestSender&) = delete;

  // Starts the thread when digests.enabled.
  void Start();
  void Stop();
  // One run: the digests of the changes since the last run; how many mails were sent.
  Result<std::size_t> RunOnce();

 private:
  void Loop();

  config::Config config_;
  journal::Journal& journal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace danhba::ops
