#!/usr/bin/env bash
# The run command: installs what is missing, builds, and starts danhba in the
# foreground on loopback with a managed private slapd under ./var.
# Ctrl-C stops both. Extra arguments go to `danhba run`, e.g. `--config FILE`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh"
cd "$root"
exec "$build_dir/src/cli/danhba" run "$@"
