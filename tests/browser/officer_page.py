"""Browser check of the commune officers' dashboard (GET /officer,
web/officer.html and web/officer/*.js) on the real binary with the demo
data, in headless Chromium at 360 × 740 (a phone) and then 1280 wide (the
office PC): what it downloads cold (under 80 KB gzip, no innerHTML), the
demo's statistics link is the page; a farmer's account is turned away in
Vietnamese; the demo officer signs in, picks Xã Hồng Thái by typing
«hong thai» without marks; every chart is an SVG with one bar per month
and its table holds the API's numbers; a CSV downloads (UTF-8 with BOM,
Vietnamese headers, one row per month, a file name with the area and the
months); the programmes' measures show the API's figures; the communes
side by side list the API's ranking; touch targets ≥ 48 px, no horizontal
scroll at 360 px, no English; on a PC the table stands beside its chart.
Screenshots go to target/browser/.

    python3 tests/browser/launch.py officer_page
"""
import json, os, re, sys, time, urllib.parse

BASE, DEVTOOLS, OUT, WORK = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
from devtools import CDP, check, finish
import devtools

PASSWORD = "nongsan-demo"


def http(method, path, token=None, body=None):
    st, raw = devtools.http(BASE, method, path, token=token, body=body)
    try:
        return st, json.loads(raw) if raw else None
    except ValueError:
        return st, raw


ENGLISH = re.compile(r"\b(must|the|is|not|found|order|password|already|forbidden|invalid|required|error|failed|"
                     r"network|province|commune|sellers|listings|orders|revenue|recalled|month|null|undefined|NaN)\b", re.I)


def no_english(text, what):
    words = sorted(set(w.lower() for w in ENGLISH.findall(text or "")))
    check(bool(text) and not words, f"{what}: Vietnamese only" + (f" (English: {', '.join(words)})" if words else ""))


def digits(n):
    return f"{n:,}".replace(",", ".")


print("0. the demo's link, and what a first visit downloads")
out = open(os.path.join(WORK, "out.txt"), encoding="utf-8", errors="replace").read()
check(re.search(r"officer 0900000004 .*/officer\)", out) is not None, "the demo prints the dashboard's address for the officer")
check("/api/v1/stats?commune" not in out, "no raw JSON statistics link any more")
st, html = devtools.http(BASE, "GET", "/officer")
check(st == 200 and b'lang="vi"' in html, f"GET /officer answers the page ({st})")
with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "web", "officer.html"), "rb") as f:
    check(f.read() == html, "/officer serves web/officer.html (is the binary older than the page? rebuild it)")
mods = set(re.findall(r'src="(/(?:officer|shared)/[^"]+\.js)"', html.decode()))
seen, todo = set(), sorted(mods)
while todo:
    m = todo.pop()
    if m in seen:
        continue
    seen.add(m)
    st, body = devtools.http(BASE, "GET", m)
    check(st == 200, f"  {m} is served")
    for spec in re.findall(r"""(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]""", body.decode()):
        todo.append(urllib.parse.urljoin(BASE + m, spec[0] or spec[1])[len(BASE):])
cold = 0
for f in ["/officer"] + sorted(seen):
    st, z = devtools.http(BASE, "GET", f, headers={"Accept-Encoding": "gzip"})
    cold += len(z)
    st, raw = devtools.http(BASE, "GET", f)
    check(not re.search(rb"innerHTML|outerHTML|insertAdjacentHTML|document\.write", raw), f"  {f}: no innerHTML")
    check(not re.search(rb"""(src|href)=["']?(https?:)?//""", raw), f"  {f}: nothing from outside")
check(cold < 80 * 1024, f"first visit: the page and its {len(seen)} modules are {cold} bytes gzip, under 80 KB")

c = CDP.first_page(DEVTOOLS, OUT, describe="document.body.innerText.replace(/\\s+/g, ' ').slice(0, 400)")
c.call("Runtime.enable")
c.call("Page.enable")
c.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=2, mobile=True)

HELPERS = r"""
window.T = {
  set(id, v) { const n = document.getElementById(id); n.focus(); n.value = v; n.dispatchEvent(new Event('input', {bubbles: true})); n.dispatchEvent(new Event('change', {bubbles: true})); return true; },
  click(sel) { const n = document.querySelector(sel); if (!n) throw new Error('no ' + sel); n.click(); return true; },
  text(sel) { const n = document.querySelector(sel); return n ? n.innerText : null; },
  visible(sel) { const n = document.querySelector(sel); return !!n && n.offsetParent !== null; },
  fits() { return document.documentElement.scrollWidth <= innerWidth; },
  small() {
    return [...document.querySelectorAll('button, input:not([type=hidden]), select, a')]
      .filter(n => n.offsetParent !== null && !n.closest('[hidden]'))
      .map(n => [n, n.type === 'checkbox' && n.closest('label') || n])
      .filter(([n, t]) => t.getBoundingClientRect().height < 47.5)
      .map(([n, t]) => (n.id || n.textContent.trim().slice(0, 20) || n.tagName) + ' ' + Math.round(t.getBoundingClientRect().height) + ' px');
  },
  // the numbers a table shows, per row: [month, value, value…]
  rows(sel) { return [...document.querySelectorAll(sel + ' tbody tr')].map(r => [r.dataset.month, ...[...r.querySelectorAll('td')].map(td => Number(td.dataset.value))]); },
};
if (!window.__files) {
  window.__files = []; window.__blobs = [];
  const mk = URL.createObjectURL.bind(URL);
  URL.createObjectURL = b => { const u = mk(b); window.__blobs.push([u, b]); return u; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) { const b = window.__blobs.find(([u]) => u === this.href); window.__files.push({name: this.download, blob: b && b[1]}); return; }
    return click.call(this);
  };
}
true
"""


def go(url):
    c.call("Page.navigate", url=url)
    c.wait("document.readyState === 'complete' && !!document.getElementById('v-login')", "page loaded: " + url, timeout=20)
    c.js(HELPERS)


def screen(name, what):
    time.sleep(0.3)
    c.shot(name)
    no_english(c.js("document.querySelector('main').innerText"), what)
    check(c.js("T.fits()"), what + ": fits 360 px, no sideways scrolling")
    small = c.js("T.small()")
    check(not small, what + ": every button and field at least 48 px high" + (f" (smaller: {small[:4]})" if small else ""))


print("1. signing in: a farmer is turned away, the officer gets in")
go(BASE + "/officer")
c.wait("T.visible('#login-form')", "the sign-in form shows")
screen("officer-01-login.png", "sign-in")
c.js("T.set('login-phone', '0912000101'); T.set('login-password', 'nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("T.visible('#login-form .error')", "a farmer's account: refused")
check("không phải tài khoản cán bộ" in (c.js("T.text('#login-form .error')") or ""), "said in Vietnamese: " + str(c.js("T.text('#login-form .error')")))
c.js("T.set('login-phone', '0900000004'); T.set('login-password', 'nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("T.visible('#v-dash') && !!document.querySelector('#chart-orders_placed svg')", "the officer is in: the dashboard with its charts", timeout=15)
st, login = http("POST", "/api/v1/auth/login", body={"phone": "0900000004", "password": PASSWORD})
token = login["token"]
check(login["user"]["role"] == "officer", "the demo's 0900000004 is an officer")
screen("officer-02-country.png", "the first view")

print("2. picking Xã Hồng Thái typed without marks")
c.js("T.set('commune-q', 'hong thai')")
c.wait("[...document.querySelectorAll('#commune-list button')].some(b => b.innerText.includes('Xã Hồng Thái'))", "«hong thai» finds Xã Hồng Thái")
screen("officer-03-search.png", "the commune search")
c.js("[...document.querySelectorAll('#commune-list button')].find(b => b.innerText.includes('Xã Hồng Thái')).click()")
c.wait("/Xã Hồng Thái/.test(T.text('#report-h')) && !document.getElementById('report').classList.contains('loading')", "the report is Xã Hồng Thái's")
check("Tuyên Quang" in (c.js("T.text('#report-h')") or ""), "with its province: " + str(c.js("T.text('#report-h')")))
check(c.js("location.hash").find("commune=02260") >= 0, "the address keeps the commune (a reload or a bookmark shows it again)")

month = c.js("document.getElementById('to').value")
span = int(c.js("document.getElementById('span').value"))
y, m = map(int, month.split("-"))
i = y * 12 + m - 1 - (span - 1)
frm = f"{i // 12}-{i % 12 + 1:02d}"
st, stats = http("GET", f"/api/v1/stats?commune=02260&from={frm}&to={month}", token=token)
check(st == 200 and len(stats["months"]) == 12, f"the API answers the same 12 months ({st})")
check(stats["commune_name"] == "Xã Hồng Thái" and stats["province_name"] == "Tỉnh Tuyên Quang", "the API names the area")

print("3. charts: SVG, one bar per month; the tables hold the API's numbers")
for key in ["sellers_onboarded", "listings_created", "orders_placed", "revenue_vnd", "lots_recalled"]:
    sel = f"#chart-{key}"
    bars = c.js(f"document.querySelectorAll('{sel} svg g.month').length")
    rects = c.js(f"document.querySelectorAll('{sel} svg rect.bar').length")
    check(bars == 12 and rects == 12, f"{key}: an SVG with one bar per month ({bars} months, {rects} bars)")
    check(bool(c.js(f"document.querySelector('{sel} svg title').textContent")) and c.js(f"document.querySelector('{sel} svg').getAttribute('role')") == "img",
          f"{key}: the chart is a titled image")
    want = [[r["month"], r[key]] for r in stats["months"]]
    got = c.js(f"T.rows('{sel}')")
    check(got == want, f"{key}: the table's numbers are the API's" + ("" if got == want else f" (page {got[-2:]}, API {want[-2:]})"))
    heights = c.js(f"[...document.querySelectorAll('{sel} svg rect.bar')].map(r => Number(r.getAttribute('height')))")
    top = max(r[key] for r in stats["months"])
    if top:
        tallest = heights.index(max(heights))
        check(stats["months"][tallest][key] == top, f"{key}: the tallest bar is the biggest month")
revenue = c.js("T.text('#chart-revenue_vnd table')") or ""
check(re.search(r"\d{1,3}(\.\d{3})+ ₫|0 ₫", revenue) is not None, "money written 1.234.000 ₫")
check("Th " + str(m) + "/" + str(y) in revenue, f"months written «Th {m}/{y}»")
pay = c.js("T.rows('#chart-payments')")
check(pay == [[r["month"], r["orders_bank_transfer"], r["orders_cash"]] for r in stats["months"]], "how orders were paid: the table is the API's")
check(c.js("document.querySelectorAll('#chart-payments svg rect.bar').length") == 24, "payments: stacked bars, two per month")

print("4. a CSV of a chart")
c.js("window.__files.length = 0; T.click('#chart-orders_placed button.csv')")
c.wait("window.__files.length === 1", "«Tải bảng (CSV)» offers a file")
f = c.js("(async () => { const f = window.__files[0]; const b = new Uint8Array(await f.blob.arrayBuffer()); return {name: f.name, type: f.blob.type, bom: [b[0], b[1], b[2]], text: new TextDecoder('utf-8', {ignoreBOM: true}).decode(b)}; })()")
check(f["bom"] == [0xEF, 0xBB, 0xBF], "UTF-8 with a byte-order mark (spreadsheets read the marks)")
check(f["type"].startswith("text/csv"), "text/csv: " + f["type"])
check("xa-hong-thai" in f["name"] and frm in f["name"] and month in f["name"] and f["name"].endswith(".csv"),
      "the file name has the area and the months: " + f["name"])
lines = f["text"].lstrip("\ufeff").strip("\r\n").split("\r\n")
check(lines[0] == "Tháng,Đơn hàng", "Vietnamese headers: " + lines[0])
want = [f"Th {int(r['month'][5:])}/{r['month'][:4]},{r['orders_placed']}" for r in stats["months"]]
check(lines[1:] == want, f"one row per month, the API's numbers ({len(lines) - 1} rows)")

print("5. the programmes' measures")
mz = stats["measures"]
tile = c.js("T.text('#m-sellers-online')") or ""
check(f"{digits(mz['sellers_online'])} / {digits(mz['sellers'])}" in tile, "sellers selling online out of all: " + tile.replace("\n", " "))
check((f"{mz['sellers_online_percent']} %" if mz["sellers_online_percent"] is not None else "—") in tile, "with its share in %")
check(digits(mz["products_online"]) in (c.js("T.text('#m-products')") or ""), "products online: " + str(c.js("T.text('#m-products')")).replace("\n", " "))
tr = c.js("T.text('#m-transfer')") or ""
check(f"{mz['orders_bank_transfer']} chuyển khoản" in tr and f"{mz['orders_cash']} tiền mặt" in tr, "orders by bank transfer and in cash: " + tr.replace("\n", " "))
screen("officer-04-commune.png", "Xã Hồng Thái's report")

print("6. the communes side by side")
st, ranking = http("GET", f"/api/v1/stats/communes?commune=02260&from={frm}&to={month}", token=token)
check(st == 200 and ranking["province_code"] == "08", f"the API ranks Tuyên Quang's communes ({st})")
rows = c.js("[...document.querySelectorAll('#ranking-table tbody tr')].map(r => [Number(r.querySelector('td').innerText), r.dataset.code, r.querySelector('th').innerText.replace(' (xã của anh/chị)', '').trim()])")
want = [[x["rank"], x["commune_code"], x["commune_name"]] for x in ranking["communes"]]
check(bool(rows) and rows == want, f"the page lists the API's ranking: {rows}")
c.js("window.__files.length = 0; T.click('#ranking-csv')")
c.wait("window.__files.length === 1", "the ranking downloads as CSV too")
rt = c.js("window.__files[0].blob.text()") or ""
check(rt.lstrip("\ufeff").startswith("Hạng,Mã xã,Xã, phường") or rt.lstrip("\ufeff").startswith('Hạng,Mã xã,"Xã, phường"'),
      "with Vietnamese headers: " + rt.lstrip("\ufeff")[:60])
c.js("document.getElementById('ranking-card').scrollIntoView()")
screen("officer-05-ranking.png", "the ranking")

print("7. the whole province, then a PC")
c.js("T.click('#commune-clear')")
c.wait("/Tuyên Quang/.test(T.text('#report-h')) && !/Hồng Thái/.test(T.text('#report-h')) && !document.getElementById('report').classList.contains('loading')",
       "«Xem cả tỉnh»: the province's report")
st, prov = http("GET", f"/api/v1/stats?province=08&from={frm}&to={month}", token=token)
check(c.js("T.rows('#chart-listings_created')") == [[r["month"], r["listings_created"]] for r in prov["months"]], "the province's table is the API's")
c.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
time.sleep(0.5)
beside = c.js("(() => { const s = document.querySelector('#chart-orders_placed svg').getBoundingClientRect(), t = document.querySelector('#chart-orders_placed table').getBoundingClientRect(); return t.left >= s.right - 1 && t.top < s.bottom; })()")
check(beside, "on a PC each table stands beside its chart")
fit = c.js("[document.documentElement.scrollWidth, innerWidth, document.documentElement.clientWidth]")
check(fit[0] <= fit[2], f"on a PC nothing sticks out sideways: {fit}")
c.shot("officer-06-pc.png")
c.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=2, mobile=True)
time.sleep(0.3)
below = c.js("(() => { const s = document.querySelector('#chart-orders_placed svg').getBoundingClientRect(), t = document.querySelector('#chart-orders_placed table').getBoundingClientRect(); return t.top >= s.bottom - 1; })()")
check(below, "on a phone the table is below its chart")

print("8. the network gone: said in Vietnamese, the last figures kept")
c.call("Network.enable")
c.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1)
c.js("T.set('span', '6')")
c.wait("T.visible('#dash-error') && /Không kết nối được máy chủ/.test(T.text('#dash-error'))", "no network: «Không kết nối được máy chủ…»", timeout=15)
check(c.js("document.querySelectorAll('#chart-orders_placed svg g.month').length") == 12, "the charts last shown stay")
c.call("Network.emulateNetworkConditions", offline=False, latency=0, downloadThroughput=-1, uploadThroughput=-1)
c.js("T.set('span', '24')")
c.wait("!T.visible('#dash-error') && document.querySelectorAll('#chart-orders_placed svg g.month').length === 24 && document.querySelectorAll('#chart-orders_placed tbody tr').length === 24",
       "back online, 24 months: 24 bars and 24 rows")
c.shot("officer-07-24-months.png")

print("9. time to the first chart on 3G (400 kbps, 300 ms), nothing cached, already signed in")
c.call("Network.emulateNetworkConditions", offline=False, latency=300, downloadThroughput=400_000 / 8, uploadThroughput=400_000 / 8)
c.call("Network.setCacheDisabled", cacheDisabled=True)
t0 = time.time()
c.call("Page.navigate", url=BASE + "/officer")
c.wait("!!document.querySelector('#chart-orders_placed svg g.month')", "the first chart at 400 kbps", timeout=30)
first_chart = time.time() - t0
c.call("Network.setCacheDisabled", cacheDisabled=False)
c.call("Network.emulateNetworkConditions", offline=False, latency=0, downloadThroughput=-1, uploadThroughput=-1)
check(first_chart < 5.0, f"the first chart shows {first_chart:.2f} s after opening the page at 400 kbps and 300 ms latency (budget 5 s)")
print("figures: " + json.dumps({"first_chart_s_400kbps": round(first_chart, 2)}))
c.js(HELPERS)

print("10. signing out")
c.js("T.click('#logout')")
c.wait("T.visible('#login-form') && !sessionStorage.getItem('nongsan.officer.token')", "signed out: the form again, the token gone")
finish()
