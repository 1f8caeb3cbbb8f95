#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test:
#   1. every ctest entry: unit tests, and integration tests against private
#      slapd instances on free loopback ports;
#   2. the unit tests and the sync integration tests again under faketime, at
#      a date years ahead and at the last second of a year in the province, so
#      that no test depends on the day it runs;
#   3. `danhba run` starting, failing late and stopping, built with
#      AddressSanitizer (./build-asan), so that the daemon's teardown order is
#      checked where a use after free would show;
#   4. the files of scripts/format-checked.txt against .clang-format
#      (scripts/check-format.sh).
# Extra arguments go to ctest and run step 1 alone, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BUILD_DIR:-$root/build}
asan_dir=${DANHBA_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${DANHBA_JOBS:-2}

bash "$root/scripts/build.sh"
if (($# > 0)); then
  exec ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "$@"
fi

failed=()
step() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then failed+=("$name"); fi
}

step "all tests" ctest --test-dir "$build_dir" --output-on-failure -j"$jobs"

# faketime moves the wall clock only: monotonic clocks (deadlines, timeouts)
# keep running true. '@' starts the clock at that moment and lets it run.
dated() {
  local when=$1 tz=$2
  TZ=$tz FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$when" \
    ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" -L unit \
    && TZ=$tz FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$when" \
      ctest --test-dir "$build_dir" --output-on-failure -R '^sync_integration_test$'
}
step "tests at 2031-06-30 23:30:00 UTC" dated "2031-06-30 23:30:00" UTC
step "tests at 2030-12-31 23:59:59 in the province" dated "2030-12-31 23:59:59" Asia/Ho_Chi_Minh

asan() {
  cmake -S "$root" -B "$asan_dir" -G Ninja -DDANHBA_SANITIZE=address \
    -DDANHBA_BUILD_TESTS=OFF -DDANHBA_BUILD_BENCH=OFF >/dev/null
  cmake --build "$asan_dir" -j"$jobs" --target danhba
  ASAN_OPTIONS=detect_leaks=0 DANHBA_TEST_BINARY="$asan_dir/src/cli/danhba" \
    "$build_dir/tests/integration/cli/cli_integration_test" --gtest_color=no --gtest_filter='CliTest.Run*'
}
step "danhba run under AddressSanitizer" asan

step "clang-format" bash "$root/scripts/check-format.sh"

if ((${#failed[@]} > 0)); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "every test step passed"
