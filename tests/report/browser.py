"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no extra packages).

Chromium reads NUL-terminated JSON commands from file descriptor 3 and writes responses and
events to descriptor 4. This is enough to open a local page, measure elements, collect
console errors and failed requests, and take a full-page screenshot, without a websocket
library or a browser download. Used by ``test_browser.py`` and, to refresh the screenshot in
the docs, ``python -m tests.report.browser OUT.png`` (renders the demo report first).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    """The Chromium binary, or None (Debian's package installs /usr/bin/chromium)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@dataclass
class PageReport:
    """What the browser saw: chart sizes, console errors, requests leaving the file, a PNG."""

    charts: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    pdf_pages: dict[str, bytes] = field(default_factory=dict)
    title: str = ""
    width: int = 1280
    page_width: float = 0.0  # the document's scroll width (more than width: the page scrolls)
    overflow: dict[str, float] = field(default_factory=dict)  # section id -> px cut off
    chart_text_px: dict[str, float] = field(default_factory=dict)  # chart id -> smallest text


class Browser:
    """Headless Chromium driven over the DevTools pipe."""

    def __init__(self, binary: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="evalkit-chromium-")
        cmd_read, self._cmd_write = os.pipe()  # we write commands, chromium reads fd 3
        self._resp_read, resp_write = os.pipe()  # chromium writes fd 4, we read

        def child_fds() -> None:  # runs in the child between fork and exec
            # Copy both ends above 10 first, so that moving them to 3 and 4 cannot clobber
            # one with the other.
            high_cmd = fcntl.fcntl(cmd_read, fcntl.F_DUPFD, 10)
            high_resp = fcntl.fcntl(resp_write, fcntl.F_DUPFD, 10)
            os.dup2(high_cmd, 3)
            os.dup2(high_resp, 4)

        self.process = subprocess.Popen(  # fixed argument list, no shell
            [binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,  # the browser runs alone in its process
            close_fds=False,
        )
        os.close(cmd_read)
        os.close(resp_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # -- protocol --------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium over the DevTools pipe")
            ready, _, _ = select.select([self._resp_read], [], [], left)
            if ready:
                chunk = os.read(self._resp_read, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._cmd_write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._cmd_write)
        os.close(self._resp_read)
        self._profile.cleanup()

    # -- the one job -----------------------------------------------------------------------

    def inspect(self, page: Path, width: int = 1280) -> PageReport:
        """Open ``page``; measure every ``svg.chart``; collect errors; screenshot; print."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": width < 600},
            session=session,
        )
        self.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        self.wait_for("Page.loadEventFired")

        def evaluate(expression: str) -> Any:
            result = self.send(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True},
                session=session,
            )
            return result["result"].get("value")

        report = PageReport()
        report.title = evaluate("document.title")
        report.charts = evaluate(
            "[...document.querySelectorAll('svg.chart')].map(e => {"
            " const r = e.getBoundingClientRect();"
            " return {id: e.id, width: r.width, height: r.height,"
            " title: (e.querySelector('title') || {}).textContent || ''}; })"
        )
        report.width = width
        report.page_width = evaluate("document.documentElement.scrollWidth")
        # how far each section's content reaches past the window's right edge (0: fits)
        report.overflow = evaluate(
            "Object.fromEntries([...document.querySelectorAll('section, header')].map(s => {"
            " let right = 0; for (const e of s.querySelectorAll('*')) {"
            "  if (e.closest('.chart-box') || e.closest('details')) continue;"
            "  right = Math.max(right, e.getBoundingClientRect().right); }"
            " return [s.id || 'cover', Math.max(0, right - window.innerWidth)]; }))"
        )
        # rendered size of the smallest text of each chart: font size x the SVG's scale
        report.chart_text_px = evaluate(
            "Object.fromEntries([...document.querySelectorAll('svg.chart')].map(svg => {"
            " const scale = svg.getScreenCTM().a;"
            " const sizes = [...svg.querySelectorAll('text')].map(t =>"
            "  parseFloat(getComputedStyle(t).fontSize) * scale);"
            " return [svg.id, sizes.length ? Math.min(...sizes) : 0]; }))"
        )
        height = int(evaluate("document.documentElement.scrollHeight"))
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=session,
        )
        shot = self.send("Page.captureScreenshot", {"format": "png"}, session=session)
        report.screenshot = base64.b64decode(shot["data"])
        for paper, (w, h) in {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}.items():
            pdf = self.send("Page.printToPDF", {"paperWidth": w, "paperHeight": h}, session=session)
            report.pdf_pages[paper] = base64.b64decode(pdf["data"])
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = params.get("args", [])
                report.console_errors.append(" ".join(str(a.get("value", a)) for a in args))
            elif method == "Runtime.exceptionThrown":
                report.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                report.console_errors.append(str(params["entry"].get("text")))
            elif method == "Network.requestWillBeSent":
                url = params.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:")):
                    report.external_requests.append(url)
        return report


def inspect_page(page: Path, binary: str, width: int = 1280) -> PageReport:
    browser = Browser(binary)
    try:
        return browser.inspect(page, width)
    finally:
        browser.close()


def main(argv: list[str]) -> int:
    """Render the demo report and save the screenshots shown in docs/report.md.

    ``python -m tests.report.browser docs/img`` writes ``report.png`` (the whole page,
    860 px wide, 256 colours) and ``report-scorecard.png`` (the first screen, full size).
    """
    from PIL import Image

    from evalkit.report import render_report
    from tests.report.demo_data import demo_data

    binary = find_chromium()
    if binary is None:
        print("chromium not found", file=sys.stderr)
        return 2
    out = Path(argv[0]) if argv else Path("docs/img")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        written = render_report(demo_data(), folder)
        report = inspect_page(written["report.html"], binary)
    page = Image.open(io.BytesIO(report.screenshot)).convert("RGB")
    width, height = page.size
    small = page.resize((860, round(height * 860 / width)), Image.Resampling.LANCZOS)
    for name, image in {
        "report.png": small,
        "report-scorecard.png": page.crop((0, 0, width, min(height, 1500))),
    }.items():
        image.quantize(256, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
            out / name, optimize=True
        )
    print(f"{out}: {len(report.charts)} charts, {len(report.console_errors)} console errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
