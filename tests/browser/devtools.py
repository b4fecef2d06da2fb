"""What the browser checks share: a Chrome DevTools protocol client over a
WebSocket (standard library only: CI machines get nothing but python3 and
chromium), the tally of checks, a small HTTP helper for the API, and a PNG
writer for upload tests. Used by the checks launch.py runs."""

import base64, json, os, re, socket, struct, sys, time, urllib.error, urllib.request, zlib

failures = []
passed = 0


def check(ok, what):
    global passed
    print(("  ok: " if ok else "  FAILED: ") + what, flush=True)
    if ok:
        passed += 1
    else:
        failures.append(what)


sessions = []


def csp_violations():
    """What the pages' Content-Security-Policy refused in every session so
    far (Chrome logs each refusal: an inline script, a handler attribute, an
    image or frame from elsewhere)."""
    found = []
    for cdp in sessions:
        try:
            cdp.call("Runtime.evaluate", expression="1")  # reads what is pending
        except (RuntimeError, SystemExit, OSError):
            pass
        for e in cdp.events:
            text = e.get("params", {}).get("entry", {}).get("text", "") if e.get("method") == "Log.entryAdded" else ""
            if "Content Security Policy" in text:
                found.append(text)
    return found


def finish():
    """Prints the tally and exits non-zero when any check failed. Every
    check also fails when the Content-Security-Policy refused anything."""
    refused = csp_violations()
    check(not refused, "the Content-Security-Policy refused nothing" + ("" if not refused else ": " + refused[0][:300]))
    print(f"checks: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


class CDP:
    """One page's DevTools session. `shots` is where screenshots go;
    `describe` is a page expression printed when a wait fails, to show
    what the page looked like instead."""

    def __init__(self, ws_url, shots, describe=None):
        hostport, path = ws_url[len("ws://"):].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += self.s.recv(4096)
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit("websocket handshake failed: " + head.decode(errors="replace"))
        self.n = 0
        self.events = []
        self.shots = shots
        self.describe = describe
        # refusals of the Content-Security-Policy arrive as log entries
        try:
            self.call("Log.enable")
        except RuntimeError:
            pass  # a target without a log (none of ours so far)
        sessions.append(self)

    @classmethod
    def first_page(cls, devtools, shots, describe=None):
        targets = json.load(urllib.request.urlopen(devtools + "/json/list"))
        page = [t for t in targets if t.get("type") == "page"][0]
        return cls(page["webSocketDebuggerUrl"], shots, describe)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("devtools connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _recv(self):
        data = b""
        while True:
            b1, b2 = self._read(2)
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            op = b1 & 0x0F
            if op == 9:
                continue
            data += payload
            if b1 & 0x80:
                return json.loads(data)

    def call(self, method, **params):
        self.n += 1
        msg = json.dumps({"id": self.n, "method": method, "params": params}).encode()
        head = bytes([0x81])
        if len(msg) < 126:
            head += bytes([0x80 | len(msg)])
        elif len(msg) < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(msg))
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", len(msg))
        mask = os.urandom(4)
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
        while True:
            m = self._recv()
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("page script failed: " + json.dumps(r["exceptionDetails"])[:600])
        return r["result"].get("value")

    def wait(self, expr, what, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if self.js(expr):
                    check(True, what)
                    return True
            except RuntimeError:
                pass
            time.sleep(0.1)
        check(False, what + " (waited %ss)" % timeout)
        if self.describe:
            try:
                print("    the page at " + str(self.js(self.describe)))
            except RuntimeError:
                pass
        return False

    def shot(self, name):
        m = self.call("Page.getLayoutMetrics")
        size = m.get("cssContentSize") or m["contentSize"]
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1})
        path = os.path.join(self.shots, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        print("  screenshot: " + path)


def http(base, method, path, token=None, body=None, headers=None, raw=None):
    """A request to the API: (status, body bytes); errors are answers too."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(base + path if path.startswith("/") else path, method=method, data=data)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def png(w, h):
    """A small RGB PNG (a gradient), written with the standard library."""
    rows = b"".join(b"\x00" + bytes(v for x in range(w) for v in (60 + x * 150 // w, 120 + y * 100 // h, 40))
                    for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def loads_from_outside(html):
    """Whether a page refers to anything outside itself: an address with a
    host in src, href or action, an @import, or a CSS url()."""
    return bool(re.search(r"""(src|href|action)=["']?(https?:)?//|@import""", html, re.I)
                or re.search(r"[^A-Za-z\n]url\(", html))
