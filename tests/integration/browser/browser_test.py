#!/usr/bin/env python3
"""The web page and the portal embed in a real browser (headless Debian chromium).

Starts `danhba run` (managed slapd) on free loopback ports, loads a small
province through the ingest API, serves a sample agency portal from another
origin, and drives chromium over --remote-debugging-pipe (the DevTools protocol,
Python standard library only). Asserts what is shown: names found by an
unaccented search typed into the box, the listing order, the embedded listing
in the portal's page (shadow DOM, from another origin), and no console errors.
Screenshots are kept in ARTIFACTS_DIR.

usage: browser_test.py DANHBA_BINARY ARTIFACTS_DIR
"""

import base64
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
DEADLINE = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(what, check, timeout=DEADLINE, interval=0.1):
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


def http_post(url, body, token):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status


DECISION = {"number": "9/QĐ-SNV", "date": "2026-02-01", "issuer": "Sở Nội vụ"}
AGENCIES = [("ubnd", "Ủy ban nhân dân tỉnh Đồng Nai", None),
            ("stttt", "Sở Thông tin và Truyền thông", "ubnd"),
            ("snv", "Sở Nội vụ", "ubnd")]
PEOPLE = [("Nguyễn Văn An", "stttt", "Giám đốc"),
          ("Lê Thị Tuyết", "stttt", "Chuyên viên"),
          ("Trần Văn Bình", "stttt", "Phó Giám đốc"),
          ("Đỗ Thị Ánh", "stttt", "Kế toán"),
          ("Phạm Văn An", "snv", "Chuyên viên")]
# Vietnamese order: given name, then middle, then family.
STTTT_ORDER = ["Nguyễn Văn An", "Đỗ Thị Ánh", "Trần Văn Bình", "Lê Thị Tuyết"]


class Chromium:
    """A headless chromium driven over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # The child reads commands on fd 3 and writes answers on fd 4; the
        # shell puts the pipe ends there before it becomes chromium.
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}',
             CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + profile, "--remote-debugging-pipe", "--window-size=1200,900",
             "about:blank"],
            pass_fds=(to_child_r, from_child_w),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile + ".log"), "w"))
        os.close(to_child_r)
        os.close(from_child_w)
        self.next_id = 0
        self.buffer = b""
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        wanted = self.next_id
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            for reply in self.read():
                if reply.get("id") == wanted:
                    if "error" in reply:
                        raise AssertionError(method + ": " + json.dumps(reply["error"]))
                    return reply.get("result", {})
                self.events.append(reply)
        raise AssertionError("no answer to " + method)

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise AssertionError("chromium closed the pipe")
            self.buffer += chunk
        *messages, self.buffer = self.buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]

    def open(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                             session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def goto(self, url):
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        poll("load of " + url, lambda: self.evaluate("document.readyState") == "complete")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(expression + ": " + json.dumps(result["exceptionDetails"]))
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console_errors(self):
        # Drain what arrived without asking.
        errors = []
        for event in self.events:
            method = event.get("method")
            params = event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                errors.append(json.dumps(params.get("args", []))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
        return errors

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except AssertionError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class PortalHandler(http.server.BaseHTTPRequestHandler):
    api = ""

    def do_GET(self):
        page = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin Sở TTTT</title>
<link rel="icon" href="data:,">
<style>
  body {{ font-family: Georgia, serif; background: #fffaf0; }}
  h2 {{ color: rgb(255, 0, 0); }}            /* the portal's own h2: must not reach the widget */
  table {{ border: 5px solid green; }}
  .danhba-embed {{ --danhba-accent: rgb(0, 102, 51); --danhba-font: Georgia, serif; }}
</style></head><body>
<h1>Sở Thông tin và Truyền thông</h1><h2>Tin tức</h2>
<p>Danh bạ thư điện tử của cơ quan:</p>
<script src="{self.api}/embed.js" data-agency="stttt" data-search="true"></script>
</body></html>"""
        body = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    binary, artifacts = sys.argv[1], sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="danhba-browser-")
    api_port, ingest_port, ldap_port, portal_port = free_port(), free_port(), free_port(), free_port()
    api = f"http://127.0.0.1:{api_port}"
    portal = f"http://127.0.0.1:{portal_port}"
    config = os.path.join(work, "danhba.yaml")
    with open(config, "w") as f:
        f.write(f"""data_dir: {work}/var
ldap:
  url: ldap://127.0.0.1:{ldap_port}
public_api:
  listen: 127.0.0.1:{api_port}
  cors_origins: ["{portal}"]
ingest:
  listen: 127.0.0.1:{ingest_port}
""")
    daemon = None
    browser = None
    portal_server = None
    try:
        added = subprocess.run([binary, "sender", "add", "hr", "--config", config], capture_output=True, text=True,
                               check=True)
        token = added.stdout.strip().split()[-1]
        log = open(os.path.join(work, "daemon.log"), "w")
        daemon = subprocess.Popen([binary, "run", "--config", config], stdout=log, stderr=log)
        poll("danhba to be ready", lambda: http_get(api + "/readyz")[0] == 200)
        events = [{"id": f"a-{code}", "type": "agency.create", "decision": DECISION,
                   "agency": {"code": code, "name": name, "parent": parent}} for code, name, parent in AGENCIES]
        events += [{"id": f"h-{i}", "type": "hire", "decision": DECISION,
                    "person": {"id": f"CB{i:04}", "full_name": name, "birth_date": "1980-01-01", "title": title,
                               "phone": f"0251 3822 {i:03}", "agency": agency}}
                   for i, (name, agency, title) in enumerate(PEOPLE)]
        for event in events:
            assert http_post(f"http://127.0.0.1:{ingest_port}/api/v1/events", event, token) == 202
        poll("the people in the public API",
             lambda: json.loads(http_get(api + "/api/v1/people")[1] or "{}").get("total") == len(PEOPLE))

        PortalHandler.api = api
        portal_server = http.server.ThreadingHTTPServer(("127.0.0.1", portal_port), PortalHandler)
        threading.Thread(target=portal_server.serve_forever, daemon=True).start()

        browser = Chromium(os.path.join(work, "profile"))
        browser.open()

        # The page: an unaccented search typed into the box answers as you type.
        browser.goto(api + "/")
        assert browser.evaluate("document.documentElement.lang") == "vi"
        tree = browser.evaluate("[...document.querySelectorAll('.tree a')].map(a => a.textContent)")
        assert tree[0] == "Ủy ban nhân dân tỉnh Đồng Nai", tree
        assert "Sở Thông tin và Truyền thông" in tree, tree
        browser.evaluate("document.getElementById('q').focus()")
        browser.send("Input.insertText", {"text": "nguyen van an"})
        shown = poll("search results", lambda: browser.evaluate(
            "[...document.querySelectorAll('#results tbody th')].map(t => t.textContent)"))
        assert shown == ["Nguyễn Văn An"], shown
        browser.evaluate("document.getElementById('q').select()")
        browser.send("Input.insertText", {"text": "an"})
        shown = poll("search results for 'an'", lambda: (lambda v: v if len(v) == 3 else None)(browser.evaluate(
            "[...document.querySelectorAll('#results tbody th')].map(t => t.textContent)")))
        assert shown == ["Nguyễn Văn An", "Phạm Văn An", "Đỗ Thị Ánh"], shown
        browser.screenshot(os.path.join(artifacts, "page-search.png"))
        errors = browser.console_errors()
        assert not errors, errors

        # An agency's listing, server-rendered, in Vietnamese order, with mailto links.
        browser.goto(api + "/agency/stttt")
        names = browser.evaluate("[...document.querySelectorAll('tbody th')].map(t => t.textContent)")
        assert names == STTTT_ORDER, names
        mail = browser.evaluate("document.querySelector('tbody a[href^=\"mailto:\"]').getAttribute('href')")
        assert mail == "mailto:annv@dongnai.gov.vn", mail
        browser.screenshot(os.path.join(artifacts, "page-agency.png"))
        # English.
        browser.goto(api + "/person/annv?lang=en")
        assert browser.evaluate("document.documentElement.lang") == "en"
        assert browser.evaluate("document.querySelector('h1').textContent") == "Nguyễn Văn An"
        assert browser.evaluate("document.querySelector('a[href$=\".vcf\"]') !== null")
        browser.screenshot(os.path.join(artifacts, "page-person-en.png"))
        errors = browser.console_errors()
        assert not errors, errors

        # A phone-sized screen.
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        browser.goto(api + "/agency/stttt")
        overflow = browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert overflow, "the agency page scrolls sideways on a phone"
        browser.screenshot(os.path.join(artifacts, "page-agency-phone.png"))
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False})

        # The portal, another origin, embedding the listing.
        browser.goto(portal + "/")
        loaded = poll("the embedded listing", lambda: browser.evaluate(
            "(document.querySelector('.danhba-embed') || {getAttribute(){return null}}).getAttribute('data-loaded')"))
        assert loaded == "4", loaded
        names = browser.evaluate(
            "[...document.querySelector('.danhba-embed').shadowRoot.querySelectorAll('tbody th')].map(t => t.textContent)")
        assert names == STTTT_ORDER, names
        title = poll("the agency's name", lambda: browser.evaluate(
            "(t => t === 'Sở Thông tin và Truyền thông' && t)"
            "(document.querySelector('.danhba-embed').shadowRoot.querySelector('h2').textContent)"))
        colour = browser.evaluate(
            "getComputedStyle(document.querySelector('.danhba-embed').shadowRoot.querySelector('h2')).color")
        assert colour == "rgb(0, 102, 51)", "the portal's custom property styles the widget, its h2 rule does not: " + colour
        border = browser.evaluate(
            "getComputedStyle(document.querySelector('.danhba-embed').shadowRoot.querySelector('table')).borderTopWidth")
        assert border != "5px", "the portal's table rule leaked into the widget"
        # Its search box filters without diacritics.
        browser.evaluate("document.querySelector('.danhba-embed').shadowRoot.querySelector('input').focus()")
        browser.send("Input.insertText", {"text": "tuyet"})
        names = poll("filtered embed", lambda: (lambda v: v if len(v) == 1 else None)(browser.evaluate(
            "[...document.querySelector('.danhba-embed').shadowRoot.querySelectorAll('tbody th')].map(t => t.textContent)")))
        assert names == ["Lê Thị Tuyết"], names
        browser.screenshot(os.path.join(artifacts, "portal-embed.png"))
        errors = browser.console_errors()
        assert not errors, errors
        print("browser test passed; screenshots in " + artifacts)
        return 0
    finally:
        if browser:
            browser.close()
        if portal_server:
            portal_server.shutdown()
        if daemon:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(30)
            except subprocess.TimeoutExpired:
                daemon.kill()
        if os.environ.get("DANHBA_KEEP_TEST_DIRS"):
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
