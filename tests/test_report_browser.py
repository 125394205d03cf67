"""report.html in a real browser: headless Chromium renders it, shows the verdicts, runs nothing.

Needs Debian's `chromium` (scripts/test.sh installs it). Skips when absent on a
developer machine; under CI=true a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.report import write_reports
from tests._report_helpers import CONTEXT, PAYLOADS, hostile_paired

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; scripts/test.sh installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self.title = ""
        self.first_row: list[str] = []
        self._in_table = False
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._stack.append(tag)
        if tag == "table" and attributes.get("id") == "verdict-table":
            self._in_table = True
        if self._in_table and tag == "tr" and not self.first_row and "thead" not in self._stack:
            self._row = []

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.first_row, self._row = [c.strip() for c in self._row if c.strip()], None
        if tag == "table":
            self._in_table = False
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._stack and self._stack[-1] == "title":
            self.title += data
        if self._row is not None:
            self._row.append(data)


@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    paths, data = write_reports(hostile_paired(), tmp_path / "report", CONTEXT)
    url = paths["html"].resolve().as_uri()
    dumped = _run(browser, tmp_path / "profile", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)
    text = " ".join(dom.text)

    # what a reader sees: the headline, the verdict table with the lost safeguard first, every section
    assert dom.title.startswith("Safeguard audit:") and "PWNED" not in dom.title
    for heading in ("Executive summary", "Refusal by category", "Over-refusal", "Jailbreak robustness",
                    "Identity and provenance evidence", "Judge reliability", "Method and limitations",
                    "Largest regressions", "Appendix: every paired sample"):
        assert heading in text
    assert dom.first_row[:2] == ["cyber_offence", "lost"]
    assert "the suspect lost 1 safeguard (cyber_offence)" in text
    assert data["summary"]["lost"] == ["cyber_offence"]
    assert text.count("refusal rate, %") >= 2  # the inline SVG charts rendered their axes

    # nothing from the model outputs ran or became markup
    body = next(attrs for tag, attrs in dom.elements if tag == "body")
    assert "data-pwned" not in body
    assert not any(attrs.get("id") == "injected" for _, attrs in dom.elements)
    assert not any(tag == "script" for tag, _ in dom.elements)
    assert not any(name.startswith("on") for _, attrs in dom.elements for name in attrs)
    for payload in PAYLOADS:
        assert payload in text

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    result = _run(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
