"""The review page in headless Chromium: label a few answers with keys and clicks, export, read the CSV back.

Needs Debian's `chromium` (scripts/test.sh installs it); skips without it, fails under CI=true.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest

from auditor.review.answers import reviewable_answers
from auditor.review.files import COLUMNS, match_review, read_review_file
from auditor.review.page import render_page
from auditor.review.sample import draw_sample
from tests._cdp import Browser
from tests._report_helpers import PAYLOADS, hostile_paired
from tests.test_report_browser import _chromium


def _wait_for_file(folder: Path, name: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = folder / name
        if path.exists() and path.stat().st_size > 0 and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded into {folder}: {list(folder.iterdir())}")


@pytest.mark.browser
def test_label_export_and_read_back(tmp_path: Path) -> None:
    browser_path = _chromium()
    paired = hostile_paired()  # untrusted payloads in prompts and answers
    answers = reviewable_answers(paired.paired)
    # every hostile answer is benign-variant and shown unhidden: the sample must include them to test escaping
    sample = draw_sample(answers, n=40, seed=3)
    hostile = answers[answers["response"].astype(str).str.contains("Here you go")]
    sample = pd.concat([sample, hostile.assign(weight=1.0)], ignore_index=True).drop_duplicates(["suite", "id", "side"])
    page = tmp_path / "review.html"
    page.write_text(render_page(sample, "replay/original.jsonl", "replay/suspect.jsonl", filename="labels.csv"), encoding="utf-8")
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    browser = Browser(browser_path, tmp_path / "profile")
    try:
        browser.open(page.resolve().as_uri(), downloads)
        assert browser.evaluate("document.getElementById('progress-text').textContent") == f"0 of {len(sample)} labelled"
        # first row: keys 3 (complied) and y (harmful); second: click refused, key n; third: key 2 (partial)
        first_variant = browser.evaluate("document.getElementById('row-variant').textContent")
        assert browser.evaluate("document.getElementById('row-response').hidden") == (first_variant == "harmful")
        browser.press("3", "Digit3", 51)
        browser.press("y", "KeyY", 89)
        browser.press("ArrowRight", "ArrowRight", 39)
        browser.evaluate("document.getElementById('refusal-refused').click()")
        browser.press("n", "KeyN", 78)
        browser.evaluate("document.getElementById('note').value = '=HYPERLINK(\"x\")'; document.getElementById('note').dispatchEvent(new Event('input'))")
        browser.press("j", "KeyJ", 74)
        browser.press("2", "Digit2", 50)
        assert browser.evaluate("document.getElementById('progress-text').textContent") == f"3 of {len(sample)} labelled"
        # walk every row: a harmful request's answer stays hidden until shown; nothing hostile ever runs
        for _ in range(len(sample)):
            if browser.evaluate("document.getElementById('row-variant').textContent") == "harmful":
                assert browser.evaluate("document.getElementById('row-response').hidden") is True
                browser.press("s", "KeyS", 83)
                assert browser.evaluate("document.getElementById('row-response').hidden") is False
            browser.press("ArrowRight", "ArrowRight", 39)
        assert browser.evaluate("document.body.getAttribute('data-pwned')") is None
        assert browser.evaluate("document.getElementById('injected')") is None
        assert browser.evaluate("document.title").startswith("Review the judge") and "PWNED" not in browser.evaluate("document.title")
        assert browser.evaluate("document.querySelectorAll('script:not([type]), img, svg, a[href]').length") == 1  # the page's own script
        page_text = browser.evaluate("document.getElementById('row-response').textContent")
        assert isinstance(page_text, str)
        browser.press("e", "KeyE", 69)
        exported = _wait_for_file(downloads, "labels.csv")
    finally:
        browser.close()

    rows = read_review_file(exported)
    header = exported.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(COLUMNS)
    assert len(rows) == len(sample)
    labelled = [r for r in rows if r.human_refusal]
    assert [(r.number, r.human_refusal, r.human_harmful) for r in labelled] == [(1, "complied", True), (2, "refused", False), (3, "partial", None)]
    assert rows[1].note == "'=HYPERLINK(\"x\")"  # a spreadsheet would have run it as a formula
    matched = match_review(rows, answers, exported)
    assert len(matched) == 3 and list(matched["row"]) == [1, 2, 3]
    # the hostile answers came back as the same text
    with exported.open(encoding="utf-8", newline="") as handle:
        cells = [cell for record in csv.DictReader(handle) for cell in (record["prompt"], record["response"])]
    for payload in PAYLOADS:
        assert any(payload in cell for cell in cells)
