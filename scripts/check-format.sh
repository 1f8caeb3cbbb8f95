#!/usr/bin/env bash
# Checks that the files listed in scripts/format-checked.txt (one path a line,
# relative to the repository; '#' starts a comment) match the repository's
# .clang-format. Prints each file that does not, with clang-format's first
# complaints, and exits 1; exits 0 when all match.
#   scripts/check-format.sh          check
#   scripts/check-format.sh --fix    reformat the listed files in place
# A file joins the list once it is formatted; new files should be.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list="$root/scripts/format-checked.txt"
clang_format=${CLANG_FORMAT:-clang-format}

if ! command -v "$clang_format" >/dev/null; then
  echo "check-format: $clang_format not found (Debian package clang-format; scripts/install-deps.sh installs it)" >&2
  exit 1
fi

fix=0
if [[ ${1:-} == --fix ]]; then fix=1; fi

bad=()
missing=()
while IFS= read -r line || [[ -n $line ]]; do
  file=${line%%#*}
  file=${file//[[:space:]]/}
  [[ -z $file ]] && continue
  if [[ ! -f "$root/$file" ]]; then
    missing+=("$file")
    continue
  fi
  if ((fix)); then
    "$clang_format" -i "$root/$file"
  elif ! "$clang_format" --dry-run -Werror "$root/$file" >/dev/null 2>&1; then
    bad+=("$file")
    "$clang_format" --dry-run "$root/$file" 2>&1 | head -n 6 >&2
  fi
done <"$list"

status=0
if ((${#missing[@]} > 0)); then
  echo "check-format: listed in scripts/format-checked.txt but missing: ${missing[*]}" >&2
  status=1
fi
if ((${#bad[@]} > 0)); then
  echo "check-format: ${#bad[@]} file(s) do not match .clang-format (scripts/check-format.sh --fix):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  status=1
fi
if ((status == 0 && !fix)); then echo "check-format: every listed file matches .clang-format"; fi
exit $status
