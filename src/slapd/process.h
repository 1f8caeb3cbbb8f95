// Running the OpenLDAP tools (slapadd, slaptest) as child processes.
#pragma once

#include <string>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::slapd {

struct ProcessOutput {
  int exit_code = -1;  // the exit status, or 128 + signal number
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (a path) with the given arguments, stdin from /dev/null or from
// `input` when not empty, and waits for it. An error only when it cannot be started.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv,
                                 const std::string& input = {});

// The last `lines` lines of `text`.
std::string LastLines(const std::string& text, int lines);

}  // namespace danhba::slapd
