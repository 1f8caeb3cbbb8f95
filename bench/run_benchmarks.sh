#!/usr/bin/env bash
# Builds every benchmark under bench/ (Release with debug info, in its own build
# directory) and runs each with quick defaults, printing its table.
#
#   bench/run_benchmarks.sh              quick run of everything (a few minutes on 2 cores)
#   bench/run_benchmarks.sh --full       longer runs; import_bench with 50,000 rows (≈ 15+ minutes);
#                                        lookup_bench with 50,000 people in 120 agencies (≈ 5 minutes)
#   bench/run_benchmarks.sh text_bench   only the named benchmarks
#
# Environment: DANHBA_BENCH_BUILD_DIR (default ./build-bench), DANHBA_JOBS (default 2),
# IMPORT_BENCH_ARGS (overrides import_bench's arguments, e.g. "--rows 10000 --events 3000").
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DANHBA_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${DANHBA_JOBS:-2}

full=false
wanted=()
for arg in "$@"; do
  case $arg in
    --full) full=true ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) wanted+=("$arg") ;;
  esac
done

# Every executable a bench/*/CMakeLists.txt defines, except the province generator (a tool).
mapfile -t all < <(grep -ho 'add_executable([A-Za-z0-9_-]*' "$root"/bench/*/CMakeLists.txt \
                     | sed 's/add_executable(//' | grep -v '^danhba-province$' | sort -u)
if ((${#wanted[@]} > 0)); then targets=("${wanted[@]}"); else targets=("${all[@]}"); fi
if ((${#targets[@]} == 0)); then echo "no benchmarks found under bench/" >&2; exit 1; fi

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDANHBA_BUILD_BENCH=ON >/dev/null
echo "== building: ${targets[*]}"
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}"

# Quick arguments per benchmark; Google Benchmark binaries get a short minimum time.
args_for() {
  local name=$1
  case $name in
    journal_bench) if $full; then echo "--seconds 5"; else echo "--seconds 1"; fi ;;
    ingest_bench) if $full; then echo "--seconds 5"; else echo "--seconds 1"; fi ;;
    sync_bench) if $full; then echo "--hires 10000"; else echo "--hires 500"; fi ;;
    webhook_bench) if $full; then echo "--changes 3000 --rate 100"; else echo "--changes 500 --rate 100"; fi ;;
    lookup_bench)
      if $full; then echo "--people 50000 --agencies 120 --seconds 5 --concurrency 1,4,16,64"
      else echo "--people 5000 --agencies 120 --seconds 2 --concurrency 4,64"; fi ;;
    naming_bench) if $full; then echo "1000000"; else echo "100000"; fi ;;
    address_book_bench)
      if $full; then echo "--people 50000 --queries 200"; else echo "--people 5000 --queries 50"; fi ;;
    import_bench)
      if [[ -n ${IMPORT_BENCH_ARGS:-} ]]; then echo "$IMPORT_BENCH_ARGS"
      elif $full; then echo "--rows 50000 --events 10000"
      else echo "--rows 2000 --events 1000"; fi ;;
    *)
      local file
      file=$(grep -lE "add_executable\($name[ )]" "$root"/bench/*/CMakeLists.txt | head -n1 || true)
      if [[ -n $file ]] && grep -q 'benchmark::benchmark' "$file"; then
        if $full; then echo "--benchmark_min_time=0.5"; else echo "--benchmark_min_time=0.05"; fi
      fi ;;
  esac
}

status=0
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -r)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC')"
for name in "${targets[@]}"; do
  binary=$(find "$build_dir/bench" -type f -name "$name" -perm -u+x | head -n1)
  if [[ -z $binary ]]; then
    echo "== $name: not built (its CMakeLists.txt skipped it?)" >&2
    status=1
    continue
  fi
  read -r -a args <<<"$(args_for "$name")"
  echo
  echo "== $name ${args[*]}"
  start=$(date +%s)
  if ! "$binary" "${args[@]}"; then
    echo "== $name FAILED" >&2
    status=1
  fi
  echo "== $name took $(( $(date +%s) - start )) s"
done
exit $status
