// SIGTERM and SIGINT for `danhba run`, turned into a byte on a pipe: the
// handler does nothing else, as async-signal safety requires. Handlers rather
// than a blocked mask, because a blocked mask would be inherited by the slapd
// child across exec.
#pragma once

#include <chrono>
#include <functional>

#include "danhba/base/result.h"

namespace danhba::cli {

Status InstallStopSignals();

// Blocks until SIGTERM or SIGINT and returns its number; calls `on_tick` every
// `tick` meanwhile, on the calling thread.
int WaitForStopSignal(std::chrono::milliseconds tick, const std::function<void()>& on_tick);

}  // namespace danhba::cli
