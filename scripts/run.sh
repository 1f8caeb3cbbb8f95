#!/usr/bin/env bash
# The run command: installs what is missing, builds, and starts danhba in the
# foreground on loopback with a managed private slapd under ./var. On the first
# start it loads a sample province (Đồng Nai's agencies and generated staff,
# from ../shared/data) through the ingest API, as an HR system would.
# Ctrl-C stops danhba and its slapd.
#
# Extra arguments go to `danhba run` (e.g. --config FILE). Environment:
#   DANHBA_SAMPLE=0            do not load the sample province
#   DANHBA_SAMPLE_PEOPLE=N     how many sample people (default 2000)
#   DANHBA_PUBLIC_URL, DANHBA_INGEST_URL   where the listeners are, when a
#                              --config moves them (defaults: 127.0.0.1:8080, :8081)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BUILD_DIR:-$root/build}
danhba=$build_dir/src/cli/danhba
public_url=${DANHBA_PUBLIC_URL:-http://127.0.0.1:8080}
ingest_url=${DANHBA_INGEST_URL:-http://127.0.0.1:8081}
shared_dir=${DANHBA_SHARED_DIR:-$root/../shared}

bash "$root/scripts/build.sh"
cd "$root"

"$danhba" run "$@" &
daemon=$!
trap 'kill -TERM "$daemon" 2>/dev/null || true' INT TERM

load_sample() {
  local secrets=var/secrets token_file=var/secrets/sample.token marker=var/.sample-loaded
  [[ -e $marker ]] && return 0
  mkdir -p "$secrets" && chmod 700 "$secrets"
  if [[ ! -d $shared_dir/data ]]; then
    echo "run.sh: no sample data in $shared_dir/data; starting with an empty directory" >&2
    return 0
  fi
  local ready=0
  for _ in $(seq 300); do
    kill -0 "$daemon" 2>/dev/null || return 0
    if curl -sf "$public_url/readyz" >/dev/null; then ready=1; break; fi
    sleep 0.2
  done
  ((ready)) || { echo "run.sh: danhba did not become ready; no sample loaded" >&2; return 0; }

  if [[ ! -s $token_file ]]; then
    "$danhba" sender remove sample "$@" >/dev/null 2>&1 || true
    "$danhba" sender add sample "$@" | sed -n 's/^token: //p' >"$token_file.tmp"
    chmod 600 "$token_file.tmp" && mv "$token_file.tmp" "$token_file"
  fi
  local token
  token=$(<"$token_file")
  local sample
  sample=$(mktemp -d)
  "$build_dir/bench/province/danhba-province" --shared "$shared_dir" \
    --people "${DANHBA_SAMPLE_PEOPLE:-2000}" --out "$sample" >/dev/null
  # The daemon reads a newly added sender within a second: retry for a while.
  post() {
    local attempt
    for attempt in $(seq 20); do
      curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary "@$1" "$ingest_url/api/v1/events" && return 0
      sleep 0.5
    done
    return 1
  }
  local file
  for file in "$sample/agencies.json" "$sample"/hires/*.json; do
    post "$file" || { echo "run.sh: posting $(basename "$file") failed" >&2; rm -rf "$sample"; return 0; }
  done
  rm -rf "$sample"
  touch "$marker"
  echo "run.sh: sample province sent through the ingest API; it is applied in the background" >&2
  echo "run.sh: try: ldapsearch -x -H ldap://127.0.0.1:3890 -b ou=people,dc=dongnai,dc=gov,dc=vn '(cn=nguyen van*)' cn mail title" >&2
}

if [[ ${DANHBA_SAMPLE:-1} != 0 ]]; then
  load_sample "$@" || true
fi

# wait returns early when a trapped signal arrives; wait again for the exit.
status=0
while kill -0 "$daemon" 2>/dev/null; do
  wait "$daemon" && status=0 || status=$?
done
exit "$status"
