#!/usr/bin/env bash
# Installs what is missing and builds danhba into ./build (or $DANHBA_BUILD_DIR).
# In CI (CI=true) warnings are errors.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BUILD_DIR:-$root/build}

bash "$root/scripts/install-deps.sh"

werror=OFF
[[ ${CI:-} == true ]] && werror=ON
jobs=${DANHBA_JOBS:-2}

cmake -S "$root" -B "$build_dir" -G Ninja -DDANHBA_WERROR=$werror >/dev/null
cmake --build "$build_dir" -j"$jobs"
