"""report.html in a real browser: headless Chromium over the DevTools pipe.

Checks that every chart has a non-zero rendered size, that the page logs no console
errors and requests nothing from the network, that it prints on A4 and Letter, and saves a
screenshot (to pytest's tmp folder, and to $EVALKIT_SCREENSHOT_DIR when set). Without
Chromium the test is skipped locally and fails in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.report.browser import find_chromium, inspect_page
from tests.report.test_render import CHART_IDS


def require_chromium(binary: str | None, environ) -> str:
    """The binary; without one, fail in CI (CI=true) and skip elsewhere."""
    if binary is None:
        if environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is missing in CI: .ci/run should install Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return binary


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium(find_chromium(), os.environ)


def test_missing_chromium_fails_in_ci_and_skips_locally():
    with pytest.raises(pytest.fail.Exception, match="missing in CI"):
        require_chromium(None, {"CI": "true"})
    with pytest.raises(pytest.skip.Exception):
        require_chromium(None, {})
    assert require_chromium("/usr/bin/chromium", {"CI": "true"}) == "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page(rendered, chromium):
    return inspect_page(rendered["report.html"], chromium)


def test_every_chart_has_a_rendered_size(page):
    assert [c["id"] for c in page.charts] == CHART_IDS
    for chart in page.charts:
        assert chart["width"] > 100, chart
        assert chart["height"] > 50, chart
        assert chart["title"], chart


def test_no_console_errors_and_no_network_requests(page, demo):
    assert page.title == demo.title
    assert page.console_errors == []
    assert page.external_requests == []


def test_prints_on_a4_and_letter(page):
    for paper in ("A4", "Letter"):
        pdf = page.pdf_pages[paper]
        assert pdf.startswith(b"%PDF")
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3


def test_screenshot_is_saved(page, tmp_path):
    shot = tmp_path / "report.png"
    shot.write_bytes(page.screenshot)
    assert page.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(page.screenshot[16:20], "big")
    height = int.from_bytes(page.screenshot[20:24], "big")
    assert width == 1280 and height > 3000  # the full page, not just the first screen
    target = os.environ.get("EVALKIT_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / "report.png")


def test_the_browser_check_can_fail(tmp_path, chromium):
    """A broken page is caught: a zero-size chart, a console error, a network request."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><title>bad</title>"
        '<svg class="chart" id="empty" width="0" height="0"></svg>'
        '<script>console.error("boom")</script>'
        '<img src="http://127.0.0.1:9/missing.png" alt="">',
        encoding="utf-8",
    )
    report = inspect_page(bad, chromium)
    assert report.charts == [{"id": "empty", "width": 0, "height": 0, "title": ""}]
    assert "boom" in report.console_errors
    assert report.external_requests == ["http://127.0.0.1:9/missing.png"]


# Smallest chart text a reader can take in on a screen (px). The drawings use 9-13 pt.
MIN_CHART_TEXT_PX = 9


@pytest.fixture(scope="module")
def phone(rendered, chromium):
    return inspect_page(rendered["report.html"], chromium, width=390)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_summary_and_the_scorecard_fit_the_window(page, phone, width):
    seen = page if width == 1280 else phone
    assert seen.width == width
    assert seen.page_width <= width  # the page itself never scrolls sideways
    for section in ("summary", "scorecard"):
        assert seen.overflow[section] <= 0.5, (section, seen.overflow[section])


@pytest.mark.parametrize("width", [1280, 390])
def test_the_quotes_fit_the_window(page, phone, width):
    seen = page if width == 1280 else phone
    assert seen.overflow["quotes"] <= 0.5, seen.overflow["quotes"]


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_text_is_never_smaller_than_the_minimum(page, phone, width):
    seen = page if width == 1280 else phone
    assert set(seen.chart_text_px) == set(CHART_IDS)
    for chart, size in seen.chart_text_px.items():
        assert size >= MIN_CHART_TEXT_PX, (width, chart, size)


def test_phone_screenshot_is_saved(phone, tmp_path):
    assert int.from_bytes(phone.screenshot[16:20], "big") == 390
    target = os.environ.get("EVALKIT_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "report-phone.png").write_bytes(phone.screenshot)
