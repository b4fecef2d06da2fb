#!/usr/bin/env bash
# Debian packages the build, tests and browser check need, installed only
# when missing (a fresh machine may lack them): libpq for diesel's
# PostgreSQL backend, Chromium and Python for the browser checks, and an
# emoji font so the screenshots show the farmer app's icons as a phone does,
# and HAProxy for the test of two servers behind a load balancer.
set -euo pipefail
missing=()
dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
dpkg -s postgresql-client >/dev/null 2>&1 || command -v pg_isready >/dev/null || missing+=(postgresql-client)
command -v chromium >/dev/null || missing+=(chromium)
command -v python3 >/dev/null || missing+=(python3)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
# the load balancer in front of two servers in the scale-out test
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
