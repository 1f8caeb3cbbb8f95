// A small client of the daemon's ingest API (docs/ingest.md), for `danhba
// import` while the daemon holds the journal: POST the events in batches, then
// GET each one's status until it is applied or rejected.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/model/event.h"
#include "danhba/ops/import.h"

namespace danhba::ops {

class IngestClient {
 public:
  IngestClient(std::string host, std::uint16_t port, std::string token);
  ~IngestClient();
  IngestClient(const IngestClient&) = delete;
  IngestClient& operator=(const IngestClient&) = delete;

  // Posts the events (batches of at most 500 and ~900 KB) and returns each
  // one's status from the answers, in order. Retries refusals that pass (401
  // while the daemon has not yet re-read its senders, 429, 503) until `deadline`.
  Result<std::vector<EventStatus>> Submit(const std::vector<model::Event>& events,
                                          std::chrono::steady_clock::time_point deadline);

  // Polls GET /api/v1/events/{id} for the events not yet applied or rejected,
  // until none is left or `deadline`; returns the last status of each.
  Result<std::vector<EventStatus>> WaitApplied(std::vector<EventStatus> statuses,
                                               std::chrono::steady_clock::time_point deadline);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::ops
