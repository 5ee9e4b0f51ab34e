"""The HTML report in a real headless browser: it renders, logs no console errors, shows `<script>` as text.

Chromium comes from Debian's packages. The session fixture installs it when it is missing and we are
root (as on CI and the developer machines); otherwise the test fails with what to run — it never skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from parrules.campaign.run import campaign_result, spec_for
from parrules.reports import write_report

from ..campaign_data import hand_set, split, unit

EVIL = "<script>alert(1)</script>"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            lock = ["-o", "DPkg::Lock::Timeout=600"]
            subprocess.run(["apt-get", *lock, "update"], check=True, env=env, capture_output=True, timeout=900)
            subprocess.run(["apt-get", *lock, "install", "-y", "chromium"], check=True, env=env,
                           capture_output=True, timeout=1800)
        if not Path(CHROMIUM).exists():
            pytest.fail("the browser test needs Chromium from Debian's packages: run "
                        "`apt-get update && apt-get install -y chromium` as root", pytrace=False)
    return CHROMIUM


def browse(chromium: str, page: Path, tmp_path: Path, *extra: str) -> tuple[str, list[str]]:
    """Load a page headless; return the DOM after load and the console messages Chromium logged."""
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                           *extra, page.as_uri()], capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


@pytest.fixture
def report(tmp_path) -> Path:
    criteria = hand_set(tmp_path)
    subs = [unit("A", split("87.59"), name="Sở Nội vụ"), unit("X", split("83.55"), name=EVIL),
            unit("H", split("71.2"), kind="district", name="Huyện Đắk Mil")]
    data = campaign_result(spec_for(criteria, id="html"), criteria, subs).to_dict()
    return write_report(data, "html", tmp_path / "report.html", vietnamese=True)


def test_console_capture_sees_errors(chromium, tmp_path) -> None:
    """The check below can fail: a page that logs an error is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<p>x</p><script>console.error("hỏng"); missingFunction();</script>', encoding="utf-8")
    _, console = browse(chromium, page, tmp_path, "--dump-dom")
    assert any("hỏng" in line for line in console)
    assert any("missingFunction" in line for line in console)


def test_report_renders_without_console_errors_and_shows_script_as_text(chromium, report, tmp_path) -> None:
    dom, console = browse(chromium, report, tmp_path, "--dump-dom")
    assert console == []
    assert "<table>" in dom and "Huyện Đắk Mil" in dom and "83,55" in dom
    # The unit named <script>…</script> is text in the page, not an element.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert not re.search(r"<script\b", dom, re.IGNORECASE)
    assert dom.count("<svg") == 4


def test_report_screenshot_has_content(chromium, report, tmp_path) -> None:
    shot = tmp_path / "report.png"
    _, console = browse(chromium, report, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    assert console == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600) and len(data) > 20_000
