#!/usr/bin/env bash
# Throughput of one server against two, on one PostgreSQL database, behind
# HAProxy (round robin) both times: POST /api/v1/verify (no database work
# but the cached trust list) and POST /api/v1/orders (a transaction that
# reserves stock), wrk with 64 connections. Each server is pinned to a core
# of its own with taskset, standing in for a machine of its own; HAProxy,
# wrk and PostgreSQL share both cores with them, so the figures say how the
# work spreads, not what two real machines would give.
# Usage: bash bench/scale-out.sh [seconds]   (Debian's wrk, haproxy, psql)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
server=${NONGSAN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
for tool in wrk haproxy curl psql taskset; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk haproxy curl postgresql-client util-linux; }
done
cargo build --release -p server --bin nongsan
work=$(mktemp -d)
db="nongsan_scale_bench_$$"
psql "$server/postgres" -qc "CREATE DATABASE $db"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
trap cleanup EXIT
# the balancer is trusted, as in a deployment: its connections are not
# counted against one client address
export DATABASE_URL="$server/$db" NONGSAN_LOG=warn NONGSAN_TRUSTED_PROXIES=127.0.0.1
NONGSAN_MASTER_KEY=$(printf '44%.0s' $(seq 1 32))
export NONGSAN_MASTER_KEY
port_a=18181 port_b=18182 port_lb=18180
export NONGSAN_PUBLIC_URL="http://127.0.0.1:$port_lb"

wait_up() { for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return; sleep 0.5; done; echo "no server on $1"; exit 1; }

mkdir -p "$work/a" "$work/b"
NONGSAN_DATA_DIR="$work/a" taskset -c 0 target/release/nongsan serve --demo --bind "127.0.0.1:$port_a" >"$work/a.out" 2>&1 &
pids+=($!)
wait_up $port_a
for _ in $(seq 1 60); do grep -q "listening" "$work/a.out" && break; sleep 0.5; done
NONGSAN_DATA_DIR="$work/b" taskset -c 1 target/release/nongsan serve --bind "127.0.0.1:$port_b" >"$work/b.out" 2>&1 &
pids+=($!)
wait_up $port_b

api() { curl -fsS -H 'Content-Type: application/json' "$@"; }
token() { api -d "{\"phone\":\"$1\",\"password\":\"nongsan-demo\"}" "http://127.0.0.1:$port_a/api/v1/auth/login" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
farmer=$(token 0912000101)
buyer=$(token 0900000003)
# orders spread over 20 listings of one farmer, as buyers spread over a market
listings=""
for i in $(seq 1 20); do
  id=$(api -H "Authorization: Bearer $farmer" \
    -d "{\"title\":\"Chè Shan tuyết lô $i\",\"category\":\"che\",\"unit\":\"kg\",\"price_vnd\":100000,\"quantity\":1000000}" \
    "http://127.0.0.1:$port_a/api/v1/listings" | sed 's/^{"id":"\([^"]*\)".*/\1/')
  listings="$listings\"$id\","
done
record_url=$(grep "Record:" "$work/a.out" | awk '{print $2}' | sed "s/:$port_lb/:$port_a/")
curl -fsS "$record_url" >"$work/record.json"

cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/record.json", "r")
wrk.body = f:read("*a")
f:close()
LUA
cat >"$work/order.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $buyer"
local listings = {$listings}
request = function()
  local id = listings[math.random(#listings)]
  return wrk.format(nil, nil, nil, '{"items":[{"listing_id":"' .. id .. '","quantity":1}],"payment_method":"cod",' ..
    '"shipping":{"name":"Trần Minh Anh","phone":"0987000001","address":"12 Hàng Bạc","commune_code":"00004"}}')
end
LUA

balancer() { # name, servers…
  local cfg="$work/$1.cfg"; shift
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n'
    printf 'frontend market\n  bind 127.0.0.1:%s\n  default_backend servers\nbackend servers\n  balance roundrobin\n' $port_lb
    for p in "$@"; do printf '  server s%s 127.0.0.1:%s\n' "$p" "$p"; done
  } >"$cfg"
  haproxy -db -f "$cfg" >"$work/haproxy.log" 2>&1 &
  lb=$!
  pids+=($lb)
  wait_up $port_lb
}

for setup in one two; do
  if [ $setup = one ]; then balancer one $port_a; else balancer two $port_a $port_b; fi
  echo "== $setup server(s): POST /api/v1/verify, 64 connections, ${secs}s =="
  wrk -t2 -c64 -d"${secs}s" --latency -s "$work/verify.lua" "http://127.0.0.1:$port_lb/api/v1/verify"
  echo "== $setup server(s): POST /api/v1/orders (cash on delivery, 1 unit), 64 connections, ${secs}s =="
  wrk -t2 -c64 -d"${secs}s" --latency -s "$work/order.lua" "http://127.0.0.1:$port_lb/api/v1/orders"
  kill $lb; wait $lb 2>/dev/null || true
done
sold=$(psql -tA "$DATABASE_URL" -c "SELECT 20000000 - sum(quantity) FROM listings WHERE title LIKE '%lô %'")
orders=$(psql -tA "$DATABASE_URL" -c "SELECT count(*) FROM orders")
echo "units sold $sold; orders in the database: $orders (the demo's own: 1)"
