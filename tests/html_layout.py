#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The HTML report as a board reads it (issue 30), in one headless Chromium driven over its
DevTools pipe (no network, no port):

  fit      every tile's text inside its tile, and no heading, movers cell or chart past the
           page, at a desktop's width (1280 px), at the A4 page's (1032 px) and in print media
  labels   every bar and dot of the bridge, segment and leading charts carries its figure,
           inside its canvas
  words    tiers by name ("Best in class", never best_in_class), the money's unit shown (the
           currency the input names, else "units"), and the movers tables filled from a
           "movers" array planted in the records
  print    the page printed to an A4 PDF (Page.printToPDF, as --print-to-pdf does), its pages
           rendered by pdftoppm: nothing drawn into a page's margin, where Chromium lets an
           element that does not fit run off the paper

Usage: html_layout.py CSKPI ROOT        exit 77 (SKIP) without chromium or pdftoppm
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

A4_CONTENT_PX = 1032  # 297 mm less two 12 mm margins, at 96 px an inch
MARGIN_MM = 12
DPI = 30

MOVERS = [  # a long name and a long id must wrap inside their cell, not run past it
    {"kind": "new", "customer_id": "C-000417", "name": "Aktiengesellschaft für ausgesprochen lange Firmennamen "
     "und Söhne GmbH & Co. KG", "amount": 42000.5, "share": 0.0999},
    {"kind": "new", "customer_id": "C-000418-" + "x" * 60, "amount": 12000, "share": 0.0286},
    {"kind": "expansion", "customer_id": "C-000007", "name": "Acme", "amount": 30000, "share": 0.0873},
    {"kind": "contraction", "customer_id": "C-000123", "amount": 5000, "share": 0.0928},
    {"kind": "churned", "customer_id": "C-000999", "name": "Globex", "amount": 20000, "share": 0.2693},
]


class Browser:
    """Chromium's DevTools protocol over --remote-debugging-pipe: fd 3 in, fd 4 out, NUL-ended JSON."""

    def __init__(self, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def fds():
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def _read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, method, session, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.events.append(self._read())
        raise RuntimeError(f"no {method} in {timeout} s")

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Page:
    def __init__(self, browser, path):
        self.b = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.size(1280)
        self.call("Page.enable")
        self.call("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        browser.wait_event("Page.loadEventFired", self.s)
        for _ in range(200):  # the page's check runs once its charts are drawn
            if self.eval("document.body.dataset.charts || ''"):
                return
            time.sleep(0.02)
        raise RuntimeError(f"{path}: the page never finished drawing")

    def call(self, method, params=None):
        return self.b.call(method, params, self.s)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def size(self, width, media=""):
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                         "mobile": False})
        self.call("Emulation.setEmulatedMedia", {"media": media})

    def layout(self):
        """The page's own check once Chart.js has followed a resize (it redraws on the next frames)."""
        return self.eval("new Promise(done => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() =>"
                         " done(window.cskpiLayout()))), 50))")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check_page(page, name, trends):
    errors = page.eval("document.body.dataset.errors")
    charts = page.eval("document.body.dataset.charts")
    drawn, total = charts.split("/")
    if errors != "0" or drawn != total:
        fail(f"{name}: {errors} errors, {charts} charts drawn")
    # On screen the charts follow the window; in print no code runs, so each canvas keeps the
    # size it was drawn at on a desktop: stop Chart.js following resizes before the print layout.
    for width, media in ((1280, ""), (A4_CONTENT_PX, ""), (1280, ""), (A4_CONTENT_PX, "print")):
        if media == "print":
            page.eval("Object.values(Chart.instances).forEach(c => c.unbindEvents()), 0")
        page.size(width, media)
        got = page.layout()
        where = f"{name} at {width} px{' (print)' if media else ''}"
        if got["overflow"]:
            fail(f"{where}: text or boxes past their box: {got['overflow']}")
        if got["labels"]:
            fail(f"{where}: bars or dots without their figure, or with it past the canvas: {got['labels']}")
    page.size(1280)
    # Every chart but the trend lines labels its bars and dots.
    unlabelled = page.eval("[...document.querySelectorAll('canvas')].filter(c => !c.dataset.labels)"
                           ".map(c => c.id)")
    unlabelled = [c for c in unlabelled if c.removeprefix("chart-") not in trends]
    if unlabelled:
        fail(f"{name}: charts without value labels: {unlabelled}")
    text = page.eval("document.body.innerText")
    if "best_in_class" in text:
        fail(f"{name}: a tier shown by its id (best_in_class), not its name")
    return text, int(total)


def check_print(page, name, tmp):
    """A4 landscape from a desktop-wide window: no ink in any page's margin."""
    pdf = base64.b64decode(page.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
    out = os.path.join(tmp, name)
    with open(out + ".pdf", "wb") as f:
        f.write(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", out + ".pdf", out], check=True)
    pages = sorted(p for p in os.listdir(tmp) if p.startswith(name + "-") and p.endswith(".pgm"))
    if not pages:
        fail(f"{name}: pdftoppm made no page")
    band = int(MARGIN_MM / 25.4 * DPI) - 3  # the margin, less a little for antialiasing
    for p in pages:
        with open(os.path.join(tmp, p), "rb") as f:
            magic, width, height, maxval, pixels = parse_pgm(f.read())
        if abs(width / height - 297 / 210) > 0.02:
            fail(f"{name} {p}: {width}x{height} is not A4 landscape")
        ink = []
        for y in range(height):
            row = pixels[y * width:(y + 1) * width]
            edge = y < band or y >= height - band
            for x in (range(width) if edge else list(range(band)) + list(range(width - band, width))):
                if row[x] < maxval - 10:
                    ink.append((x, y))
                    break
        if ink:
            fail(f"{name} {p}: ink in the margin at {ink[:3]} (an element runs off the page)")
    return len(pages)


def parse_pgm(data):
    fields, at = [], 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        start = at
        while not data[at:at + 1].isspace():
            at += 1
        fields.append(data[start:at])
    if fields[0] != b"P5":
        fail("pdftoppm -gray did not write a binary PGM")
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3]), data[at + 1:]


def main():
    if not shutil.which("chromium"):
        print("SKIP: no Chromium; bash bootstrap test installs it")
        return 77
    if not shutil.which("pdftoppm"):
        print("SKIP: no pdftoppm (poppler-utils); bash bootstrap test installs it")
        return 77
    cskpi, root = sys.argv[1], sys.argv[2]
    os.chdir(root)
    tmp = tempfile.mkdtemp()
    started = time.time()
    try:
        def report(name, *args):
            path = os.path.join(tmp, name + ".html")
            subprocess.run([cskpi, "report", *args, "-o", path], check=True, stderr=subprocess.DEVNULL)
            return path

        joined = report("joined", "samples/joined/billing.csv", "samples/joined/customers.csv",
                        "samples/joined/survey.csv", "--by", "segment")
        with open(joined, encoding="utf-8") as f:
            html = f.read()
        planted = [dict(m, period="2026-10", segment="all", by=None) for m in MOVERS]
        opening = '<script type="application/json" id="cskpi-data">\n'
        start = html.find(opening)
        end = html.find("</script>", start)
        if start < 0 or end < 0:
            fail("joined.html: no records element to plant movers in")
        records = json.loads(html[start + len(opening):end])
        records["movers"] = planted  # in place of the page's own, which carry no names
        text = json.dumps(records, ensure_ascii=False).replace("<", "\\u003c")
        html = html[:start + len(opening)] + text + "\n" + html[end:]
        with open(joined, "w", encoding="utf-8") as f:
            f.write(html)
        # The currency an input names, after --fx: on the tiles and in the line above them.
        with open(report("stripe", "samples/stripe/coupons.csv", "samples/stripe/subscriptions.csv", "--fx",
                         "samples/stripe/fx_usd.csv", "--currency", "USD"), encoding="utf-8") as f:
            stripe = f.read()
        if "<p class=\"inputs\">Money in USD.</p>" not in stripe or " <span class=\"u\">USD</span></div>" not in stripe:
            fail("stripe.html: the money's currency (USD) is not shown")
        # Two pages in the browser: snapshots by segment (trends, segment dots, cohorts) and a
        # billing file joined with customers and a survey (bridge, movers, health, time to value, NPS).
        # The largest amounts cskpi holds (ARR past a trillion; hundreds of billions moved)
        # still fit their tiles and labels; without a period column no title says "null".
        huge = os.path.join(tmp, "huge.csv")
        with open(huge, "w", encoding="utf-8") as f:
            f.write("customer_id,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr\n"
                    "a,987654321098.76,0,123456789012.34,0,0\nb,0,555555555555.55,0,0,0\n"
                    "c,444444444444.44,0,0,0,444444444444.44\n")
        pages = [("snapshots", report("snapshots", "samples/mrr_matrix_24m.csv", "--by", "segment")),
                 ("joined", joined), ("huge", report("huge", huge))]
        trends = {"nrr", "grr", "logo_churn"}
        browser = Browser(os.path.join(tmp, "profile"))
        try:
            for name, path in pages:
                page = Page(browser, path)
                text, charts = check_page(page, name, trends)
                if "Money in units of the input" not in text:
                    fail(f"{name}: the money's unit (units) is not shown")
                if name == "joined":
                    tables = page.eval("document.getElementById('movers').hidden ? -1 : "
                                       "document.querySelectorAll('#movers table').length")
                    if tables != 4:
                        fail(f"joined: {tables} movers tables, want 4 (new, expansion, contraction, churned)")
                    if "Aktiengesellschaft" not in text:
                        fail("joined: a mover's name is not shown")
                    bridge = page.eval("document.getElementById('chart-bridge').dataset.labels")
                    if bridge != "7/7":
                        fail(f"joined: the bridge's bars carry {bridge} labels, want 7/7")
                titles = page.eval("Object.values(Chart.instances).map(c => c.options.plugins.title.text || '')")
                if any("null" in t for t in titles + [text]):
                    fail(f"{name}: a title or text says null: {titles}")
                if name == "huge":  # its print is the others' (tiles and bridge): no second PDF
                    print(f"ok: huge: {charts} charts, every tile and label inside its box at 1280 px, A4 and print")
                    continue
                printed = check_print(page, name, tmp)
                print(f"ok: {name}: {charts} charts, every tile and label inside its box at 1280 px, A4 and print; "
                      f"{printed} A4 pages with clear margins")
        finally:
            browser.close()
        print(f"ok: {time.time() - started:.1f} s")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
