#!/usr/bin/env bash
# Installs every Debian 12 package danhba needs to build, test and run.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  libldap2-dev slapd ldap-utils
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libicu-dev nlohmann-json3-dev libcli11-dev
  libssl-dev openssl ca-certificates libsystemd-dev libzip-dev libexpat1-dev libxlsxwriter-dev
  curl faketime tzdata
  chromium python3 python3-aiosmtpd wrk
  postfix-ldap dovecot-core dovecot-ldap
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "danhba: missing packages: ${missing[*]}" >&2
  echo "danhba: run this script as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "danhba: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packaged slapd must not claim port 389 or run beside our private instances;
# policy-rc.d keeps it from being started by its postinst.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
