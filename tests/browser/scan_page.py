"""Browser check of the scan page, on the real binary with the demo data:
open the tea lot's Digital Link (the address `nongsan serve --demo` prints)
in headless Chromium with JavaScript OFF (the page must work without it) at
a phone's width, and check what a buyer would read. The screenshot goes to
target/browser/scan-page.png.

    python3 tests/browser/launch.py scan_page
"""
import os, re, sys

BASE, DEVTOOLS, OUT, WORK = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
from devtools import check, finish
import devtools
from launch import chromium

with open(os.path.join(WORK, "out.txt"), encoding="utf-8") as f:
    url = re.search(r"Scan page:\s+(\S+)", f.read()).group(1)
print(f"scan page: {url}")

js_off = ["--disable-javascript", "--window-size=390,1400"]
profile = os.path.join(WORK, "profile")
dom = chromium(js_off + ["--dump-dom", url], profile, timeout=60)
for text in ["Chè Shan tuyết", "Đã xác minh", "Hồng Thái", "Tuyên Quang", "Thu hoạch", "Hoàng Văn Thào"]:
    check(text in dom, text)
st, page = devtools.http(BASE, "GET", url)
print(f"  page size: {len(page)} bytes")
check(st == 200 and len(page) < 30720, "a page under 30 KB")

shot = os.path.join(OUT, "scan-page.png")
if os.path.exists(shot):
    os.remove(shot)
chromium(js_off + ["--screenshot=" + shot, url], profile, timeout=60)
if os.path.exists(shot) and os.path.getsize(shot) > 0:
    print("  screenshot: " + shot)
finish()
