"""Browser check of the scan page, on the real binary with the demo data: the
tea lot's Digital Link (the address `nongsan serve --demo` prints) on a
phone-sized headless Chromium (360 px).

- JavaScript OFF: the page works as before (what a buyer reads, under 30 KB,
  no data-local-check).
- JavaScript ON: the page checks the signature on the phone (check.js with
  WebCrypto Ed25519): the genuine record gives data-local-check="pass" and
  the Vietnamese sentence; a record altered in transit (the fetch of the
  record intercepted over DevTools, one character of the product name
  changed) or a page altered in transit (the harvest date in the HTML
  changed) gives "fail" and the loud warning; a browser without Ed25519
  gives "unsupported" and says nothing new.
- check.js's `verify` and `jcs` against the published vectors (vendored in
  crates/traceability/tests/vectors): valid passes, tampered fails.
- The buy button leads to the lot's listing on the market at /; the
  developer parts are in one closed <details>; page + check.js < 30 KB.

Screenshots go to target/browser/scan-page*.png.

    python3 tests/browser/launch.py scan_page
"""
import base64, json, os, re, sys, time

BASE, DEVTOOLS, OUT, WORK = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
from devtools import CDP, check, finish
import devtools
from launch import chromium, ROOT

PASS_TEXT = "Đã kiểm tra chữ ký ngay trên điện thoại của bạn"
ALTERED_TEXT = "CẢNH BÁO: bản ghi đã bị sửa"

with open(os.path.join(WORK, "out.txt"), encoding="utf-8") as f:
    url = re.search(r"Scan page:\s+(\S+)", f.read()).group(1)
print(f"scan page: {url}")

# ---- without JavaScript: the page as it always was
js_off = ["--disable-javascript", "--window-size=360,1400"]
profile = os.path.join(WORK, "profile-nojs")
dom = chromium(js_off + ["--dump-dom", url], profile, timeout=60)
for text in ["Chè Shan tuyết", "Đã xác minh", "Hồng Thái", "Tuyên Quang", "Thu hoạch", "Hoàng Văn Thào",
             "Mua sản phẩm này"]:
    check(text in dom, "without JavaScript: " + text)
check("data-local-check" not in dom and PASS_TEXT not in dom, "without JavaScript: no data-local-check")
st, page = devtools.http(BASE, "GET", url, headers={"Accept": "text/html"})
st_js, script = devtools.http(BASE, "GET", "/scan/check.js")
print(f"  page size: {len(page)} bytes, check.js {len(script)} bytes, together {len(page) + len(script)}")
check(st == 200 and st_js == 200 and len(page) + len(script) < 30720, "page + check.js under 30 KB")

shot = os.path.join(OUT, "scan-page-nojs.png")
if os.path.exists(shot):
    os.remove(shot)
chromium(js_off + ["--screenshot=" + shot, url], profile, timeout=60)
if os.path.exists(shot) and os.path.getsize(shot) > 0:
    print("  screenshot: " + shot)

# ---- with JavaScript, driven over DevTools
VERDICT = "(() => { const v = document.getElementById('verdict'); return v && v.dataset.localCheck; })()"
cdp = CDP.first_page(DEVTOOLS, OUT, describe="document.getElementById('verdict')?.outerHTML")
cdp.call("Page.enable")
cdp.call("Runtime.enable")
cdp.call("Network.enable")
cdp.call("Network.setCacheDisabled", cacheDisabled=True)
# A phone: headless Chromium keeps a wider window than asked for.
cdp.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=1, mobile=True)
FITS = "document.documentElement.scrollWidth <= innerWidth"


def blank():
    """Leaves the page before the next, so no check reads the old one."""
    cdp.call("Page.navigate", url="about:blank")
    cdp.wait("location.href == 'about:blank'", "left the page")


def open_page(address):
    blank()
    cdp.call("Page.navigate", url=address)
    time.sleep(0.2)
    cdp.wait("document.readyState == 'complete' && !!document.getElementById('verdict')", "page loaded")


def settle(alter=None, timeout=15):
    """Waits for the phone's check to finish; meanwhile answers paused
    fetches (Fetch.requestPaused) with `alter(request, body) -> body`."""
    end = time.time() + timeout
    while time.time() < end:
        for m in [e for e in cdp.events if e.get("method") == "Fetch.requestPaused"]:
            cdp.events.remove(m)
            p = m["params"]
            body = base64.b64decode(cdp.call("Fetch.getResponseBody", requestId=p["requestId"])["body"])
            new = alter(p["request"], body)
            headers = [h for h in p.get("responseHeaders", [])
                       if h["name"].lower() not in ("content-length", "content-encoding", "etag")]
            cdp.call("Fetch.fulfillRequest", requestId=p["requestId"], responseCode=p.get("responseStatusCode", 200),
                     responseHeaders=headers, body=base64.b64encode(new).decode())
        try:
            r = cdp.js(VERDICT)
        except RuntimeError:
            r = None
        if r:
            return r
        time.sleep(0.1)
    return None


# The genuine record (127.0.0.1 is a secure context: WebCrypto is there)
open_page(url)
ed25519 = cdp.js("crypto.subtle.importKey('raw', new Uint8Array(32), {name: 'Ed25519'}, false, ['verify'])"
                 ".then(() => true, e => String(e))")
print(f"  this Chromium's WebCrypto Ed25519: {ed25519}")
check(ed25519 is True, "Chromium has WebCrypto Ed25519")

result = settle()
check(result == "pass", f"genuine record: data-local-check = pass (got {result!r})")
check(PASS_TEXT in cdp.js("document.getElementById('verdict').textContent"), "says: " + PASS_TEXT)
check(cdp.js("document.getElementById('verdict').className") == "ban", "the verdict stays green")
details = cdp.js("[document.querySelectorAll('details').length, document.querySelector('details').open,"
                 " !!document.querySelector('details #rec'), !!document.querySelector('details #tl')]")
check(details == [1, False, True, True], f"developer parts in one closed <details> ({details})")
shown = cdp.js("(() => { const d = document.querySelector('details'); const r = d.getBoundingClientRect();"
               " return [r.height < 120, getComputedStyle(d.querySelector('code') || d).display]; })()")
check(shown[0], "the <details> is folded (only its summary shows)")
check(cdp.js(FITS), "the checked page fits 360 px (no sideways scrolling)")
cdp.shot("scan-page.png")

# The buy button leads to the lot's listing on the market
buy = cdp.js("(() => { const a = document.querySelector('a.buy'); return a && a.getAttribute('href'); })()")
print(f"  buy button: {buy}")
check(bool(buy) and re.search(r"/#/sp/[^/]+$", buy or "") is not None, "buy button to /#/sp/<listing>")
if buy:
    below = cdp.js("document.getElementById('verdict').getBoundingClientRect().bottom"
                   " <= document.querySelector('a.buy').getBoundingClientRect().top"
                   " && document.querySelector('a.buy').getBoundingClientRect().bottom < innerHeight")
    check(below, "the buy button is right below the verdict, on the first screen")
    cdp.js("document.querySelector('a.buy').click()")
    cdp.wait("location.pathname == '/' && location.hash.startsWith('#/sp/')"
             " && /Chè Shan tuyết/i.test(document.querySelector('#v-item')?.textContent || '')"
             " && !/Đang tải/.test(document.querySelector('#v-item').textContent)",
             "the market at / shows the tea listing", timeout=15)
    cdp.shot("scan-page-buy.png")

# check.js against the published vectors, in this browser
vectors = os.path.join(ROOT, "crates", "traceability", "tests", "vectors")
with open(os.path.join(vectors, "vc-di-eddsa", "signedJCS.json"), encoding="utf-8") as f:
    signed = json.load(f)
open_page(url)
settle()
mod = "import('/scan/check.js')"
ok = cdp.js(f"{mod}.then(m => m.verify({json.dumps(signed)}))")
check(ok is True, "check.js verify: the published eddsa-jcs-2022 vector passes")


def tampered(change):
    doc = json.loads(json.dumps(signed))
    change(doc)
    return cdp.js(f"{mod}.then(m => m.verify({json.dumps(doc)}))")


cases = {
    "one character of the name": lambda d: d.update(name=d["name"].replace("Alumni", "Alumnj")),
    "the issuance date": lambda d: d.update(validFrom="2023-01-02T00:00:00Z"),
    "the proof's created time": lambda d: d["proof"].update(created="2023-02-24T23:36:39Z"),
    "the subject": lambda d: d["credentialSubject"].update(alumniOf="The School of Exampies"),
    "the signature": lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-2] + "aY"),
    "another key": lambda d: d["proof"].update(verificationMethod=
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
    "the proof's @context": lambda d: d["proof"].update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
}
for what, change in cases.items():
    r = tampered(change)
    check(r is False, f"check.js verify: tampered vector ({what}) fails (got {r!r})")
jcs_dir = os.path.join(vectors, "jcs")
for name in sorted(os.listdir(os.path.join(jcs_dir, "input"))):
    with open(os.path.join(jcs_dir, "input", name), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(jcs_dir, "output", name), encoding="utf-8") as f:
        want = f.read()
    got = cdp.js(f"{mod}.then(m => m.jcs(JSON.parse({json.dumps(src)})))")
    check(got == want, f"check.js jcs: RFC 8785 vector {name}")

# A record altered in transit: one character of the product name
cdp.call("Fetch.enable", patterns=[{"urlPattern": "*/api/v1/lots/*/record*", "requestStage": "Response"}])


def rename(request, body):
    doc = json.loads(body)
    doc["credentialSubject"]["product_name"] = doc["credentialSubject"]["product_name"].replace("Chè", "Chà", 1)
    return json.dumps(doc, ensure_ascii=False).encode()


open_page(url)
result = settle(rename)
check(result == "fail", f"record altered in transit: data-local-check = fail (got {result!r})")
loud = cdp.js("(() => { const v = document.getElementById('verdict'); return [v.className, v.getAttribute('role'),"
              " v.textContent.includes(" + json.dumps(ALTERED_TEXT) + "), v.textContent.includes('Đã xác minh'),"
              " !!document.querySelector('a.buy')]; })()")
check(loud == ["ban bad", "alert", True, False, False],
      f"the page says so loudly, no longer 'Đã xác minh', no buy button ({loud})")
check(cdp.js(FITS), "the warning fits 360 px")
cdp.shot("scan-page-altered.png")
cdp.call("Fetch.disable")

# A page altered in transit: the harvest date in the HTML. The document's
# request is paused and answered with the altered copy; Page.navigate only
# answers once the document has, so it is sent without waiting.
def send(method, **params):
    """A DevTools command sent without waiting for its answer (which
    later calls file among the events)."""
    cdp.n += 1
    msg = json.dumps({"id": cdp.n, "method": method, "params": params}).encode()
    n = len(msg)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
                            if n < 65536 else bytes([0x80 | 127]) + n.to_bytes(8, "big"))
    mask = os.urandom(4)
    cdp.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))


st, html = devtools.http(BASE, "GET", url, headers={"Accept": "text/html"})
harv = re.search(r'<dd id="harv">([^<]*)</dd>', html.decode("utf-8")).group(1)
altered = html.decode("utf-8").replace(f'<dd id="harv">{harv}</dd>',
                                       f'<dd id="harv">{harv[0] + str((int(harv[1]) + 1) % 10) + harv[2:]}</dd>', 1)
print(f"  harvest date {harv} altered to {re.search(r'<dd id=.harv.>([^<]*)<', altered).group(1)}")
doc_path = url.split("://", 1)[1].split("/", 1)[1]
blank()
cdp.call("Fetch.enable", patterns=[{"urlPattern": "*/" + doc_path, "resourceType": "Document",
                                    "requestStage": "Request"}])
send("Page.navigate", url=url)
paused = None
while paused is None:
    m = cdp._recv()
    if m.get("method") == "Fetch.requestPaused":
        paused = m["params"]["requestId"]
    else:
        cdp.events.append(m)
send("Fetch.fulfillRequest", requestId=paused, responseCode=200,
     responseHeaders=[{"name": "Content-Type", "value": "text/html; charset=utf-8"}],
     body=base64.b64encode(altered.encode("utf-8")).decode())
time.sleep(0.5)
cdp.call("Fetch.disable")
result = settle()
check(result == "fail", f"page altered in transit (harvest date): data-local-check = fail (got {result!r})")
check(ALTERED_TEXT in (cdp.js("document.getElementById('verdict').textContent") or ""), "and says so loudly")

# A browser without Ed25519: nothing new, the server's verdict stands
hook = cdp.call("Page.addScriptToEvaluateOnNewDocument", source=
                "crypto.subtle.importKey = () => Promise.reject(new DOMException('no', 'NotSupportedError'));")
open_page(url)
result = settle()
check(result == "unsupported", f"no Ed25519: data-local-check = unsupported (got {result!r})")
same = cdp.js("(() => { const v = document.getElementById('verdict'); return [v.className,"
              " v.textContent.includes('Đã xác minh'), v.textContent.includes(" + json.dumps(PASS_TEXT) + "),"
              " v.querySelectorAll('p').length]; })()")
check(same == ["ban", True, False, 2], f"no Ed25519: the page says nothing new ({same})")
cdp.call("Page.removeScriptToEvaluateOnNewDocument", identifier=hook["identifier"])
finish()
