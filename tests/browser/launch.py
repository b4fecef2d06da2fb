"""The launcher of the browser checks: for each check named, start the real
binary and headless Chromium, run the check (`<name>.py` beside this file)
and tear both down.

    python3 tests/browser/launch.py scan_page staff_console market_page

It builds `nongsan` with cargo (the pages are embedded in the binary, so an
older binary would check older pages), unless `NONGSAN_BIN` names the binary
to run. Each check gets its own `nongsan serve --demo` on a free port over a
fresh data directory, and its own Chromium profile; a check that drives a
page gets a Chromium with its DevTools port open. The check runs as
`python3 <name>.py BASE DEVTOOLS SHOTS WORK`: the server's URL, the DevTools
URL (empty when it drives no page), where screenshots go (target/browser/)
and the check's scratch directory (the server's output is in
WORK/out.txt). Checks use `chromium` from here for one-shot runs (a DOM
dump, a screenshot), so every Chromium gets the same flags.

Needs chromium and python3 (standard library only: CI machines get nothing
else). Exits 1 when anything is missing or wrong."""

import json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHOTS = os.path.join(ROOT, "target", "browser")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The checks, and the window size of the browser each drives over DevTools
# (None: it would drive none and only read pages one-shot).
CHECKS = {"scan_page": "360,740", "staff_console": "1024,1366", "market_page": "360,740", "farmer_app": "360,740",
          "officer_page": "360,740"}


def chromium(args, profile, timeout):
    """One headless Chromium run (a DOM dump, a screenshot) with the profile
    directory `profile`; what it printed, "" when it ran out of time."""
    p = subprocess.Popen(CHROMIUM + ["--user-data-dir=" + profile] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(p)
        return ""
    return out.decode("utf-8", errors="replace")


def stop(p):
    """Ends a process started in its own session, with everything it started
    (Chromium's helpers would otherwise still write to its profile while the
    work directory is removed): SIGTERM, then SIGKILL for what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            break
        if wait_for(lambda: not group_alive(p), 5, 0.05):
            break
    p.wait()


def group_alive(p):
    p.poll()  # reaps the leader once it has exited
    try:
        os.killpg(p.pid, 0)
        return True
    except ProcessLookupError:
        return False


def binary():
    """The server binary: `NONGSAN_BIN`, or `nongsan` built now by cargo."""
    if os.environ.get("NONGSAN_BIN"):
        return os.path.abspath(os.environ["NONGSAN_BIN"])
    if subprocess.run(["cargo", "build", "-p", "server", "--bin", "nongsan"], cwd=ROOT).returncode != 0:
        sys.exit("building nongsan failed")
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          capture_output=True, check=True).stdout
    return os.path.join(json.loads(meta)["target_directory"], "debug", "nongsan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def read_url(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return ""


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def wait_for(ready, seconds, step):
    end = time.time() + seconds
    while time.time() < end:
        if ready():
            return True
        time.sleep(step)
    return ready()


def run(name, nongsan):
    """One check on its own server and browser; True when it passed."""
    work = tempfile.mkdtemp(prefix="nongsan-browser-")
    server = browser = None
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, NONGSAN_DATA_DIR=work, DATABASE_URL=f"sqlite://{work}/nongsan.db")
        with open(os.path.join(work, "out.txt"), "wb") as out, open(os.path.join(work, "err.txt"), "wb") as err:
            server = subprocess.Popen([nongsan, "serve", "--demo", "--bind", f"127.0.0.1:{port}"], env=env,
                                      stdout=out, stderr=err, start_new_session=True)
        if not wait_for(lambda: answers(base + "/healthz"), 60, 1):
            print(read(os.path.join(work, "err.txt")))
            print(f"the server did not answer at {base}/healthz")
            return False
        # The demo data is in once the server prints the scan page's address.
        wait_for(lambda: "Scan page:" in read(os.path.join(work, "out.txt")), 30, 1)

        devtools = ""
        if CHECKS[name]:
            with open(os.path.join(work, "chrome.txt"), "wb") as log:
                browser = subprocess.Popen(
                    CHROMIUM + ["--user-data-dir=" + os.path.join(work, "profile"), "--remote-debugging-port=0",
                                "--window-size=" + CHECKS[name], "about:blank"],
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            port_file = os.path.join(work, "profile", "DevToolsActivePort")
            if not wait_for(lambda: read(port_file).strip() != "", 10, 0.1):
                print(read(os.path.join(work, "chrome.txt")))
                print("Chromium did not open its DevTools port")
                return False
            devtools = "http://127.0.0.1:" + read(port_file).splitlines()[0]
            wait_for(lambda: '"page"' in read_url(devtools + "/json/list"), 5, 0.1)

        os.makedirs(SHOTS, exist_ok=True)
        try:
            check = subprocess.run([sys.executable, "-u", os.path.join(HERE, name + ".py"), base, devtools, SHOTS, work],
                                   cwd=ROOT, timeout=360)
            return check.returncode == 0
        except subprocess.TimeoutExpired:
            print(f"  FAILED: {name} did not finish in 360 s")
            return False
    finally:
        for p in (browser, server):
            if p:
                stop(p)
        shutil.rmtree(work, ignore_errors=True)


def main():
    names = sys.argv[1:]
    if not names or any(n not in CHECKS for n in names):
        sys.exit("usage: launch.py CHECK...  (checks: " + ", ".join(CHECKS) + ")")
    # Ended by CI or by hand: still tear the server and the browser down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.stdout.reconfigure(line_buffering=True)
    nongsan = binary()
    if not os.access(nongsan, os.X_OK):
        sys.exit(f"no server binary at {nongsan}")
    failed = []
    for name in names:
        print(f"=== {name} (server {nongsan})")
        ok = run(name, nongsan)
        print(f"{name} check " + ("passed" if ok else "FAILED"))
        if not ok:
            failed.append(name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
