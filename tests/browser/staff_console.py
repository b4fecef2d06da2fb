"""Browser check of the post-office console (GET /staff, web/staff.html),
on the real binary with the demo data: check the page is the one in web/ and
needs nothing from outside, load it in headless Chromium (--dump-dom) and
look for the login form, then drive it through Chromium's DevTools protocol
the way counter staff would: log in, onboard a farmer (commune search, bank,
consent, activation code), create a lot, record events (kg -> quantity_g,
local time -> +07:00), print labels, list and filter sellers, re-issue a
code, recall (the orders holding the lot: a parcel with the postman stopped
and its return recorded, a stale screen's 409, an order cancelled by the
recall); list produce for a demo farmer (price in whole đồng, linked
lot, a photo from the "camera" input, a refused file, edit, pause, delete);
handle orders (the demo cash-on-delivery order confirmed for the farmer,
handed over, delivered; a stale screen's 409 explained; a cancel with a
reason; the status filter); payments: an unmatched bank transfer (posted to
the webhook) assigned to its order, the post office's cash on delivery and a
remittance, the farmer's statement; an expired session, log out; then admin:
the remittance received, payout runs (bank CSV, sent, confirmed with one
seller failed, then paid) and the balanced trial balance; last, a lot
recalled after one of its parcels was delivered: the buyer to call; the
console on a 360 px phone (a tab bar of one row, tables of money stacked).
Every error is shown in Vietnamese, chosen by its code: never the server's
English (`no_english`). The page and its modules (web/staff/*.js) load
under 60 KB cold. Screenshots go to target/browser/.

    python3 tests/browser/launch.py staff_console
"""
import base64, datetime, json, os, random, re, socket, struct, sys, time, urllib.parse, urllib.request, zlib

BASE, DEVTOOLS, OUT, WORK = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
from devtools import CDP, check, finish
import devtools
from launch import ROOT, chromium

# --- the page as served: the one in web/, self-contained, text-only DOM updates
print(f"staff console: {BASE}/staff")
with open(os.path.join(ROOT, "web", "staff.html"), "rb") as f:
    PAGE = f.read()
st, served = devtools.http(BASE, "GET", "/staff")
check(st == 200, "GET /staff answers 200")
check(served == PAGE, "/staff serves web/staff.html (is the binary older than the page? rebuild it)")
print(f"  page size: {len(PAGE)} bytes")


def imports(path, text, seen):
    """The modules `text` (served at `path`) imports statically or preloads, and theirs: what a
    browser fetches before the first screen works. A dynamic `import('…')` (a tab's module,
    loaded when its tab is first opened) is not followed: it is no part of the cold load."""
    specs = re.findall(r'<(?:script type="module" src|link rel="modulepreload" href)="([^"]+)"', text)
    # `import … from '…'`, `export … from '…'`, `import '…'`; never `import(`
    specs += [a or b for a, b in re.findall(r"""(?:^|[;\s])(?:import|export)\s[^'";()]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]""", text, re.M)]
    for spec in specs:
        url = urllib.parse.urljoin(BASE + path, spec)[len(BASE):]
        if url not in seen:
            seen.add(url)
            imports(url, devtools.http(BASE, "GET", url)[1].decode("utf-8", errors="replace"), seen)
    return seen


def on_demand(modules):
    """The modules loaded later, by a dynamic `import('…')`, with everything they import that the
    cold load has not fetched already."""
    later, todo = set(), list(modules)
    while todo:
        path = todo.pop()
        text = devtools.http(BASE, "GET", path)[1].decode("utf-8", errors="replace")
        for spec in re.findall(r"""\bimport\(\s*['"]([^'"]+)['"]\s*\)""", text):
            url = urllib.parse.urljoin(BASE + path, spec)[len(BASE):]
            for m in imports(url, "", {url}) | imports(url, devtools.http(BASE, "GET", url)[1].decode("utf-8", errors="replace"), set()):
                if m not in modules and m not in later:
                    later.add(m)
                    todo.append(m)
    return sorted(later)


MODULES = sorted(imports("/staff", PAGE.decode(), set()))
LATER = on_demand(MODULES)
print("  modules (cold): " + ", ".join(MODULES))
print("  modules (on demand, when their tab is first opened): " + ", ".join(LATER))
check(any(m.startswith("/staff/") for m in MODULES) and any(m.startswith("/shared/") for m in MODULES),
      "the console is ES modules: its own (/staff/…) and the shared ones (/shared/…)")
check({"/staff/lots.js", "/staff/orders.js", "/staff/files.js"} <= set(LATER) and "/staff/lots.js" not in MODULES,
      "the tabs' modules are loaded on demand, not with the page")
cold = later = 0
for path in ["/staff"] + MODULES + LATER:
    st, body = devtools.http(BASE, "GET", path)
    st_z, z = devtools.http(BASE, "GET", path, headers={"Accept-Encoding": "gzip"})
    if path in LATER:
        later += len(z)
    else:
        cold += len(z)
    if path != "/staff":
        with open(os.path.join(ROOT, "web", path.lstrip("/")), "rb") as f:
            check(st == 200 and body == f.read(), f"  {path} serves web{path} ({len(body)} bytes, {len(z)} gzip)")
    check(not devtools.loads_from_outside(body.decode()), f"  {path}: no external resources")
    check(not re.search(rb"innerHTML|outerHTML|insertAdjacentHTML|document\.write", body), f"  {path}: no innerHTML (text-only DOM updates)")
    check(path.startswith("/shared/") or not ("Máy chủ báo".encode() in body or re.search(rb"\.message\b", body)),
          f"  {path}: never shows the server's English message")
# the cold load: the page and what it imports statically (the login screen and the first screen
# after it, onboarding); the other tabs' modules come when opened and are not counted here
check(cold < 61440, f"a cold load under 60 KB: {cold} bytes gzip (the page and its {len(MODULES)} static modules;"
      f" {later} bytes more in {len(LATER)} modules loaded on demand)")

# --- the page as Chromium first renders it
dom = chromium(["--window-size=1024,1366", "--virtual-time-budget=5000", "--dump-dom", BASE + "/staff"],
               os.path.join(WORK, "profile-dump"), timeout=30)
for text in ["Đăng nhập quầy bưu điện", 'id="login-form"', 'id="login-phone"', 'id="login-password"',
             "Đăng ký người bán mới", "Số CCCD (12 số)", "Tài khoản ngân hàng nhận tiền", "Lô hàng và tem QR",
             "Thêm sự kiện", "Hàng bán trên chợ", 'id="listing-form"', 'id="or-list"']:
    check(text in dom, text)

# --- the console driven over DevTools


def http(method, path, token=None, body=None):
    return devtools.http(BASE, method, path, token=token, body=body)


ENGLISH = re.compile(r"\b(must|the|is|not|found|order|password|already|characters|transfer|cannot|invalid|required)\b", re.I)


def no_english(text, what):
    """Fails when `text` shows the server's English (or says «Máy chủ báo»)."""
    words = sorted(set(w.lower() for w in ENGLISH.findall(text or "")))
    check(bool(text) and not words and "Máy chủ báo" not in text,
          f"{what}: Vietnamese only" + (f" (English: {', '.join(words)})" if words else "") + f": «{(text or '')[:160]}»")


def vnd(n):
    return f"{n:,}".replace(",", ".") + " ₫"


def fmt_time(at):
    """An API time as the console writes it, in Vietnam time."""
    return (datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=7)).strftime("%d/%m/%Y %H:%M")


def bank_pays(content, amount):
    """What the bank's notification service does when a transfer arrives (demo key, demo account); its id."""
    nid = "FT" + str(random.randint(10**9, 10**10 - 1))
    st, body = devtools.http(BASE, "POST", "/api/v1/payments/bank-webhook", headers={"Authorization": "Apikey demo-webhook-key"}, body={
        "id": nid, "gateway": "Agribank", "transactionDate": time.strftime("%Y-%m-%d %H:%M:%S"), "accountNumber": "1900000000001",
        "code": None, "content": content, "transferType": "in", "transferAmount": amount, "accumulated": 0,
        "subAccount": None, "referenceCode": nid, "description": ""})
    check(st == 200, f"the bank notifies {amount} đồng «{content}» ({st})")
    return nid


def png(path, w, h):
    with open(path, "wb") as f:
        f.write(devtools.png(w, h))
    return path

def shot_of(selector, name):
    """A screenshot of one part of the page (the whole page is long)."""
    c.js("document.getElementById('flash').textContent = ''; true")  # the toast would hide what is under it
    r = c.js(f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }})()")
    res = c.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                 clip={"x": max(0, r[0] - 8), "y": max(0, r[1] - 8), "width": r[2] + 16, "height": min(r[3] + 16, 4000), "scale": 1})
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(base64.b64decode(res["data"]))
    print("  screenshot: " + path)

def shot_from(top, bottom, name):
    """A screenshot from one element down to the end of another."""
    c.js("document.getElementById('flash').textContent = ''; true")
    r = c.js(f"(() => {{ const a = document.querySelector({json.dumps(top)}).getBoundingClientRect(), b = document.querySelector({json.dumps(bottom)}).getBoundingClientRect();"
             " return [a.left + scrollX, a.top + scrollY, Math.max(a.right, b.right) - a.left, b.bottom - a.top]; })()")
    res = c.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                 clip={"x": max(0, r[0] - 8), "y": max(0, r[1] - 8), "width": r[2] + 16, "height": min(r[3] + 16, 4000), "scale": 1})
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(base64.b64decode(res["data"]))
    print("  screenshot: " + path)

def scanner(field_id, text):
    """What a keyboard-wedge barcode scanner does: focus is in the field, it
    types the code key by key, then presses Enter."""
    c.js(f"(() => {{ const n = document.getElementById({json.dumps(field_id)}); n.focus(); n.select(); return true; }})()")
    for ch in text:
        c.call("Input.dispatchKeyEvent", type="keyDown", key=ch, text=ch, unmodifiedText=ch)
        c.call("Input.dispatchKeyEvent", type="keyUp", key=ch)
    c.call("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter", windowsVirtualKeyCode=13, nativeVirtualKeyCode=13, text="\r", unmodifiedText="\r")
    c.call("Input.dispatchKeyEvent", type="keyUp", key="Enter", code="Enter", windowsVirtualKeyCode=13, nativeVirtualKeyCode=13)

def typed(field_id, text):
    """A person clicks into the field, types the text, and moves on."""
    c.js(f"(() => {{ document.getElementById({json.dumps(field_id)}).focus(); return true; }})()")
    c.call("Input.insertText", text=text)
    c.js(f"(() => {{ document.getElementById({json.dumps(field_id)}).blur(); return true; }})()")

def set_files(selector, paths):
    """What a file chooser (or the tablet camera) does: puts files on an <input type=file>."""
    root = c.call("DOM.getDocument", depth=0)["root"]["nodeId"]
    node = c.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    if not node:
        raise RuntimeError("no " + selector)
    c.call("DOM.setFileInputFiles", files=paths, nodeId=node)

# helpers run inside the page
HELPERS = r"""
window.T = {
  set(id, v) { const n = document.getElementById(id); n.focus(); n.value = v; n.dispatchEvent(new Event('input', {bubbles: true})); n.dispatchEvent(new Event('change', {bubbles: true})); n.blur(); return true; },
  click(sel) { const n = document.querySelector(sel); if (!n) throw new Error('no ' + sel); n.click(); return true; },
  text(sel) { const n = document.querySelector(sel); return n ? n.textContent : null; },
  visible(sel) { const n = document.querySelector(sel); return !!n && n.offsetParent !== null; },
};
true
"""

c = CDP.first_page(DEVTOOLS, OUT)
c.call("Runtime.enable")
c.call("Page.enable")
c.call("Emulation.setDeviceMetricsOverride", width=1024, height=1366, deviceScaleFactor=1, mobile=False)

def go(url):
    c.call("Page.navigate", url=url)
    c.wait("document.readyState === 'complete' && !!document.getElementById('login-form')", "page loaded: " + url)
    c.js(HELPERS)

print("1. login")
go(BASE + "/staff")
c.js("sessionStorage.clear(); true")
go(BASE + "/staff")
check(c.js("T.visible('#login-form') && !T.visible('#onboard-form')"), "login form shown, work screens hidden")
check("Đăng nhập quầy bưu điện" in c.js("document.body.innerText"), "Vietnamese login heading")
c.shot("staff-1-login.png")
c.js("T.set('login-phone','0900000002'); T.set('login-password','wrong-password'); T.click('#login-form button[type=submit]')")
c.wait("/Sai số điện thoại hoặc mật khẩu/.test(T.text('#login-form .error'))", "wrong password: Vietnamese error shown")
no_english(c.js("T.text('#login-form .error')"), "the wrong password's message")
c.js("T.set('login-phone','0912000101'); T.set('login-password','nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("/không phải tài khoản nhân viên/.test(T.text('#login-form .error')) && T.visible('#login-form') && !sessionStorage.getItem('nongsan.staff.token')",
       "a farmer account is turned away")
no_english(c.js("T.text('#login-form .error')"), "the farmer turned away")
c.js("T.set('login-phone','0900000002'); T.set('login-password','nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("T.visible('#onboard-form') && /Ma Thị Hằng/.test(T.text('#who-name'))", "logged in: name in header, onboarding form shown")
token = c.js("sessionStorage.getItem('nongsan.staff.token')")
check(bool(token) and token not in c.js("location.href"), "token in sessionStorage, not in the URL")
check(c.js("location.hash") == "#dang-ky", "lands on #dang-ky")

print("2. onboard a seller")
c.wait("document.querySelectorAll('#ob-bank option').length > 5", "banks loaded into the select")
phone = "09" + str(random.randint(10000000, 99999999))
cccd = "008" + str(random.randint(100000000, 999999999))
c.js(f"""T.set('ob-name','Lò Văn Piềng'); T.set('ob-phone','{phone}'); T.set('ob-cccd','12345');
T.set('ob-address','Thôn Nặm Đăm'); T.set('ob-farm','<img src=x onerror="window.__xss=1">Vườn mận');
T.set('ob-bank','970405'); T.set('ob-account','8800205000111');
document.querySelector('input[name=consent][value=paper_form]').click(); true""")
# typed once from the bank card, after the farmer's name: saved once
typed("ob-account-name", "Lò Văn Piềng")
check(c.js("document.getElementById('ob-account-name').value") == "LO VAN PIENG", "account name typed once, folded to LO VAN PIENG")
c.js("T.click('#onboard-form button[type=submit]')")
c.wait("/12 chữ số/.test(T.text('#onboard-form .error')) && document.getElementById('ob-cccd').getAttribute('aria-invalid') === 'true'",
       "short CCCD rejected in the browser, field marked")
no_english(c.js("T.text('#onboard-form .error')"), "the short CCCD's message")
c.js("T.set('ob-cccd','000 090 001 234'); T.click('#onboard-form button[type=submit]')")
c.wait("/Xã, phường/.test(T.text('#onboard-form .error')) && /chọn trong danh sách/.test(T.text('#onboard-form .error'))", "commune required before sending")
c.js("T.set('ob-commune-q','hong thai')")
c.wait("document.querySelectorAll('#ob-commune button.pick').length > 0", "live commune search shows results")
check("Hồng Thái" in c.js("T.text('#ob-commune .results')"), "diacritic-insensitive search finds Hồng Thái")
c.js("T.click('#ob-commune button.pick')")
check("02260" in c.js("T.text('#ob-commune .picked span')"), "commune 02260 picked")
c.js("T.click('#onboard-form button[type=submit]')")
c.wait("/Số CCCD: chưa đúng/.test(T.text('#onboard-form .error')) && /3 số đầu của số CCCD là mã tỉnh/.test(T.text('#onboard-form .error'))"
       " && document.getElementById('ob-cccd').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'ob-cccd'",
       "the server's 422 (province code) shown by its code in Vietnamese, the field marked and focused")
no_english(c.js("T.text('#onboard-form .error')"), "the server's 422 on the CCCD")
c.shot("staff-2-onboard-error.png")
c.js(f"T.set('ob-cccd','{cccd[:3]} {cccd[3:6]} {cccd[6:9]} {cccd[9:]}'); T.click('#onboard-form button[type=submit]')")
c.wait("/^\\d{8}$/.test(T.text('#done-code')) && T.visible('#done-code')", "activation code shown big")
c.wait(f"T.text('#done-cccd') === '*********{cccd[-3:]}'", "masked CCCD shown")
check(c.js("!T.visible('#onboard-form') && document.getElementById('ob-cccd').value === ''"), "form hidden and CCCD cleared from the page")
c.wait("document.getElementById('done-app-qr').complete && document.getElementById('done-app-qr').naturalWidth > 100"
       " && T.text('#done-app-url').endsWith('/farmer')", "a QR of the farmer's app (/farmer) for the farmer to scan")
c.shot("staff-3-onboarded.png")

print("3. lots for the new seller")
fetched = "performance.getEntriesByType('resource').some(e => new URL(e.name).pathname === '/staff/lots.js')"
check(not c.js(fetched), "the lots tab's module is not loaded before the tab is opened")
c.js("T.click('#done-lot')")
c.wait("location.hash === '#lo-hang' && T.visible('#lot-form')", "Tạo lô opens the lot screen")
c.wait(fetched, "opening the tab loaded its module (/staff/lots.js)")
c.wait("/Lò Văn Piềng/.test(document.getElementById('lot-seller').selectedOptions[0].textContent)", "seller preselected")
check("02260" in (c.js("T.text('#lot-commune .picked span')") or ""), "lot commune defaults to the seller's commune")
check(c.js("document.getElementById('lot-date').value") == c.js("new Date(Date.now()+7*3600e3).toISOString().slice(0,10)"), "harvest date defaults to today")
c.wait("document.getElementById('lot-unit').value === 'kg'", "units loaded, kg selected")
c.js("T.set('lot-product','Chè <b>Shan</b> tuyết'); T.set('lot-qty','12,5'); T.click('#lot-form button[type=submit]')")
c.wait("document.querySelectorAll('#lots-list > li').length === 1 && T.visible('#lot-detail')", "lot created, listed, detail open")
check(c.js("document.querySelectorAll('#lots-list b, #lot-detail b').length") == 0 and "Chè <b>Shan</b> tuyết" in c.js("T.text('#lots-list')"),
      "API text is inserted as text, never as HTML")
check("12,5 kg" in c.js("T.text('#lots-list')"), "quantity 12,5 kg shown")
c.wait("(() => { const i = document.querySelector('#lots-list img'); return i && i.complete && i.naturalWidth > 0; })()", "label preview image loaded")
lot_id = c.js("document.querySelector('#lots-list > li').getAttribute('data-lot')")
href = c.js("document.querySelector('#lots-list .print a').getAttribute('href')")
check(href == f"/api/v1/labels/sheet.html?lots={lot_id}&copies=24", "In tem links to the A4 sheet: " + href)
st, body = http("GET", href)
check(st == 200 and b"<svg" in body, "the sheet answers 200 with labels")
sheet = body.decode()
check("In ở tỉ lệ 100 % (không co giãn) để mã QR quét được" in sheet and sheet.index("print-hint") < sheet.index('class="page"'),
      "the sheet says at the top: «In ở tỉ lệ 100 % (không co giãn) để mã QR quét được»")
check(re.search(r'<button[^>]*id="print"', sheet) is not None and '<script type="module" src="/shared/print-button.js">' in sheet
      and "onclick" not in sheet and "@media print{.bar{display:none}}" in sheet,
      "the sheet has a print button (wired by a module, no inline script), and the bar is not printed")
check(c.js("[...document.querySelectorAll('#ld-links a')].some(a => /\\/01\\/\\d{14}\\/10\\//.test(a.href))"), "scan page (Digital Link) linked")

print("4. events")
c.js("T.set('ev-type','harvest')")
check(c.js("T.visible('#ev-kg') && T.visible('#ev-variety') && !T.visible('#ev-product') && !T.visible('#ev-to')"), "harvest shows only its fields")
c.js("T.set('ev-type','input_application')")
check(c.js("T.visible('#ev-product') && T.visible('#ev-dose') && T.visible('#ev-phi') && !T.visible('#ev-kg')"), "input application shows product, dose, interval")
c.js("T.set('ev-when','2025-11-02T06:00'); T.click('#event-form button[type=submit]')")
c.wait("/Tên phân bón/.test(T.text('#event-form .error'))", "required product flagged before sending")
c.js("T.set('ev-type','harvest'); T.set('ev-when','2025-11-02T06:00'); T.set('ev-kg','12,5'); T.set('ev-note','Hái <i>sáng</i> sớm'); T.click('#event-form button[type=submit]')")
c.wait("/Thu hoạch/.test(T.text('#ld-events')) && /12,5 kg/.test(T.text('#ld-events'))", "harvest event in the timeline with 12,5 kg")
check("02/11/2025 06:00" in (c.js("T.text('#ld-events')") or ""), "event time shown in Vietnam time")
st, body = http("GET", f"/api/v1/lots/{lot_id}/events")
ev = json.loads(body)["items"][-1]
check(ev["details"].get("quantity_g") == 12500 and ev["occurred_at"] == "2025-11-01T23:00:00Z",
      "sent quantity_g=12500 and occurred_at 06:00+07:00: " + json.dumps(ev["details"]) + " " + ev["occurred_at"])
c.js("T.set('ev-type','cooling'); T.set('ev-when','2025-11-02T08:00'); T.set('ev-temp','4'); T.click('#event-form button[type=submit]')")
c.wait("/4 °C/.test(T.text('#ld-events'))", "cooling event with temperature")
c.js("T.set('ev-type','shipping'); T.set('ev-when','2099-01-01T08:00'); T.set('ev-to','Bưu điện Hà Giang'); T.click('#event-form button[type=submit]')")
c.wait("/không được sau lúc này/.test(T.text('#event-form .error'))", "future time refused")
c.shot("staff-4-lot.png")
check(not c.js("T.visible('#ld-orders')"), "a lot still on sale: no list of orders to stop")

print("4b. orders on the lot, then the recall stops them")
pieng = c.js("document.getElementById('lot-seller').value")
lot_code = json.loads(http("GET", f"/api/v1/lots/{lot_id}")[1])["lot_code"]
st, body = http("POST", "/api/v1/listings", token=token, body={"title": "Trà Nặm Đăm túi 100 g", "category": "che", "unit": "goi",
                                                                "price_vnd": 95000, "quantity": 10, "unit_weight_g": 120, "lot_id": lot_id, "seller_id": pieng})
check(st == 201, f"the farmer's tea from this lot is put on sale ({st})")
nam_dam = json.loads(body)["id"] if st == 201 else ""
sen_phone = "09" + str(random.randint(10000000, 99999999))
st, body = http("POST", "/api/v1/auth/register", body={"phone": sen_phone, "password": "nguoi-mua-thu-hoi", "name": "Đinh Thị Sen"})
check(st in (200, 201), f"a buyer registers ({st})")
sen = json.loads(body).get("token") if st in (200, 201) else None

def sen_orders(quantity, address, *steps):
    st, body = http("POST", "/api/v1/orders", token=sen, body={"items": [{"listing_id": nam_dam, "quantity": quantity}],
        "shipping": {"name": "Đinh Thị Sen", "phone": sen_phone, "address": address, "commune_code": "02260"}, "payment_method": "cod"})
    o = json.loads(body) if st == 201 else {"id": "", "code": "", "parts": [{"id": ""}]}
    done = [http("POST", f"/api/v1/orders/{o['id']}/{step}", token=token, body={})[0] for step in steps]
    check(st == 201 and all(d == 200 for d in done), f"she orders {quantity} gói, cash on delivery{', ' if steps else ''}{', '.join(steps)} ({st} {done})")
    return o

o_stop = sen_orders(2, "Thôn Khuổi Bốc", "confirm", "hand-over")
o_other = sen_orders(1, "Thôn Nặm Đăm", "confirm", "hand-over")
o_wait = sen_orders(1, "Thôn Nặm Đăm")
c.js("document.getElementById('recall-box').open = true; window.confirm = () => true; T.set('rc-reason','Phát hiện dư lượng thuốc'); T.click('#recall-form button[type=submit]')")
c.wait("/ĐÃ THU HỒI/.test(T.text('#ld-status')) && /Thu hồi/.test(T.text('#ld-events')) && !T.visible('#event-form')", "recall: badge, timeline entry, no more events")
stop_card = f'#ld-orders-list > li[data-order="{o_stop["id"]}"]'
other_card = f'#ld-orders-list > li[data-order="{o_other["id"]}"]'
wait_card = f'#ld-orders-list > li[data-order="{o_wait["id"]}"]'
c.wait(f"T.visible('#ld-orders') && document.querySelectorAll('#ld-orders-list > li').length === 3 && !!document.querySelector('{stop_card}')",
       "after the recall, «Đơn hàng có lô này» lists the 3 orders at once")
check("Đơn hàng có lô này" in (c.js("T.text('#ld-orders h3')") or ""), "headed «Đơn hàng có lô này»")
check(c.js("[...document.querySelectorAll('#ld-orders-list > li')].map(li => li.dataset.recall).join(' ')") == "returning returning cancelled",
      "the parcels to stop come first")
check("3 đơn hàng · 2 bưu kiện phải chặn lại" in (c.js("T.text('#ld-orders-count')") or ""), "the count says 2 parcels to stop")
c.wait(f"/Hồng Thái/.test(T.text('{stop_card} dl'))", "the shipping commune named from its code")
text = c.js(f"T.text('{stop_card}')") or ""
for want in [o_stop["code"], "Đang ở bưu tá — CHẶN, không giao", "Đinh Thị Sen", sen_phone, "Thôn Khuổi Bốc", "Trà Nặm Đăm túi 100 g: 2 gói"]:
    check(want in text, "the parcel to stop shows " + want)
check(c.js(f"document.querySelector('{stop_card} a[href^=\"tel:\"]').getAttribute('href')") == "tel:" + sen_phone, "the buyer's phone is a tel: link")
sms = c.js(f"document.querySelector('{stop_card} a[href^=\"sms:\"]')?.getAttribute('href')") or ""
said = urllib.parse.unquote(sms.partition("?body=")[2])
check(sms.startswith(f"sms:{sen_phone}?body=") and o_stop["code"] in said and lot_code in said and "THU HỒI" in said,
      f"a ready text message to the buyer (sms:), naming the order and the lot: «{said}»")
check(all(c.js(f"[...document.querySelectorAll('#ld-orders-list > li')].every(li => !!li.querySelector('a[href^=\"sms:\"]'))") for _ in [0]),
      "every order on the recalled lot has its sms: link")
check(c.js(f"getComputedStyle(document.querySelector('{stop_card}')).borderTopColor") == "rgb(176, 0, 32)", "the parcel to stop stands out in red")
check(c.js(f"T.text('{stop_card} [data-act=return]')") == "Đã nhận lại bưu kiện", "with a button «Đã nhận lại bưu kiện»")
check("Chưa gửi đi — đã tự huỷ khi thu hồi" in (c.js(f"T.text('{wait_card}')") or "") and not c.js(f"!!document.querySelector('{wait_card} button')"),
      "the order not yet handed over: cancelled by the recall, nothing to do")
st, body = http("POST", f"/api/v1/orders/{o_stop['id']}/deliver", token=token, body={})
check(st == 409 and json.loads(body)["error"]["code"] == "lot_recalled", f"the API refuses to deliver it: 409 lot_recalled ({st})")
shot_of("#ld-orders", "staff-4b-recall-orders.png")
st, _ = http("POST", f"/api/v1/orders/{o_other['id']}/return", token=token, body={"part_id": o_other["parts"][0]["id"], "reason": "Bưu tá mang về"})
check(st == 200, f"another counter records the other parcel back behind this screen ({st})")
c.js(f"window.confirm = () => true; T.click('{other_card} [data-act=return]')")
c.wait(f"/Đơn hàng đã ở bước khác/.test(T.text('{other_card} .error')) && /nhận lại bưu kiện khi phần hàng đang ở trạng thái «Đã huỷ»/.test(T.text('{other_card} .error'))"
       f" && /Bưu kiện đã về bưu điện/.test(T.text('{other_card}')) && !document.querySelector('{other_card} [data-act=return]')",
       "a stale screen: the 409 explained in Vietnamese, the list reloaded with the parcel back")
no_english(c.js(f"T.text('{other_card} .error')"), "the stale screen's 409")
c.js(f"window.__asked = ''; window.confirm = (m) => {{ window.__asked = m; return true; }}; T.click('{stop_card} [data-act=return]')")
c.wait(f"document.querySelector('{stop_card}').dataset.recall === 'returned' && /Bưu kiện đã về bưu điện — đơn đã huỷ/.test(T.text('{stop_card}'))"
       f" && !document.querySelector('{stop_card} [data-act=return]') && /đã nhận lại bưu kiện/.test(T.text('#flash'))",
       "«Đã nhận lại bưu kiện»: the row becomes «Bưu kiện đã về bưu điện — đơn đã huỷ», said so")
check(o_stop["code"] in (c.js("window.__asked") or ""), "it asks first, naming the order")
check("0 bưu kiện" not in (c.js("T.text('#ld-orders-count')") or "") and "phải chặn" not in (c.js("T.text('#ld-orders-count')") or ""),
      "no parcel left to stop")
st, body = http("GET", f"/api/v1/orders/{o_stop['id']}", token=token)
part = json.loads(body)["parts"][0]
check(part["status"] == "cancelled" and (part.get("recall") or {}).get("outcome") == "returned" and part["cancel_reason"] == "Thu hồi lô " + lot_code,
      "the API has the part cancelled, recall outcome returned, reason «Thu hồi lô " + lot_code + "»: " + json.dumps(part.get("recall"), ensure_ascii=False))
shot_of("#lot-detail", "staff-4c-returned.png")

print("4c. onboarding a phone that already has an account")
c.js("location.hash = '#dang-ky'")
c.wait("T.visible('#done-new')", "the onboarding tab still shows the last farmer's code")
c.js(f"""T.click('#done-new'); T.set('ob-name','Lò Thị Mai'); T.set('ob-phone','{phone}'); T.set('ob-cccd','008 300 000 111');
T.set('ob-address','Thôn Nặm Đăm'); T.set('ob-bank','970405'); T.set('ob-account','8800205000222'); T.set('ob-account-name','LO THI MAI');
document.querySelector('input[name=consent][value=paper_form]').click(); T.set('ob-commune-q','hong thai'); true""")
c.wait("document.querySelectorAll('#ob-commune button.pick').length > 0", "commune search")
c.js("T.click('#ob-commune button.pick'); T.click('#onboard-form button[type=submit]')")
c.wait("/Số điện thoại này đã có tài khoản/.test(T.text('#onboard-form .error')) && document.getElementById('ob-phone').getAttribute('aria-invalid') === 'true'"
       " && document.activeElement.id === 'ob-phone'", "a taken phone: 409 already_taken said in Vietnamese, the phone field marked and focused")
no_english(c.js("T.text('#onboard-form .error')"), "the taken phone's message")
c.js("T.set('ob-phone', '12'); T.click('#onboard-form button[type=submit]')")
c.wait("/Số điện thoại Việt Nam gồm 10 số/.test(T.text('#onboard-form .error')) && document.activeElement.id === 'ob-phone'",
       "a short phone: the server's 422 invalid_format said in Vietnamese")
no_english(c.js("T.text('#onboard-form .error')"), "the short phone's message")
shot_of("#onboard-form .error", "staff-4c-taken-phone.png")

print("5. sellers list")
c.js("location.hash = '#nguoi-ban'")
c.wait("document.querySelectorAll('#sl-list > li').length >= 4", "sellers listed")
check(c.js("document.querySelectorAll('img[src=\"x\"]').length") == 0 and c.js("window.__xss") is None, "markup in a farm name is not executed")
c.js("T.set('sl-commune-q','tam dao')")
c.wait("document.querySelectorAll('#sl-commune button.pick').length > 0", "commune filter search")
c.js("T.click('#sl-commune button.pick')")
c.wait("document.querySelectorAll('#sl-list > li').length === 1 && /Nguyễn Thị Lan/.test(T.text('#sl-list'))", "filter by commune: one seller in Tam Đảo")
c.js("window.confirm = () => true; T.click('#sl-list li [data-act=reissue]')")
c.wait("/đã tự đặt mật khẩu/.test(T.text('#sl-list .error'))", "no new code for a farmer who set a password: explained in the card")
no_english(c.js("T.text('#sl-list .error')"), "the refused activation code")
c.js("T.click('#sl-commune .picked button'); T.set('sl-search','pieng')")
c.wait("document.querySelectorAll('#sl-list > li').length === 1 && /Lò Văn Piềng/.test(T.text('#sl-list'))", "diacritic-insensitive name search")
c.js("T.click('#sl-list li [data-act=reissue]')")
c.wait("/^\\d{8}$/.test(T.text('#sl-list .code'))", "activation code re-issued and shown")
c.shot("staff-5-sellers.png")

print("5b. sellers from a CSV file: a dry run, every row's problems, then the import")
c.js("location.hash = '#tep'")
c.wait("T.visible('#im-form') && T.visible('#fs-form')", "the tab «Nhập tệp, xuất FSMA»: the CSV form and the FSMA export")
c.wait("performance.getEntriesByType('resource').some(e => new URL(e.name).pathname === '/staff/files.js')", "its module loaded when opened")


def sellers_count():
    st, body = http("GET", "/api/v1/sellers", token=token)
    return len(json.loads(body)["items"]) if st == 200 else -1


before = sellers_count()
HEADER = "full_name,phone,national_id,commune_code,address,farm_name,bank_bin,bank_account_number,bank_account_name,consent_terms_version,consent_method"
people = [("Vàng Thị Dua", "VANG THI DUA"), ("Giàng A Sử", "GIANG A SU"), ("Sùng Thị Mỷ", "SUNG THI MY")]
phones = ["09" + str(random.randint(10000000, 99999999)) for _ in people]
ids = ["0081" + str(random.randint(10000000, 99999999)) for _ in people]


def csv_file(name, rows):
    path = os.path.join(WORK, name)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write("\r\n".join([HEADER] + rows) + "\r\n")
    return path


def person(i, phone=None, national_id=None, account_name=None, method="paper_form", extra=""):
    n, acct = people[i]
    return (f'{n},{phone or phones[i]},{national_id or ids[i]},02260,"Thôn Nặm Đăm, xóm {i + 1}",,970405,'
            f'88002050{i:05d},{acct if account_name is None else account_name},2025-07,{method}{extra}')


GOOD_ROWS = [person(i) for i in range(len(people))]
# what staff get wrong: a short phone, an unknown consent method (row 3); the CCCD's leading
# zeros dropped by Excel, an empty cell, a cell beyond the named columns (row 4); the first
# farmer typed in twice (row 5)
BAD_ROWS = [GOOD_ROWS[0], person(1, phone="12345", method="ky_giay"),
            person(2, national_id=ids[2].lstrip("0"), account_name="", extra=",Xóm 3"), person(0, phone=phones[0], national_id=ids[0])]

c.js("T.click('#im-check')")
c.wait("/Hãy nhập Tệp/.test(T.text('#im-form .error'))", "no file chosen: said before sending")
bad_file = csv_file("nguoi-ban-loi.csv", BAD_ROWS)
with open(bad_file, "rb") as f:
    st, body = devtools.http(BASE, "POST", "/api/v1/sellers/import?dry_run=true", token=token, raw=f.read(),
                             headers={"Content-Type": "text/csv"})
rows = (json.loads(body).get("error") or {}).get("rows") or [] if st == 422 else []
check(rows and all(r.get("code") for r in rows),
      f"the API: every row problem has a code ({st}): " + json.dumps([(r["row"], r["field"], r.get("code"), r.get("params")) for r in rows], ensure_ascii=False)[:400])
set_files("#im-file", [bad_file])
c.js("T.click('#im-check')")
c.wait("document.querySelectorAll('#im-problems > li').length === 3", "the dry run: three rows with problems")
check(c.js("[...document.querySelectorAll('#im-problems > li')].map(li => li.dataset.row).join()") == "3,4,5",
      "rows 3, 4 and 5 as Excel shows them (the header is row 1)")
said = {r: c.js(f"T.text('#im-problems > li[data-row=\"{r}\"]')") or "" for r in (3, 4, 5)}
for row, wants in {3: ["Dòng 3", "Số điện thoại Việt Nam gồm 10 số, bắt đầu bằng 0.", "(cột phone)",
                       "Cách đồng ý phải là một trong: paper_form", "(cột consent_method)"],
                   4: ["Dòng 4", f"Số CCCD: «{ids[2].lstrip('0')}» đã bị Excel bỏ mất số 0 ở đầu", "Văn bản (Text)",
                       "Tên chủ tài khoản: ô này đang để trống", "Ô thứ 12 («Xóm 3») nằm ngoài các cột"],
                   5: ["Dòng 5", "Số điện thoại: trùng với dòng 2 trong cùng tệp", "Số CCCD: trùng với dòng 2 trong cùng tệp"]}.items():
    missing = [w for w in wants if w not in said[row]]
    check(not missing, f"row {row}'s problems said in Vietnamese by code and field: «{said[row]}»" + (f" (missing {missing})" if missing else ""))
ROW_ENGLISH = re.compile(r"\b(row|rows|column|same|empty|leading|zero|scientific|digits|notation|value|quotes|header|one of)\b", re.I)
all_said = " ".join(said.values()).replace("(cột ", "(").replace("paper_form", "").replace("verbal_at_counter", "").replace("electronic", "")
no_english(all_said + " " + (c.js("T.text('#im-summary')") or ""), "the rows' problems")
check(not ROW_ENGLISH.search(re.sub(r"\(cột \w+\)", "", " ".join(said.values()))), "no English words of the server's row messages (row, column, same, leading zero…)")
check("Chưa ai được đăng ký" in (c.js("T.text('#im-summary')") or "") and not c.js("T.visible('#im-import')"),
      "nothing to import while a row is wrong: no import button")
check(sellers_count() == before, f"nothing imported: still {before} sellers")
shot_from("#im-form", "#im-problems", "staff-15-import-problems.png")
set_files("#im-file", [csv_file("nguoi-ban.csv", GOOD_ROWS)])
check(c.js("document.querySelectorAll('#im-problems > li').length") == 0, "choosing another file clears the old problems")
c.js("T.click('#im-check')")
c.wait("T.visible('#im-import') && /Tệp đúng hết: 3 người bán/.test(T.text('#im-summary'))", "the fixed file: its dry run is clean, 3 sellers ready")
check(sellers_count() == before, "a dry run imports nothing")
c.js("T.click('#im-import')")
c.wait("T.visible('#im-done') && document.querySelectorAll('#im-codes tbody tr').length === 3", "imported: the 3 sellers with their activation codes")
codes = c.js("[...document.querySelectorAll('#im-codes tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))") or []
check([r[2] for r in codes] == phones and all(re.fullmatch(r"\d{8}", r[3]) for r in codes) and [r[0] for r in codes] == ["2", "3", "4"],
      "each row: its row number, name, phone and an 8-digit activation code: " + json.dumps(codes, ensure_ascii=False)[:200])
check(sellers_count() == before + 3, f"all rows imported: {before} + 3 sellers")
check(not c.js("T.visible('#im-import')"), "the import button is gone: the same file is not imported twice")
check(c.js("T.visible('#im-print')") and "/farmer" in (c.js("T.text('#im-done')") or ""),
      "a print button for the list of codes, and where the farmers activate (the app's address)")
c.js("window.__printed = 0; window.__print = window.print; window.print = () => { window.__printed++; }; T.click('#im-print'); true")
check(c.js("window.__printed") == 1, "«In danh sách mã» prints the page")
c.js("window.print = window.__print; true")
c.call("Emulation.setEmulatedMedia", media="print")
check(c.js("T.visible('#im-codes') && !T.visible('#im-print') && !T.visible('#fs-box') && !T.visible('#im-form')"),
      "printed: the codes, without the buttons, the form or the FSMA export")
c.call("Emulation.setEmulatedMedia", media="")
shot_of("#im-done", "staff-15b-import-codes.png")

print("5c. the FSMA 204 export for a date range")
c.js("""window.__fsma = []; window.__keep = URL.createObjectURL; URL.createObjectURL = b => { window.__fsma.push(b); return window.__keep.call(URL, b); };
T.set('fs-from', '2025-12-31'); T.set('fs-to', '2025-01-01'); T.click('#fs-get')""")
c.wait("/Từ ngày/.test(T.text('#fs-form .error')) && document.getElementById('fs-from').getAttribute('aria-invalid') === 'true'",
       "a range that ends before it starts: refused on the «Từ ngày» field")
c.js("T.set('fs-from', '2025-01-01'); T.set('fs-to', new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10)); T.click('#fs-get')")
c.wait("/Đã tải nongsan-fsma204-2025-01-01-/.test(T.text('#fs-done'))", "the FSMA 204 file downloaded with the token, said so")
check("Đã chọn: từ ngày 01/01/2025 đến hết ngày " in (c.js("T.text('#fs-range')") or ""),
      "the range chosen is written the Vietnamese way under the date boxes: " + (c.js("T.text('#fs-range')") or ""))
check((c.js("window.__fsma.length ? window.__fsma[0].type : ''") or "").startswith("text/csv"), "the download is text/csv: " + str(c.js("window.__fsma[0]?.type")))
fsma_head = (c.js("window.__fsma.length ? window.__fsma[0].text() : ''") or "").lstrip("\ufeff").split("\r\n")[0]
check(fsma_head.startswith("event_time_utc,cte,traceability_lot_code,gtin,lot_code,"), "the file starts with the FSMA 204 header row: " + fsma_head[:120])
c.js("URL.createObjectURL = window.__keep; true")
check(re.search(r": [1-9][\d.]* sự kiện", c.js("T.text('#fs-done')") or "") is not None, "with the events of the lots: " + (c.js("T.text('#fs-done')") or ""))
st, body = http("GET", "/api/v1/exports/fsma204.csv?from=2025-01-01&to=2025-12-31", token=token)
check(st == 200 and body.count(b"\n") > 1, f"the API answers the same range with rows ({st})")
shot_of("#fs-form", "staff-16-fsma.png")

print("6. listings for a demo farmer")
c.js("location.hash = '#hang-ban'")
c.wait("document.querySelectorAll('#ls-seller option').length >= 4", "listings screen: the post office's sellers in the select")
c.js("""(() => { const s = document.getElementById('ls-seller');
  s.value = [...s.options].find(o => /Hoàng Văn Thào/.test(o.textContent)).value;
  s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()""")
c.wait("document.querySelectorAll('#ls-list > li').length === 2 && /180\\.000 ₫ \\/ gói/.test(T.text('#ls-list'))",
       "the farmer's two demo listings, tea at 180.000 ₫ / gói")
seller_id = c.js("document.getElementById('ls-seller').value")
check(c.js("[...document.querySelectorAll('#ls-category option')].some(o => o.value === 'che' && o.textContent === 'Chè')"),
      "categories shown by their Vietnamese name (che: Chè)")
c.wait("[...document.querySelectorAll('#ls-lot option')].some(o => /Chè Shan tuyết/.test(o.textContent))", "the farmer's lots offered to link")
c.js("""T.set('ls-title','Chè Shan tuyết <b>búp bạc</b> 100 g'); T.set('ls-category','che'); T.set('ls-unit','goi');
T.set('ls-price','12,5'); T.set('ls-qty','10'); T.click('#listing-form button[type=submit]')""")
c.wait("/Giá/.test(T.text('#listing-form .error')) && document.getElementById('ls-price').getAttribute('aria-invalid') === 'true'",
       "a price with a fraction is refused before sending, the field marked")
c.js("T.set('ls-price','250.000')")
check("250.000 ₫ cho 1 gói" in (c.js("T.text('#ls-price-hint')") or ""), "price preview: 250.000 ₫ cho 1 gói")
check(c.js("T.visible('#ls-weight-req')") and "Bắt buộc với đơn vị «gói»" in (c.js("T.text('#ls-weight-hint')") or "")
      and c.js("document.querySelector('label[for=ls-weight]').textContent").startswith("Khối lượng 1 đơn vị khi đóng gói (gam)"),
      "unit gói: «Khối lượng 1 đơn vị khi đóng gói (gam)» is required, the hint says why")
c.js("T.set('ls-unit','kg')")
check(not c.js("T.visible('#ls-weight-req')") and "Không bắt buộc với đơn vị kg" in (c.js("T.text('#ls-weight-hint')") or ""), "unit kg: the weight is optional")
c.js("T.set('ls-unit','goi')")
c.js("""(() => { const s = document.getElementById('ls-lot');
  s.value = [...s.options].find(o => /Chè Shan tuyết/.test(o.textContent)).value;
  T.set('ls-desc', 'Búp non một tôm hai lá.'); T.click('#listing-form button[type=submit]'); return true; })()""")
c.wait("/hãy cân 1 đơn vị đã đóng gói/.test(T.text('#listing-form .error')) && /Bắt buộc với đơn vị «gói»/.test(T.text('#listing-form .error'))"
       " && document.getElementById('ls-weight').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'ls-weight'",
       "no weight for a gói: refused before sending, the field marked and focused")
c.js("T.set('ls-weight','40000'); T.click('#listing-form button[type=submit]')")
c.wait("/Khối lượng 1 đơn vị: phải từ 1 đến 30\\.000/.test(T.text('#listing-form .error'))"
       " && document.getElementById('ls-weight').getAttribute('aria-invalid') === 'true'",
       "40 000 g: the API's 422 out_of_range shown in Vietnamese on the field, with its limits")
no_english(c.js("T.text('#listing-form .error')"), "the out-of-range weight")
c.js("T.set('ls-weight','120')")
check("1 gói nặng 120 g" in (c.js("T.text('#ls-weight-hint')") or ""), "the hint repeats the weight: 1 gói nặng 120 g")
shot_of("#listing-form", "staff-6a-listing-weight.png")
c.js("T.click('#listing-form button[type=submit]')")
c.wait("document.querySelectorAll('#ls-list > li').length === 3 && /250\\.000 ₫ \\/ gói/.test(T.text('#ls-list > li'))",
       "listing created: first in the list at 250.000 ₫ / gói")
lid = c.js("document.querySelector('#ls-list > li').getAttribute('data-listing')")
card = f'#ls-list > li[data-listing="{lid}"]'
st, body = http("GET", f"/api/v1/listings/{lid}")
v = json.loads(body) if st == 200 else {}
check(v.get("price_vnd") == 250000 and v.get("quantity") == 10 and v.get("seller_id") == seller_id and v.get("unit") == "goi"
      and v.get("category") == "che" and (v.get("lot") or {}).get("product_name", "").startswith("Chè Shan tuyết")
      and v.get("description") == "Búp non một tôm hai lá." and v.get("unit_weight_g") == 120,
      "sent whole đồng, quantity, unit, packed weight 120 g, category, description and the lot for that seller: " + body.decode()[:160])
check("120 g / gói" in (c.js(f"T.text('{card} dd.weight')") or ""), "the card shows 120 g / gói")
check(c.js(f"document.querySelectorAll('{card} b').length") == 0 and "<b>búp bạc</b>" in c.js(f"T.text('{card} .name')"),
      "the title is shown as text, never as HTML")
st, body = http("GET", "/api/v1/listings?q=bup%20bac")
check(st == 200 and json.loads(body)["total"] == 1, "buyers find it: search 'bup bac' answers 1 listing")
check(c.js(f"(() => {{ const i = document.querySelector('{card} .file input[capture]'); return !!i && i.accept === 'image/*' && i.type === 'file'; }})()"),
      "a camera input (accept=image/*, capture) for the tablet")
set_files(f"{card} .file input[capture]", [png(os.path.join(WORK, "che.png"), 96, 72)])
c.wait(f"(() => {{ const i = document.querySelector('{card} .thumbs img'); return !!i && i.complete && i.naturalWidth > 0 && i.getAttribute('src').startsWith('/media/'); }})()",
       "photo uploaded: its thumbnail is shown", timeout=20)
st, body = http("GET", f"/api/v1/listings/{lid}")
photos = json.loads(body)["photos"]
check(len(photos) == 1, "the listing has 1 photo")
if photos:
    st, body = http("GET", photos[0]["thumbnail_url"])
    check(st == 200 and body[:2] == b"\xff\xd8", "the thumbnail is served (re-encoded as JPEG)")
with open(os.path.join(WORK, "hoa-don.jpg"), "w") as f:
    f.write("đây là hoá đơn, không phải ảnh\n")
set_files(f"{card} .file input[multiple]", [os.path.join(WORK, "hoa-don.jpg")])
c.wait(f"/Loại tệp này không dùng được/.test(T.text('{card} .error')) && /JPEG, PNG hoặc WebP/.test(T.text('{card} .error'))",
       "a file that is not a photo: refused, said in Vietnamese with what to use", timeout=20)
no_english(c.js(f"T.text('{card} .error')"), "the refused file")
check(c.js(f"document.querySelectorAll('{card} .thumbs img').length") == 1, "the refused file added nothing")
c.js(f"document.querySelector('{card} details.edit').open = true; T.set('lp-{lid}', '240 000'); T.set('lq-{lid}', '8'); T.set('lw-{lid}', '125'); T.click('{card} details.edit button[type=submit]')")
c.wait(f"/240\\.000 ₫ \\/ gói/.test(T.text('{card} .price')) && /^8 gói$/.test(T.text('{card} dd')) && /^125 g \\/ gói/.test(T.text('{card} dd.weight'))",
       "price, quantity and weight edited: 240.000 ₫, 8 gói, 125 g")
c.js(f"T.click('{card} [data-act=pause]')")
c.wait(f"/Tạm dừng bán/.test(T.text('{card} .badge')) && T.text('{card} [data-act=pause]') === 'Bán lại' && document.activeElement === document.querySelector('{card} [data-act=pause]')",
       "paused: badge «Tạm dừng bán», button now «Bán lại», focus kept on it")
st, body = http("GET", f"/api/v1/listings/{lid}")
check(json.loads(body)["status"] == "paused" and json.loads(body)["price_vnd"] == 240000 and json.loads(body)["unit_weight_g"] == 125,
      "the API has it paused at 240000 đồng, 125 g")
st, body = http("GET", "/api/v1/listings?q=bup%20bac")
check(json.loads(body)["total"] == 0, "a paused listing is gone from the buyers' search")
c.js(f"document.querySelector('{card}').scrollIntoView()")
c.shot("staff-6-listings.png")
c.js(f"window.confirm = () => false; T.click('{card} .actions button.danger')")
time.sleep(0.4)
check(c.js(f"!!document.querySelector('{card}')"), "delete asks first; answering no keeps the listing")
c.js(f"window.confirm = () => true; T.click('{card} .actions button.danger')")
c.wait(f"!document.querySelector('{card}') && document.querySelectorAll('#ls-list > li').length === 2", "deleted after confirming")
st, _ = http("GET", f"/api/v1/listings/{lid}")
check(st == 404, "the deleted listing is gone from the API")

print("7. orders")
st, body = http("POST", "/api/v1/auth/login", body={"phone": "0900000003", "password": "nongsan-demo"})
buyer = json.loads(body)["token"] if st == 200 else None
st, body = http("GET", "/api/v1/listings?q=" + urllib.parse.quote("măng nứa"))
mang = json.loads(body)["items"][0]
st, body = http("POST", "/api/v1/orders", token=buyer, body={"items": [{"listing_id": mang["id"], "quantity": 3}],
    "shipping": {"name": "Lê Văn Bình", "phone": "0987654321", "address": "Số 5 ngõ 10", "commune_code": "02260"},
    "payment_method": "cod"})
check(st == 201, "a second order placed by the demo buyer (3 kg măng nứa, COD): %s" % st)
o2 = json.loads(body)["id"] if st == 201 else ""
o2_code = json.loads(body)["parts"][0]["code"] if st == 201 else "NS00000000-1"
c.js("location.hash = '#don-hang'")
c.wait("document.querySelectorAll('#or-list > li').length === 5", "the orders of the post office's sellers are listed (2 + the 3 on the recalled lot)")
rcard = f'#or-list > li[data-order="{o_wait["id"]}"]'
check("⚠ Lô bị thu hồi" in (c.js(f"T.text('{rcard}')") or "") and "lot recalled" not in (c.js(f"T.text('{rcard}')") or ""),
      "an order cancelled by the recall says so in Vietnamese (not «lot recalled: …»)")
demo = c.js("[...document.querySelectorAll('#or-list > li')].find(li => /Chè Shan tuyết/.test(li.textContent)).getAttribute('data-order')")
card = f'#or-list > li[data-order="{demo}"]'
c.wait(f"/Hà Nội/.test(T.text('{card} dl'))", "the shipping commune named from its code")
dv = json.loads(http("GET", f"/api/v1/orders/{demo}", token=token)[1])
dpart = dv["parts"][0]
check(dv["goods_vnd"] == 360000 and dv["postage_vnd"] > 0 and dv["total_vnd"] == 360000 + dv["postage_vnd"] == dv["amount_due_vnd"]
      and dpart["code"] == dv["code"] + "-1" and dpart["weight_g"] == 2 * 230 + 100,
      f"the API: the demo order is 360000 of tea + {dv['postage_vnd']} postage, parcel {dpart['code']} of {dpart['weight_g']} g ({dpart['zone']})")
ZONE = {"same_commune": "Cùng xã", "same_province": "Cùng tỉnh", "neighbouring": "Tỉnh lân cận", "far": "Liên tỉnh xa"}
text = c.js(f"T.text('{card}')")
for want in ["Trần Minh Anh", "0900000003", "12 Hàng Bạc", "Thanh toán khi nhận hàng", "Hoàng Văn Thào",
             "Chè Shan tuyết Hồng Thái túi 200 g: 2 gói × 180.000 ₫ = 360.000 ₫", "Tiền hàng: 360.000 ₫ · Phí vận chuyển: " + vnd(dv["postage_vnd"]),
             "Thu tiền mặt khi giao: " + vnd(dv["total_vnd"]), "Chờ người bán xác nhận",
             f"Mã bưu kiện (mã vạch trên nhãn): {dpart['code']} · nặng 560 g · {ZONE[dpart['zone']]}"]:
    check(want in text, "demo order shows: " + want)
check(c.js(f"T.text('{card} dd.postage')") == vnd(dv["postage_vnd"]) and c.js(f"T.text('{card} dd.total')") == vnd(dv["total_vnd"]),
      f"the order's postage {vnd(dv['postage_vnd'])} and total {vnd(dv['total_vnd'])}")
check(c.js(f"T.text('{card} .ocode')").startswith("NS"), "the order code is shown")
c.shot("staff-7-orders.png")
c.js(f"T.click('{card} [data-act=confirm]')")
c.wait(f"/Người bán đã xác nhận/.test(T.text('{card} .name .badge')) && T.visible('{card} [data-act=hand_over]')",
       "confirmed for the farmer: «Người bán đã xác nhận», hand-over offered next")
print("7.1 the A6 shipping label")
st, body = http("GET", f"/api/v1/parcels/{dpart['code']}/label.svg", token=token)
check(st == 200 and b"<svg" in body[:400] and dpart["code"].encode() in body, f"the API: GET /api/v1/parcels/{dpart['code']}/label.svg answers an SVG naming the parcel ({st})")
check(http("GET", f"/api/v1/parcels/{dpart['code']}/label.svg")[0] == 401, "the label needs the token (a plain link could not open it)")
c.js("""window.__blobs = []; window.__mk = URL.createObjectURL; URL.createObjectURL = b => { window.__blobs.push(b); return window.__mk.call(URL, b); };
window.__opened = []; window.__open = window.open; window.open = () => { const w = {location: {}, closed: false, close() { this.closed = true; }}; window.__opened.push(w); return w; }; true""")
check(c.js(f"T.text('{card} [data-act=label]')") == "In nhãn gửi hàng", "a confirmed parcel has «In nhãn gửi hàng»")
c.js(f"T.click('{card} [data-act=label]')")
c.wait(f"window.__opened.length === 1 && /^blob:/.test(window.__opened[0].location.href || '') && window.__blobs.length === 2 || T.visible('{card} .error')",
       "the button fetches the label with the token and opens it in a window of its own")
label = c.js("window.__blobs.length ? window.__blobs[0].text() : ''") or ""
check(c.js("window.__blobs.length && window.__blobs[0].type") == "image/svg+xml" and "<svg" in label and dpart["code"] in label,
      "what it opens is the parcel's SVG label: " + (c.js(f"T.text('{card} .error')") or label[:80]))
printed = c.js("window.__blobs.length > 1 ? window.__blobs[1].text() : ''") or ""
check("@page{size:105mm 148mm" in printed and "onload" not in printed and "<script" not in printed
      and c.js("window.__blobs.length > 1 && window.__blobs[1].type") == "text/html",
      "in a page at A6 (105 × 148 mm) with no script of its own (the console prints it once loaded)")
c.js("URL.createObjectURL = window.__mk; window.open = window.__open; true")

print("7.2 hand-over: the carrier's tracking number, typed or scanned")
tn = f"#tn-{dpart['id']}"
check(c.js(f"document.querySelector('label[for=\"tn-{dpart['id']}\"]').textContent").startswith("Số hiệu bưu gửi"), "a labelled field for the carrier's tracking number")
c.js(f"T.set('tn-{dpart['id']}', 'AB-1'); T.click('{card} [data-act=hand_over]')")
c.wait(f"/Số hiệu bưu gửi gồm 6 đến 40 chữ cái/.test(T.text('{card} .error')) && document.querySelector('{tn}').getAttribute('aria-invalid') === 'true'",
       "«AB-1» is refused before sending: 6 to 40 letters, digits or dashes")
c.js(f"T.set('tn-{dpart['id']}', {json.dumps(dpart['code'].lower())}); T.click('{card} [data-act=hand_over]')")
c.wait(f"/mã bưu kiện của nongsan/.test(T.text('{card} .error'))", "the parcel's own label code scanned by mistake: refused, said why")
shot_of(card, "staff-7b-hand-over-form.png")
scanner(f"tn-{dpart['id']}", "ee 1234 5678 9vn")
c.wait(f"/Bưu điện đang giao/.test(T.text('{card} .name .badge')) && T.text('{card} .tn') === 'EE123456789VN'",
       "scanned with Enter: handed over, «Số hiệu bưu gửi: EE123456789VN» on the card")
dv = json.loads(http("GET", f"/api/v1/orders/{demo}", token=token)[1])
dtrack = dv["parts"][0]["tracking"]
check(dtrack["number"] == "EE123456789VN" and [x["step"] for x in dtrack["steps"]] == ["handed_over"], "the API has the number, upper-case, and the step handed_over")
check(f"Bưu điện đã nhận lúc {fmt_time(dtrack['steps'][0]['at'])}" in (c.js(f"T.text('{card} .steps')") or ""), "the step with its time in Vietnam time")
check(c.js(f"T.visible('{card} [data-act=label]')"), "the label can still be printed once handed over")
shot_of(card, "staff-7-handed-over.png")

print("7.3 delivery by scanning the label: one field, the scanner types the code and Enter")
check(c.js("document.querySelectorAll('#scan-form input').length") == 1, "the scan box is ONE input field")
scanner("scan-code", "%%")
c.wait("/không phải mã bưu kiện/.test(T.text('#scan-form .error'))", "something that is no parcel code: refused")
scanner("scan-code", "NS00000000-9")
c.wait("/Không có bưu kiện mã NS00000000-9/.test(T.text('#scan-form .error')) && !document.getElementById('scan-card')", "an unknown code: «Không có bưu kiện mã NS00000000-9»")
st, body = http("GET", f"/api/v1/parcels/{dpart['code'].lower()}", token=token)
pv = json.loads(body)
check(st == 200 and pv["collect_vnd"] == dv["total_vnd"] and pv["status"] == "handed_over", f"the API: the parcel {dpart['code']} collects {pv.get('collect_vnd')} (goods and postage)")
scanner("scan-code", dpart["code"].lower())
c.wait(f"document.getElementById('scan-card') && document.getElementById('scan-card').dataset.code === '{dpart['code']}' && T.visible('#scan-deliver')",
       "scanned (lower case): the parcel is shown with «Xác nhận đã giao»")
check(c.js("T.text('#scan-collect')").startswith("Thu của người nhận: " + vnd(pv["collect_vnd"])), f"the cash to collect: «Thu của người nhận: {vnd(pv['collect_vnd'])}»")
check(float(c.js("parseFloat(getComputedStyle(document.getElementById('scan-collect')).fontSize)")) >= 30, "in big type")
c.wait("/Hà Nội/.test(T.text('#scan-card dl'))", "the address with its commune")
text = c.js("T.text('#scan-card')") or ""
for want in ["Trần Minh Anh", "0900000003", "12 Hàng Bạc", "Bưu điện đang giao", "Bưu điện đã nhận lúc", "EE123456789VN", "Chè Shan tuyết Hồng Thái túi 200 g: 2 gói", dv["code"]]:
    check(want in text, "the scanned parcel shows " + want)
check(c.js("document.querySelector('#scan-card a[href^=\"tel:\"]').getAttribute('href')") == "tel:0900000003", "the receiver's phone is a tel: link")
shot_from("#scan-form", "#scan-result", "staff-7c-scan.png")
c.js("window.__asked = ''; window.confirm = (m) => { window.__asked = m; return true; }; T.click('#scan-deliver')")
c.wait(f"T.visible('#scan-done') && /Đã giao bưu kiện {dpart['code']}/.test(T.text('#scan-done')) && document.activeElement.id === 'scan-code' && document.getElementById('scan-code').value === ''",
       "«Xác nhận đã giao»: done, said so, the field empty and focused for the next parcel")
check(vnd(pv["collect_vnd"]) in (c.js("window.__asked") or ""), "a cash-on-delivery parcel asks first whether the cash was collected")
c.wait(f"/Đã giao/.test(T.text('{card} .name .badge')) && !document.querySelector('{card} .actions button') && !document.querySelector('{card} .cash')",
       "the order list follows: «Đã giao», no more actions, no cash left to collect")
st, body = http("GET", f"/api/v1/orders/{demo}", token=token)
o = json.loads(body)
check(o["status"] == "delivered" and o["parts"][0]["status"] == "delivered" and o["parts"][0]["handed_over_at"]
      and [x["step"] for x in o["parts"][0]["tracking"]["steps"]] == ["handed_over", "delivered"], "the API has the demo order delivered")
scanner("scan-code", dpart["code"])
c.wait("/ĐÃ GIAO/.test(T.text('#scan-refuse')) && !document.getElementById('scan-deliver')", "the same parcel scanned again: «ĐÃ GIAO», nothing to press")
scanner("scan-code", o2_code)
c.wait("/CHƯA NHẬN/.test(T.text('#scan-refuse')) && !document.getElementById('scan-deliver') && !document.getElementById('scan-collect')",
       "a parcel the post office has not taken yet: refused, «CHƯA NHẬN»")
card2 = f'#or-list > li[data-order="{o2}"]'
st, _ = http("POST", f"/api/v1/orders/{o2}/confirm", token=token, body={})
check(st == 200, "another counter confirms the second order behind this screen")
c.js(f"T.click('{card2} [data-act=confirm]')")
c.wait(f"/Đơn hàng đã ở bước khác/.test(T.text('{card2} .error')) && /Không thể xác nhận khi phần hàng đang ở trạng thái «Người bán đã xác nhận»/.test(T.text('{card2} .error'))"
       f" && /Người bán đã xác nhận/.test(T.text('{card2} .name .badge'))",
       "a stale screen: the API's 409 explained in Vietnamese and the order reloaded with its real status")
no_english(c.js(f"T.text('{card2} .error')"), "the stale order's 409")
c.js(f"T.set('tn-' + document.querySelector('{card2} .part').dataset.part, 'EE123456789VN'); T.click('{card2} [data-act=hand_over]')")
c.wait(f"/Số hiệu bưu gửi này đã gắn với một bưu kiện khác/.test(T.text('{card2} .error')) && /Người bán đã xác nhận/.test(T.text('{card2} .name .badge'))",
       "the same tracking number on another parcel: 409 already_taken, said in Vietnamese, nothing changed")
c.js(f"document.querySelector('{card2} details.danger').open = true; T.click('{card2} details.danger button[type=submit]')")
c.wait(f"/lý do/i.test(T.text('{card2} .error')) && document.activeElement.tagName === 'TEXTAREA'", "cancelling needs a reason")
c.js(f"window.confirm = () => true; T.set(document.querySelector('{card2} details.danger textarea').id, 'Người bán hết măng'); T.click('{card2} details.danger button[type=submit]')")
c.wait(f"/Đã huỷ/.test(T.text('{card2} .name .badge')) && /Lý do huỷ: Người bán hết măng/.test(T.text('{card2}'))", "cancelled, the reason shown")
st, body = http("GET", f"/api/v1/listings/{mang['id']}")
check(json.loads(body)["quantity"] == mang["quantity"], "the cancelled stock is back on sale")
c.js("T.set('or-status','delivered')")
c.wait(f"document.querySelectorAll('#or-list > li').length === 1 && !!document.querySelector('{card}')", "filter «Đã giao»: the demo order only")
c.js("T.set('or-status','cod')")
c.wait("document.querySelectorAll('#or-list > li').length === 0 && /Không có đơn hàng nào/.test(T.text('#or-count'))", "filter «Thanh toán khi nhận hàng»: none left, said so")
c.js("T.set('or-status','')")
c.wait("document.querySelectorAll('#or-list > li').length === 5", "all orders again")

print("7b. payments: a bank transfer with a wrong text (assigned by admin, step 10)")
check(not c.js("T.visible('#tab-payouts')"), "staff do not see the admin's payouts tab")
st, body = http("POST", "/api/v1/orders", token=buyer, body={"items": [{"listing_id": mang["id"], "quantity": 1}],
    "shipping": {"name": "Lê Văn Bình", "phone": "0987654321", "address": "Số 5 ngõ 10", "commune_code": "02260"},
    "payment_method": "vietqr"})
check(st == 201, "the buyer orders 1 kg măng nứa by bank transfer (%s)" % st)
qr = json.loads(body) if st == 201 else {"id": "", "code": "", "amount_due_vnd": 0}
nid = bank_pays("chuyen tien mua mang nua", qr["amount_due_vnd"])
st, body = http("GET", f"/api/v1/orders/{qr['id']}", token=buyer)
check(json.loads(body)["status"] == "placed", "the transfer names no order: the order still waits")
# A transfer that names no order belongs to no post office: staff do not
# see it (a stranger's money and words), admin assigns it (step 10).
c.js("location.hash = '#thanh-toan'")
tcard = f'#bt-list > li[data-transfer="{nid}"]'
c.wait("T.visible('#bt-count') && !/Đang tải/.test(T.text('#bt-count'))", "«6. Thanh toán» loaded its transfers")
check(not c.js(f"!!document.querySelector('{tcard}')"), "staff do not see a transfer that names no order of their post office")
st, body = http("GET", "/api/v1/payments/bank-transfers", token=token)
check(st == 200 and nid not in body.decode(), f"nor does the API show it to staff ({st})")

print("7c. cash on delivery: what the post office owes, a remittance")
cod_cash = dv["total_vnd"]  # the demo order's cash: goods and postage
C = vnd(cod_cash)
st, body = http("GET", "/api/v1/cod/position", token=token)
check(json.loads(body)["owed_vnd"] == cod_cash, f"the API: the post office owes the cash it collected, goods and postage: {C}")
c.wait(f"T.text('#cod-sum [data-k=owed]') === '{C}' && T.text('#cod-sum [data-k=remittable]') === '{C}' && T.text('#cod-sum [data-k=in_transit]') === '0 ₫'",
       f"the delivered COD order is owed by the post office: {C}, all remittable")
check("Hồng Thái" in (c.js("T.text('#cod-office-name')") or ""), "the post office named")
check(c.js("document.getElementById('rm-amount').value") == C[:-2], f"amount defaults to all: {C[:-2]}")
check(not c.js("T.visible('#cod-pick')"), "staff do not choose the post office")
c.js("T.set('rm-amount', '999.999'); T.click('#remit-form button[type=submit]')")
c.wait(f"T.text('#remit-form .error').includes('chỉ còn {C} tiền thu hộ chưa nộp') && document.activeElement.id === 'rm-amount'",
       "more than owed: refused, explained in Vietnamese, the amount focused")
no_english(c.js("T.text('#remit-form .error')"), "the remittance refused")
c.js("T.set('rm-amount', ''); T.set('rm-ref', 'GD-0001'); T.click('#remit-form button[type=submit]')")
c.wait(f"T.text('#cod-sum [data-k=in_transit]') === '{C}' && T.text('#cod-sum [data-k=remittable]') === '0 ₫' && !T.visible('#remit-form')"
       f" && T.text('#rm-list > li').includes('{C}') && /GD-0001/.test(T.text('#rm-list > li')) && /chờ nongsan nhận/.test(T.text('#rm-list > li'))",
       f"remittance announced (all, by default): {C} in transit, pending, nothing left to remit")
check(c.js("document.querySelectorAll('#rm-list [data-act]').length") == 0, "staff cannot mark it received")
st, body = http("GET", "/api/v1/cod/position", token=token)
check(json.loads(body)["in_transit_vnd"] == cod_cash and json.loads(body)["remittances"][0]["reference"] == "GD-0001", "the API has it in transit with its reference")
c.shot("staff-9-cod.png")

print("7c2. the post office's postage: earned on delivery, owed by nongsan")
st, body = http("GET", "/api/v1/postage/earnings", token=token)
pe = json.loads(body)
check(st == 200 and pe["earned_vnd"] == dv["postage_vnd"] and pe["owed_vnd"] == dv["postage_vnd"] and pe["paid_vnd"] == 0,
      f"the API: the post office earned the delivered parcel's postage, {vnd(dv['postage_vnd'])}, not yet paid ({st})")
c.wait(" && ".join(f"T.text('#pe-sum [data-k={k}]') === '{vnd(pe[f])}'" for k, f in
                   [("earned", "earned_vnd"), ("paid", "paid_vnd"), ("owed", "owed_vnd"), ("awaiting", "awaiting_delivery_vnd")]),
       f"«Phí vận chuyển của bưu điện»: earned {vnd(pe['earned_vnd'])}, paid 0 ₫, owed {vnd(pe['owed_vnd'])}, awaiting {vnd(pe['awaiting_delivery_vnd'])}")
rows = c.js("[...document.querySelectorAll('#pe-table tbody tr')].map(r => r.textContent)") or []
check(len(rows) == len(pe["lines"]) and any(f"Đơn {dv['code']}: Đã giao — phí vận chuyển bưu điện được hưởng" in r and "+" + vnd(dv["postage_vnd"]) in r for r in rows),
      "its lines in Vietnamese: " + json.dumps(rows, ensure_ascii=False)[:200])
check(not c.js("T.visible('#pe-form')"), "staff cannot record postage paid")
c.js("document.getElementById('pe-sum').scrollIntoView(); true")
shot_from("#pe-sum", "#pe-table", "staff-9b-postage.png")

print("7d. the farmer's statement")
c.js("location.hash = '#hang-ban'")
c.wait("document.querySelectorAll('#ls-seller option').length >= 4", "listings screen")
c.js("""(() => { const s = document.getElementById('ls-seller');
  s.value = [...s.options].find(o => /Hoàng Văn Thào/.test(o.textContent)).value;
  s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()""")
c.wait("T.visible('#st-box') && T.text('#st-sum [data-k=owed]') === '352.800 ₫' && T.text('#st-sum [data-k=in_payout]') === '0 ₫'",
       "statement: nongsan owes the farmer 352.800 ₫ (360.000 less the 2 % fee)")
rows = [r.lower() for r in c.js("[...document.querySelectorAll('#st-table tbody tr')].map(r => r.textContent)") or []]
check(any("đã giao — tiền hàng" in r and "+360.000 ₫" in r for r in rows) and any("phí sàn" in r and "−7.200 ₫" in r for r in rows),
      "statement lines in Vietnamese: +360.000 ₫ delivered, −7.200 ₫ fee: " + json.dumps(rows, ensure_ascii=False)[:300])
thao = c.js("document.getElementById('ls-seller').value")
c.js("document.getElementById('st-box').scrollIntoView()")
c.shot("staff-10-statement.png")

print("8. expired session")
http("POST", "/api/v1/auth/logout", token=token, body={})
c.js("location.hash = '#dang-ky'; setTimeout(() => { location.hash = '#nguoi-ban'; }, 50); true")
c.wait("T.visible('#login-form') && /Phiên đăng nhập đã hết/.test(T.text('#login-form .error')) && !sessionStorage.getItem('nongsan.staff.token')",
       "a revoked token sends the user back to the login form with a message")
c.js("T.set('login-phone','0900000002'); T.set('login-password','nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("T.visible('#sl-list') && document.querySelectorAll('#sl-list > li').length >= 4", "after logging in again, back on the screen the user was on")
token = c.js("sessionStorage.getItem('nongsan.staff.token')")

print("9. logout")
c.js("T.click('#logout')")
c.wait("T.visible('#login-form') && !sessionStorage.getItem('nongsan.staff.token') && !T.visible('#tabs')", "logged out: login form, token gone")
time.sleep(0.3)
st, _ = http("GET", "/api/v1/auth/me", token=token)
check(st == 401, "the old token is revoked on the server")

print("10. admin: remittance received, a payout run, the trial balance")
c.js("T.set('login-phone','0900000001'); T.set('login-password','nongsan-demo'); T.click('#login-form button[type=submit]')")
c.wait("T.visible('#tabs') && T.visible('#tab-payouts')", "admin logged in: the payouts tab is there")
admin = c.js("sessionStorage.getItem('nongsan.staff.token')")
print("10-. admin: the bank transfer with a wrong text, assigned to its order")
c.js("location.hash = '#thanh-toan'")
tcard = f'#bt-list > li[data-transfer="{nid}"]'
c.wait(f"!!document.querySelector('{tcard}')", "the unmatched transfer is listed on «6. Thanh toán»")
text = c.js(f"T.text('{tcard}')") or ""
for want in [vnd(qr["amount_due_vnd"]), "chuyen tien mua mang nua", "Chưa khớp đơn nào", "mã giao dịch " + nid,
             "Nội dung chuyển khoản không có mã đơn hàng"]:
    check(want in text, "the transfer shows " + want)
no_english(text, "the unmatched transfer's card")
c.shot("staff-8-transfers.png")
c.js(f"window.confirm = () => true; T.set('as-{nid}', 'NS00000000'); T.click('{tcard} button[type=submit]')")
c.wait(f"/[Kk]hông có đơn hàng mã NS00000000/.test(T.text('{tcard} .error'))", "a wrong order code: «không có đơn hàng mã NS00000000»")
no_english(c.js(f"T.text('{tcard} .error')"), "the wrong order code's message")
c.js(f"T.set('as-{nid}', {json.dumps(qr['code'].lower())}); T.click('{tcard} button[type=submit]')")
c.wait(f"!document.querySelector('{tcard}') && /Đã gán/.test(T.text('#flash'))", "assigned: gone from the unmatched list, said so")
st, body = http("GET", f"/api/v1/orders/{qr['id']}", token=buyer)
o = json.loads(body)
check(o["status"] == "paid" and o["paid_vnd"] == qr["amount_due_vnd"], "the API has the order paid: " + o["status"])
c.js("T.set('bt-outcome', 'assigned')")
c.wait(f"!!document.querySelector('{tcard}') && /Đã gán ở quầy/.test(T.text('{tcard}')) && T.text('{tcard}').includes({json.dumps(qr['code'])})",
       "filter «Đã gán ở quầy»: the transfer with its order code")
c.js("location.hash = '#thanh-toan'")
c.wait("T.visible('#cod-pick') && /Hồng Thái/.test(document.getElementById('cod-office').selectedOptions[0].textContent)",
       "admin chooses the post office: Hồng Thái by default")
c.wait(f"document.querySelectorAll('#rm-list [data-act=received]').length === 1 && T.text('#cod-sum [data-k=in_transit]') === '{C}'",
       "admin sees the pending remittance with «Đã nhận tiền»")
c.js("window.confirm = () => true; T.click('#rm-list [data-act=received]')")
c.wait("/nongsan đã nhận/.test(T.text('#rm-list > li')) && T.text('#cod-sum [data-k=owed]') === '0 ₫' && !document.querySelector('#rm-list [data-act]')",
       "received: the post office owes nothing more")

print("10a. admin: postage paid to the post office")
c.wait(f"T.visible('#pe-form') && T.text('#pe-sum [data-k=owed]') === '{vnd(dv['postage_vnd'])}' && document.getElementById('pe-amount').value === '{vnd(dv['postage_vnd'])[:-2]}'",
       "admin sees the postage owed to the post office, the form filled with it")
c.js(f"window.confirm = () => true; T.set('pe-amount', '{dv['postage_vnd'] + 1000}'); T.set('pe-ref', 'PB-0001'); T.click('#pe-form button[type=submit]')")
c.wait(f"T.text('#pe-form .error').includes('nongsan chỉ còn nợ bưu điện {vnd(dv['postage_vnd'])}')", "more than owed: refused, said in Vietnamese")
no_english(c.js("T.text('#pe-form .error')"), "the postage payment refused")
c.js(f"T.set('pe-amount', '{dv['postage_vnd']}'); T.click('#pe-form button[type=submit]')")
c.wait(f"T.text('#pe-sum [data-k=paid]') === '{vnd(dv['postage_vnd'])}' && T.text('#pe-sum [data-k=owed]') === '0 ₫' && !T.visible('#pe-form')"
       " && [...document.querySelectorAll('#pe-table tbody tr')].some(r => /nongsan đã trả phí vận chuyển \\(chứng từ PB-0001\\)/.test(r.textContent))",
       "recorded: paid, nothing owed, the line «nongsan đã trả phí vận chuyển (chứng từ PB-0001)»")
st, body = http("GET", "/api/v1/postage/earnings?post_office=" + pe["post_office"], token=admin)
check(st == 200 and json.loads(body)["paid_vnd"] == dv["postage_vnd"] and json.loads(body)["owed_vnd"] == 0, f"the API: {vnd(dv['postage_vnd'])} paid, 0 owed")
shot_from("#pe-sum", "#pe-table", "staff-11a-postage-paid.png")
c.js("location.hash = '#chi-tra'")
c.wait("/✓ Cân đối/.test(T.text('#tb-badge'))", "trial balance shown")
c.js("window.confirm = () => true; T.click('#po-create')")
c.wait("document.querySelectorAll('#po-list > li').length === 1 && /352\\.800 ₫/.test(T.text('#po-list > li .name')) && /Mới tạo/.test(T.text('#po-list > li .name'))",
       "payout run created: 352.800 ₫, not sent yet")
batch = c.js("document.querySelector('#po-list > li').getAttribute('data-batch')")
pcard = f'#po-list > li[data-batch="{batch}"]'
c.wait(f"document.querySelectorAll('{pcard} tbody tr').length === 1 && /Hoàng Văn Thào/.test(T.text('{pcard} tbody')) && /352\\.800 ₫/.test(T.text('{pcard} tbody'))",
       "its items: Hoàng Văn Thào, 352.800 ₫")
c.js("""window.__blobs = []; const mk = URL.createObjectURL; URL.createObjectURL = b => { window.__blobs.push(b); return mk(b); };
const ck = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = function () { window.__dl = this.download; }; true""")
c.js(f"T.click('{pcard} [data-act=csv]')")
c.wait("window.__blobs.length === 1 && /\\.csv$/.test(window.__dl || '')", "CSV fetched with the token and offered as a download")
csv = c.js("window.__blobs[0].text()") or ""
check(csv.startswith("seller_id,account_name,bank_bin,account_number,amount_vnd,purpose,vietqr_payload") and ",352800," in csv,
      "the bank file: header and 352800 đồng: " + csv[:160].replace("\n", " | "))
c.js(f"T.click('{pcard} [data-act=sent]')")
c.wait(f"/Đã gửi ngân hàng/.test(T.text('{pcard} .name')) && !!document.querySelector('{pcard} input[type=checkbox][data-seller=\"{thao}\"]')",
       "marked sent: each seller gets a «Chuyển lỗi» checkbox")
c.js(f"document.querySelector('{pcard} input[data-seller=\"{thao}\"]').click(); T.click('{pcard} [data-act=confirm]')")
c.wait(f"/Đã xác nhận/.test(T.text('{pcard} .name')) && /Chuyển lỗi/.test(T.text('{pcard} tbody')) && !document.querySelector('{pcard} input[type=checkbox]')",
       "confirmed with the farmer marked failed")
st, body = http("GET", f"/api/v1/payouts/{batch}", token=admin)
b = json.loads(body)
check(b["status"] == "confirmed" and b["items"][0]["status"] == "failed", "the API: batch confirmed, the item failed")
c.wait("/✓ Cân đối/.test(T.text('#tb-badge')) && document.querySelectorAll('#tb-table tbody tr').length > 3", "trial balance: balanced badge, accounts listed")
st, body = http("GET", "/api/v1/ledger/trial-balance", token=admin)
tb = json.loads(body)
foot = c.js("Object.fromEntries([...document.querySelectorAll('#tb-table tfoot [data-k]')].map(n => [n.dataset.k, n.textContent]))") or {}
check(tb["balanced"] and foot.get("debits_posted_vnd") == vnd(tb["debits_posted_vnd"]) == foot.get("credits_posted_vnd") and len(tb["accounts"]) ==
      c.js("document.querySelectorAll('#tb-table tbody tr').length"), "totals as the API: Nợ = Có = " + str(foot.get("debits_posted_vnd")))
check(c.js("getComputedStyle(document.getElementById('tb-state')).backgroundColor") == "rgb(46, 107, 46)", "the badge is green")
check("Tài khoản thu của nongsan" in (c.js("T.text('#tb-table tr[data-code=\"bank:collection\"]')") or "")
      and "Hồng Thái" in (c.js("T.text('#tb-table tbody')") or ""), "accounts named in Vietnamese (collection account, the post office)")
c.js("window.confirm = () => true; T.click('#po-create')")
c.wait("document.querySelectorAll('#po-list > li').length === 2 && /Mới tạo/.test(T.text('#po-list > li .name'))",
       "the failed money can go in a new run: a second payout run")
batch2 = c.js("document.querySelector('#po-list > li').getAttribute('data-batch')")
pcard = f'#po-list > li[data-batch="{batch2}"]'
check(batch2 != batch, "the new run is listed first")
c.wait(f"document.querySelectorAll('{pcard} tbody tr').length === 1", "its items shown")
c.js(f"T.click('{pcard} [data-act=sent]')")
c.wait(f"!!document.querySelector('{pcard} [data-act=confirm]')", "sent")
c.js(f"T.click('{pcard} [data-act=confirm]')")
c.wait(f"/Đã xác nhận/.test(T.text('{pcard} .name')) && /Đã chuyển/.test(T.text('{pcard} tbody'))", "confirmed with nobody failed: «Đã chuyển»")
c.wait("/✓ Cân đối/.test(T.text('#tb-badge')) && T.text('#tb-table tr[data-code=\"payable:seller:" + thao + "\"] td:last-child') === '0 ₫'",
       "still balanced; the farmer's payable account at 0 ₫")
c.shot("staff-11-payouts.png")
c.js("location.hash = '#hang-ban'")
c.js(f"(() => {{ const s = document.getElementById('ls-seller'); if (!s.querySelector('option[value=\"{thao}\"]')) return false; s.value = '{thao}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()")
c.wait(f"document.getElementById('ls-seller').value === '{thao}' && T.text('#st-sum [data-k=owed]') === '0 ₫'"
       " && /Đã chuyển vào tài khoản ngân hàng/.test(T.text('#st-table')) && /−352\\.800 ₫/.test(T.text('#st-table'))",
       "the farmer's statement: paid out −352.800 ₫, nothing owed", timeout=15)

print("10b. a phone, 360 × 740: the tab bar and the tables of money")
c.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=1, mobile=True)
CELLS_FIT = """(sel => { const cells = [...document.querySelectorAll(sel + ' td.n')];
  return [cells.length, cells.filter(n => { const r = n.getBoundingClientRect();
    return n.scrollWidth > n.clientWidth || r.left < 0 || r.right > innerWidth; }).map(n => n.textContent)]; })"""


def cells_fit(table, what):
    n, cut = c.js(f"{CELLS_FIT}({json.dumps(table)})") or [0, ["?"]]
    check(n > 0 and not cut, f"{what}: all {n} amounts shown whole at 360 px, no sideways scrolling" + (f" (cut: {cut[:3]})" if cut else ""))


c.wait("document.querySelectorAll('#st-table tbody tr').length > 2", "the farmer's statement, at 360 px")
cells_fit("#st-table", "the statement")
check(c.js("document.documentElement.scrollWidth <= innerWidth"), "the listings tab does not scroll sideways")
c.js("document.getElementById('st-box').scrollIntoView(); true")
shot_of("#st-box", "staff-14b-statement-360.png")
c.js("location.hash = '#thanh-toan'")
c.wait("document.querySelectorAll('#pe-table tbody tr').length > 0", "the postage earned, at 360 px")
cells_fit("#pe-table", "the postage earned")
c.js("scrollTo(0, 0); true")
time.sleep(0.3)
bar = c.js("document.getElementById('tabs').getBoundingClientRect().height") or 999
check(bar < 0.25 * 740, f"the tab bar is {bar:.0f} px high: under a quarter of the 740 px screen")
check(c.js("(() => { const n = document.getElementById('tabs'); return n.scrollWidth > n.clientWidth && getComputedStyle(n).overflowX === 'auto'; })()"),
      "the tabs are one row that scrolls sideways")
check(c.js("(() => { const a = document.querySelector('nav.tabs a[aria-current=page]'), n = a.parentElement.getBoundingClientRect(), r = a.getBoundingClientRect();"
           " return r.left >= n.left - 1 && r.right <= n.right + 1; })()"), "the current tab («6. Thanh toán») is in sight")
check(c.js("document.documentElement.scrollWidth <= innerWidth"), "the payments tab does not scroll sideways")
c.js("document.getElementById('flash').textContent = ''; true")
shot = c.call("Page.captureScreenshot", format="png")
with open(os.path.join(OUT, "staff-14-phone-360.png"), "wb") as f:
    f.write(base64.b64decode(shot["data"]))
print("  screenshot: " + os.path.join(OUT, "staff-14-phone-360.png"))
c.js("document.getElementById('pe-sum').scrollIntoView(); true")
shot_from("#pe-sum", "#pe-table", "staff-14c-postage-360.png")
c.js("location.hash = '#chi-tra'")
c.wait("document.querySelectorAll('#tb-table tbody tr').length > 3", "the trial balance, at 360 px")
cells_fit("#tb-table", "the trial balance")
# the runs' list may be drawn again after the tab's module loads: open the newest run's payees
# whenever it is closed, until they show
c.wait("(() => { const d = document.querySelector('#po-list > li details'); if (d && !d.open) d.open = true;"
       " return document.querySelectorAll('#po-list > li table td.n').length > 0; })()", "a payout run's payees, at 360 px")
cells_fit("#po-list > li table", "a payout run's payees")
check(c.js("document.documentElement.scrollWidth <= innerWidth"), "the payouts tab does not scroll sideways")
shot_of("#tb-table", "staff-14d-trial-balance-360.png")
c.js("location.hash = '#tep'")
c.wait("T.visible('#im-form')", "the tab «Nhập tệp, xuất FSMA», at 360 px")
time.sleep(0.3)
check(c.js("document.documentElement.scrollWidth <= innerWidth"), "the files tab does not scroll sideways")
set_files("#im-file", [bad_file])
c.js("T.click('#im-check')")
# the file's farmers are registered now: the database's answer is in the problems too
c.wait("document.querySelectorAll('#im-problems > li').length === 4 && /Số điện thoại này đã có tài khoản/.test(T.text('#im-problems > li[data-row=\"2\"]'))",
       "the rows' problems, at 360 px, the phones registered since then among them")
time.sleep(0.3)
check(c.js("document.documentElement.scrollWidth <= innerWidth && [...document.querySelectorAll('#im-problems li')].every(li => li.getBoundingClientRect().right <= innerWidth)"),
      "the rows' problems fit at 360 px, no sideways scrolling")
shot_from("#im-form", "#im-problems", "staff-15d-import-problems-360.png")
people = [("Thào Thị Chu", "THAO THI CHU"), ("Vừ A Dình", "VU A DINH")]
phones = ["09" + str(random.randint(10000000, 99999999)) for _ in people]
ids = ["0081" + str(random.randint(10000000, 99999999)) for _ in people]
set_files("#im-file", [csv_file("nguoi-ban-2.csv", [person(i) for i in range(len(people))])])
c.js("T.click('#im-check')")
c.wait("T.visible('#im-import')", "another file, at 360 px: its dry run is clean")
c.js("T.click('#im-import')")
c.wait("T.visible('#im-done') && document.querySelectorAll('#im-codes tbody tr').length === 2", "imported at 360 px: the codes shown")
time.sleep(0.3)
codes_fit = c.js("[...document.querySelectorAll('#im-codes td')].every(td => { const r = td.getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth && td.scrollWidth <= td.clientWidth + 1; })"
                 " && getComputedStyle(document.querySelector('#im-codes thead')).display === 'none'")
check(codes_fit and c.js("document.documentElement.scrollWidth <= innerWidth"), "the imported sellers' codes are stacked, each cell whole with its column's name, at 360 px")
check(c.js("getComputedStyle(document.querySelector('#im-codes td.code'), '::before').content") == '"Mã kích hoạt"', "each code is labelled «Mã kích hoạt»")
c.js("document.getElementById('im-done').scrollIntoView(); true")
shot_of("#im-done", "staff-15c-import-codes-360.png")
c.js("location.hash = '#chi-tra'")
c.call("Emulation.setDeviceMetricsOverride", width=1024, height=1366, deviceScaleFactor=1, mobile=False)

print("11. admin: a lot recalled after one of its parcels was delivered")
st, body = http("GET", "/api/v1/listings?q=su%20su")
susu = json.loads(body)["items"][0]
st, body = http("POST", "/api/v1/orders", token=buyer, body={"items": [{"listing_id": susu["id"], "quantity": 2}],
    "shipping": {"name": "Lê Văn Bình", "phone": "0987654321", "address": "Số 5 ngõ 10", "commune_code": "02260"}, "payment_method": "cod"})
eaten = json.loads(body) if st == 201 else {"id": "", "code": ""}
done = [http("POST", f"/api/v1/orders/{eaten['id']}/{step}", token=admin, body={})[0] for step in ("confirm", "hand-over", "deliver")]
check(st == 201 and done == [200, 200, 200], f"2 kg su su ordered, confirmed, handed over, delivered ({st} {done})")
st, body = http("POST", "/api/v1/orders", token=buyer, body={"items": [{"listing_id": susu["id"], "quantity": 3}],
    "shipping": {"name": "Lê Văn Bình", "phone": "0987654321", "address": "Số 5 ngõ 10", "commune_code": "02260"}, "payment_method": "cod"})
away = json.loads(body) if st == 201 else {"id": "", "code": "", "parts": [{"id": "", "code": "NS00000000-1"}]}
done = [http("POST", f"/api/v1/orders/{away['id']}/confirm", token=admin, body={})[0],
        http("POST", f"/api/v1/orders/{away['id']}/hand-over", token=admin, body={"tracking_number": "VN-SUSU-0001"})[0]]
check(st == 201 and done == [200, 200], f"3 kg more su su ordered, confirmed, with the postman ({st} {done})")
st, _ = http("POST", f"/api/v1/lots/{susu['lot']['id']}/recall", token=admin, body={"reason": "Nhiễm khuẩn"})
check(st == 200, f"then its lot is recalled ({st})")
c.js("location.hash = '#lo-hang'")
c.wait("[...document.getElementById('lot-seller').options].some(o => /Tam Đảo/.test(o.textContent))", "lots screen: sellers listed")
c.js("""(() => { const s = document.getElementById('lot-seller');
  s.value = [...s.options].find(o => /Tam Đảo/.test(o.textContent)).value;
  s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()""")
lot_card = f'#lots-list > li[data-lot="{susu["lot"]["id"]}"]'
c.wait(f"!!document.querySelector('{lot_card}')", "the su su lot listed")
c.js(f"[...document.querySelectorAll('{lot_card} .actions button')].find(b => /Sự kiện/.test(b.textContent)).click(); true")
ecard = f'#ld-orders-list > li[data-order="{eaten["id"]}"]'
c.wait(f"!!document.querySelector('{ecard}') && document.querySelector('{ecard}').dataset.recall === 'delivered'", "the delivered order is listed")
text = c.js(f"T.text('{ecard}')") or ""
for want in ["Đã giao trước khi thu hồi — GỌI người mua ngay", "không ăn, không dùng", "Trần Minh Anh", "0900000003", "Lê Văn Bình", "0987654321", "Su su Tam Đảo: 2 kg"]:
    check(want in text, "the delivered order shows " + want)
check(c.js(f"[...document.querySelectorAll('{ecard} a[href^=\"tel:\"]')].map(a => a.getAttribute('href')).join(' ')") == "tel:0900000003 tel:0987654321",
      "the buyer's and the recipient's phones are tel: links")
check("1 người mua phải gọi báo" in (c.js("T.text('#ld-orders-count')") or ""), "the count says 1 buyer to call")
check(not c.js(f"!!document.querySelector('{ecard} button')"), "nothing to press: a phone call to make")
shot_of("#ld-orders", "staff-12-recall-delivered.png")
c.js("location.hash = '#don-hang'")
c.wait("T.visible('#scan-form')", "orders screen")
scanner("scan-code", away["parts"][0]["code"])
c.wait("/LÔ HÀNG BỊ THU HỒI — KHÔNG GIAO/.test(T.text('#scan-refuse')) && !document.getElementById('scan-deliver') && T.text('#scan-collect') === 'Không thu tiền'",
       "a recalled parcel scanned at the counter: «LÔ HÀNG BỊ THU HỒI — KHÔNG GIAO», «Không thu tiền», no delivery button")
check("VN-SUSU-0001" in (c.js("T.text('#scan-card')") or ""), "its tracking number is shown")
st, body = http("GET", f"/api/v1/parcels/{away['parts'][0]['code']}", token=admin)
check(st == 200 and json.loads(body)["collect_vnd"] == 0 and (json.loads(body).get("recall") or {}).get("outcome") == "returning",
      "the API agrees: nothing to collect, the parcel is being stopped (collect_vnd "
      + str(json.loads(body).get("collect_vnd") if st == 200 else st) + ")")
shot_from("#scan-form", "#scan-result", "staff-13-scan-recalled.png")
c.js("T.click('#logout')")

print("12. the A4 label sheet: the 100 % hint and a print button, not printed")
# the lot of step 3 was recalled (a recalled lot gets no new labels): a lot still on sale
# a session of its own: the console's (`admin`) ended with the logout just above
st, body = http("POST", "/api/v1/auth/login", body={"phone": "0900000001", "password": "nongsan-demo"})
fresh = json.loads(body)["token"] if st == 200 else None
st, body = http("GET", "/api/v1/lots", token=fresh)
listed = json.loads(body) if st == 200 else {}
on_sale = [l["id"] for l in (listed.get("items", []) if isinstance(listed, dict) else listed) if l.get("status") != "recalled"]
check(bool(on_sale), f"a lot still on sale to print labels for ({st}, {len(on_sale)} lots)")
c.call("Page.navigate", url=BASE + f"/api/v1/labels/sheet.html?lots={on_sale[0] if on_sale else lot_id}&copies=24")
c.wait("document.readyState === 'complete' && !!document.getElementById('print')", "the sheet opened")
check(c.js("(() => { const b = document.getElementById('print').getBoundingClientRect(), h = document.getElementById('print-hint').getBoundingClientRect();"
           " return b.top >= 0 && b.bottom < innerHeight && h.top >= 0 && h.bottom < innerHeight; })()"), "the hint and the print button are at the top of the screen")
c.js("window.__printed = 0; window.print = () => { window.__printed++; }; document.getElementById('print').click(); true")
check(c.js("window.__printed") == 1, "the button prints the page")
c.shot("staff-17-label-sheet.png")
c.call("Emulation.setEmulatedMedia", media="print")
check(c.js("getComputedStyle(document.getElementById('print-bar')).display") == "none", "printed: the bar is left out")
c.call("Emulation.setEmulatedMedia", media="")

errors = [e for e in c.events if e.get("method") == "Runtime.exceptionThrown"]
check(not errors, "no uncaught script errors" + ("" if not errors else ": " + json.dumps(errors[0])[:400]))
finish()
