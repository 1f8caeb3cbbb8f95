#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test
# (unit tests, and integration tests against private slapd instances on free
# loopback ports). Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh"
ctest --test-dir "$build_dir" --output-on-failure -j"${DANHBA_JOBS:-2}" "$@"
