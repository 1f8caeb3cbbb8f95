// The ingest API as `danhba run` serves it: the senders file (kept current),
// the IngestService and its HTTP listener on ingest.listen, in one object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "danhba/api/ingest.h"
#include "danhba/base/clock.h"
#include "danhba/base/result.h"
#include "danhba/config/config.h"

namespace danhba::api {

class IngestListener {
 public:
  // Loads config.SendersFile() (an unreadable, world-readable or invalid file is
  // a config error; a missing one means no sender yet), and listens on
  // ingest.listen with the ingest.* limits. `services.journal` is required;
  // `services.senders` is ignored (the listener owns its registry). A taken port
  // is a config error naming ingest.listen. `clock`: the wall clock
  // (timestamps, effective dates); the system's when empty.
  static Result<std::unique_ptr<IngestListener>> Start(const config::Config& config,
                                                       IngestServices services,
                                                       base::Clock clock = {});

  ~IngestListener();  // Stop()
  IngestListener(const IngestListener&) = delete;
  IngestListener& operator=(const IngestListener&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // "host:port" bound
  std::size_t sender_count() const;
  IngestCounters counters() const;

  // Stops accepting and lets requests in progress finish. Idempotent.
  void Stop();

  class Impl;
  explicit IngestListener(std::unique_ptr<Impl> impl);  // use Start

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::api
