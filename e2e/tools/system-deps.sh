#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need when they are missing:
# PostgreSQL and Redis servers, Chromium for browser tests, CJK fonts for
# screenshots, openssl for harness certificates, wrk for the store's launch benchmark. Needs root (or sudo) only when
# something is missing.
set -euo pipefail
packages=(postgresql redis-server chromium fonts-noto-cjk openssl ca-certificates wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system packages: all present"
  exit 0
fi
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "system packages: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start system-wide services; the tests start their own on random ports.
for svc in postgresql redis-server; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then $sudo systemctl stop "$svc" || true; fi
done
