#!/usr/bin/env bash
# Load test: POST /api/v1/verify and the Digital Link JSON route, 64
# connections, against a release build with the demo data. Loopback only.
# Usage: bash bench/load.sh [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -p server --bin nongsan
work=$(mktemp -d)
port=18080
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
NONGSAN_DATA_DIR="$work" DATABASE_URL="${DATABASE_URL:-sqlite://$work/nongsan.db}" NONGSAN_LOG=warn \
  target/release/nongsan serve --demo --bind "127.0.0.1:$port" >"$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
for _ in $(seq 1 30); do grep -q "Scan page:" "$work/out.txt" && break; sleep 1; done
link=$(grep "Scan page:" "$work/out.txt" | awk '{print $3}')
record_url=$(grep "Record:" "$work/out.txt" | awk '{print $2}')
curl -fsS "$record_url" >"$work/record.json"
echo "record: $(wc -c <"$work/record.json") bytes, $(grep -o '"seq"' "$work/record.json" | wc -l) events"
cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/record.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
echo "== POST /api/v1/verify, 64 connections, ${secs}s =="
/usr/bin/time -f "  (wrk itself used %U s user + %S s system CPU)" wrk -t2 -c64 -d"${secs}s" --latency -s "$work/verify.lua" "http://127.0.0.1:$port/api/v1/verify"
echo "== GET Digital Link (Accept: application/json), 64 connections, ${secs}s =="
/usr/bin/time -f "  (wrk itself used %U s user + %S s system CPU)" wrk -t2 -c64 -d"${secs}s" --latency -H "Accept: application/json" "$link"
