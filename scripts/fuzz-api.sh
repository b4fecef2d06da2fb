#!/usr/bin/env bash
# schemathesis against the OpenAPI document the server serves, as each demo
# role in turn: any server error (5xx) or any status the document does not
# list for that operation fails the run.
#
#   bash scripts/fuzz-api.sh                  # officer, buyer, farmer, staff, admin
#   NONGSAN_FUZZ_ROLES="staff" NONGSAN_FUZZ_EXAMPLES=200 bash scripts/fuzz-api.sh
#   NONGSAN_FUZZ_BIN=path/to/nongsan …        # that binary, no cargo build
#
# Starts `nongsan serve --demo` (the debug build, rebuilt if stale) on a free
# port with a throwaway data folder and SQLite, logs every role in first,
# then runs schemathesis once per role with its bearer token, and stops the
# server. schemathesis is pinned and kept in a venv under
# ~/.cache/nongsan-tools, so only the first run downloads it.
#
# Excluded operation: `logout` (POST /api/v1/auth/logout) ends the very
# session the run authenticates with, and every later case of that role
# would then test only the 401 path. Nothing else ends a session without a
# secret schemathesis cannot know (a password change needs an activation
# code). Roles run officer and buyer first and admin last, since admin may change what
# the others see; all log in before any fuzzing, so a lock-out caused by
# fuzzed wrong passwords on the login route cannot stop a later role.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
TOOLS="${NONGSAN_TOOLS_DIR:-$HOME/.cache/nongsan-tools}"
ROLES="${NONGSAN_FUZZ_ROLES:-officer buyer farmer staff admin}"
EXAMPLES="${NONGSAN_FUZZ_EXAMPLES:-25}"
SEED="${NONGSAN_FUZZ_SEED:-17}"
TARGET="${CARGO_TARGET_DIR:-target}"

declare -A PHONE=(
  [admin]=0900000001 [staff]=0900000002 [buyer]=0900000003 [officer]=0900000004 [farmer]=0912000101
)

st="$TOOLS/venv/bin/st"
if ! "$TOOLS/venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-venv
  fi
  [ -x "$TOOLS/venv/bin/pip" ] || python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
if [ -n "${NONGSAN_FUZZ_BIN:-}" ]; then
  bin="$NONGSAN_FUZZ_BIN"
else
  # A no-op when the binary is fresh; a stale one would fuzz old code. The
  # copy keeps a build started meanwhile (a shared target folder) from
  # replacing the binary between the build and the start.
  cargo build -q -p server
  cp "$TARGET/debug/nongsan" "$work/nongsan"
  bin="$work/nongsan"
fi
server_pid=
stop() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
env -u DATABASE_URL -u NONGSAN_MASTER_KEY -u NONGSAN_PHOTO_STORE \
  NONGSAN_DATA_DIR="$work/data" NONGSAN_PUBLIC_URL="$base" NONGSAN_LOG=warn \
  "$bin" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$base/healthz" >/dev/null || { echo "no answer from $base/healthz" >&2; exit 1; }

declare -A TOKEN
for role in $ROLES; do
  phone="${PHONE[$role]:?unknown role $role (admin, staff, buyer, officer, farmer)}"
  TOKEN[$role]=$(curl -sf "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"phone\":\"$phone\",\"password\":\"nongsan-demo\"}" | jq -er .token) \
    || { echo "login as $role ($phone) failed" >&2; exit 1; }
done

failed=()
for role in $ROLES; do
  echo
  echo "=== schemathesis as $role (${PHONE[$role]}), $EXAMPLES examples per operation, seed $SEED ==="
  started=$(date +%s)
  if ! "$st" run "$base/api/openapi.json" \
      --header "Authorization: Bearer ${TOKEN[$role]}" \
      --checks not_a_server_error,status_code_conformance \
      --exclude-operation-id logout \
      --phases examples,coverage,fuzzing \
      --max-examples "$EXAMPLES" \
      --seed "$SEED" \
      --workers 2 \
      --request-timeout 30 \
      --suppress-health-check all \
      --warnings off \
      --output-truncate true \
      --report junit --report-dir "${NONGSAN_FUZZ_REPORT_DIR:-$work/report}/$role"; then
    failed+=("$role")
  fi
  echo "--- $role: $(( $(date +%s) - started ))s"
  # The session must still be alive, or the rest of the run tested 401s only.
  curl -sf "$base/api/v1/auth/me" -H "Authorization: Bearer ${TOKEN[$role]}" >/dev/null \
    || { echo "the $role session ended during the run" >&2; failed+=("$role-session"); }
done

if grep -qi 'panicked' "$work/server.log"; then
  grep -i -A3 'panicked' "$work/server.log" >&2
  failed+=(panic)
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis found problems: ${failed[*]}" >&2
  exit 1
fi
echo "schemathesis: no server error and no undocumented status for: $ROLES"
