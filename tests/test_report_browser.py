"""The HTML report in a real browser: headless Chromium (Debian's, driven by Python playwright).

It renders a report of a small synthetic run with real matplotlib figures and checks that every
section is visible, every image decoded (naturalWidth > 0), the page requested nothing but its own
file, and the console stayed free of errors. A full-page screenshot goes to pytest's tmp_path and,
when the environment variable SEQCAST_SCREENSHOT names a file, there too.

Chromium: $SEQCAST_CHROMIUM, else `chromium` on PATH, else /usr/bin/chromium (`apt-get install
chromium`; `.ci/run` installs it). Without it (or without playwright) the test is skipped on a
developer machine and FAILS under CI (CI set), so CI never skips it silently.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sample_run import FIGURES, SECTION_IDS, make_run

from seqcast.report import write_report


def _chromium() -> str | None:
    for cand in (os.environ.get("SEQCAST_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if cand and Path(cand).is_file():
            return cand
    return None


def _unavailable(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI must run the browser test (.ci/run installs chromium and the test extra)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        _unavailable("chromium not found (apt-get install chromium, or set SEQCAST_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("python playwright not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True)
        yield b
        b.close()


def test_report_renders_in_chromium(browser, tmp_path):
    make_run(tmp_path / "run")
    report = write_report(tmp_path / "run")
    url = report.resolve().as_uri()

    requests, blocked, problems = [], [], []
    context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=1)

    def guard(route):  # anything but the file itself would leave the machine: record it and refuse it
        blocked.append(route.request.url)
        route.abort()

    context.route(lambda u: u != url and not u.startswith("data:"), guard)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SEQCAST_SCREENSHOT"):
        target = Path(os.environ["SEQCAST_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    (tmp_path / "requests.log").write_text("\n".join(u[:120] for u in requests) + "\n")
    print(f"\nscreenshot: {shot}\nrequests ({len(requests)}):", *(u[:100] for u in requests), sep="\n  ")

    for sid in SECTION_IDS:
        assert page.locator(f"section#{sid}").is_visible(), sid
        assert page.locator(f"section#{sid} > h2").is_visible(), sid
    assert page.locator("#leak-warning").is_visible()
    assert page.locator("#fit-warnings").is_visible()  # run.json's warnings, above the sections

    imgs = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth, e.naturalHeight, e.clientWidth])")
    assert len(imgs) == len(FIGURES) + 1, imgs  # the run's figures and the training-loss plot
    for alt, complete, nw, nh, cw in imgs:
        assert complete and nw > 0 and nh > 0 and cw > 0, (alt, nw, nh, cw)
    svgs = page.eval_on_selector_all("svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
    assert all(w > 0 and h > 0 for w, h in svgs), svgs

    assert not blocked, f"the report tried to load {blocked}"
    assert all(u == url or u.startswith("data:") for u in requests), requests
    assert not problems, problems
    context.close()


def test_missing_browser_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _unavailable("no chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser test"):
        _unavailable("no chromium")


def test_report_fits_a_phone_screen(browser, tmp_path):
    # at 390 px a backtest's wide leaderboard and a long command line widened the whole page (876 px): every
    # section had to be scrolled sideways. Wide tables now scroll in their own box; text wraps.
    run = make_run(tmp_path / "run")
    run["leaderboard"] = [{**r, **{k: 1.0 for k in ("smape", "rmsse", "mape", "fit_s", "coverage_80", "coverage_n_80",
                                                    "coverage_95", "coverage_n_95")}} for r in run["leaderboard"]]
    run["command"] = "seqcast backtest long.csv --models " + ",".join(["gru", "lstm", "naive", "snaive", "drift", "window_average"] * 3)
    run["data"]["name"] = "/data/" + "x" * 120 + ".csv"
    (tmp_path / "run" / "run.json").write_text(json.dumps(run))
    url = write_report(tmp_path / "run").resolve().as_uri()
    context = browser.new_context(viewport={"width": 390, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    page.goto(url, wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    boxes = page.eval_on_selector_all("#leaderboard .wide", "els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert len(boxes) == 1 and boxes[0][0] > boxes[0][1]  # the table is wider than its box: that box scrolls
    context.close()
