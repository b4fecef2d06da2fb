#!/usr/bin/env bash
# Browser check: start the real binary with the demo, open the tea lot's
# Digital Link in headless Chromium with JavaScript OFF (the page must work
# without it) at a phone's width, and check what a buyer would read.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/debug/nongsan
[ -x "$bin" ] || cargo build -p server --bin nongsan
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

NONGSAN_DATA_DIR="$work" DATABASE_URL="sqlite://$work/nongsan.db" \
  "$bin" serve --demo --bind "127.0.0.1:$port" >"$work/out.txt" 2>"$work/err.txt" &
pid=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/err.txt"; exit 1; }
for _ in $(seq 1 30); do grep -q "Scan page:" "$work/out.txt" && break; sleep 1; done
url=$(grep "Scan page:" "$work/out.txt" | awk '{print $3}')
echo "scan page: $url"

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$work/profile" --disable-javascript --window-size=390,1400)
timeout 60 "${chrome[@]}" --dump-dom "$url" >"$work/dom.html" 2>/dev/null
fail=0
for text in "Chè Shan tuyết" "Đã xác minh" "Hồng Thái" "Tuyên Quang" "Thu hoạch" "Hoàng Văn Thào"; do
  if grep -q "$text" "$work/dom.html"; then echo "  found: $text"; else echo "  MISSING: $text"; fail=1; fi
done
bytes=$(curl -fsS "$url" | wc -c)
echo "  page size: $bytes bytes"
[ "$bytes" -lt 30720 ] || { echo "  page is over 30 KB"; fail=1; }
mkdir -p target/browser
timeout 60 "${chrome[@]}" --screenshot="$PWD/target/browser/scan-page.png" "$url" >/dev/null 2>&1 || true
[ -s target/browser/scan-page.png ] && echo "  screenshot: target/browser/scan-page.png"
if [ "$fail" -ne 0 ]; then echo "browser check FAILED"; exit 1; fi
echo "browser check passed"
