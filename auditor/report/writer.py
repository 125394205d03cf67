"""Write an audit's outputs (report.json, report.html, report.md) from paired samples.

Each output is written to a temporary file and renamed into place, so an interrupted
write never leaves a truncated report beside the logs it was built from. report.json
is the complete record; the HTML and Markdown are views of the same data, so they can
never disagree with it.
"""

from __future__ import annotations

import importlib
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor.compare import analyse, annotate_suite_capacity
from auditor.errors import ConfigError
from auditor.results import PER_MODEL, PairedSamples, gc_paused
from auditor.storage import atomic_write_text
from auditor.verdicts import Thresholds

REPORT_VERSION = "2"
FORMATS = ("json", "html", "md")
FILENAMES = {"json": "report.json", "html": "report.html", "md": "report.md"}
# what audit.build_outputs passes; absent keys are recorded as null so every report has the same shape
CONTEXT_KEYS = ("judge", "grader", "log_dir", "complete", "problem", "description", "suites", "suite_pairs")
THRESHOLD_KEYS = ("alpha", "lost_drop", "retain_margin", "correction")
OPTIONS = {"show_harmful", "appendix_chars", "formats", "thresholds", "review", *THRESHOLD_KEYS}


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def sample_entries(paired: pd.DataFrame) -> list[dict[str, Any]]:
    """report.json's `samples`: one entry per aligned sample with both models' labels."""
    meta_cols = [c for c in paired.columns if not c.startswith(("original_", "suspect_"))]
    columns = {c: paired[c].astype(object).where(paired[c].notna(), None).tolist() for c in paired.columns}
    entries: list[dict[str, Any]] = []
    for i in range(len(paired)):
        entry = {c: _clean(columns[c][i]) for c in meta_cols}
        for side in ("original", "suspect"):
            entry[side] = {c: _clean(columns[f"{side}_{c}"][i]) if f"{side}_{c}" in columns else None for c in PER_MODEL}
        entries.append(entry)
    return entries


def judge_reliability(judge: Any) -> list[dict[str, Any]]:
    """Measured reliability of each judge named in the logs, or `measured: false` where none exists."""
    names = [str(j) for j in (judge if isinstance(judge, (list, tuple)) else [judge]) if j]
    try:
        module = importlib.import_module("auditor.judges.reliability")
    except ModuleNotFoundError as exc:
        if exc.name not in ("auditor.judges.reliability",):
            raise
        module = None
    entries = []
    for name in names:
        metrics = module.judge_reliability(name) if module is not None else None
        entries.append({"judge": name, "measured": metrics is not None, "metrics": metrics})
    return entries


def thresholds_from(options: dict[str, Any]) -> Thresholds:
    """Verdict thresholds from report options: flat keys or a `thresholds` table (None means the default).

    Raises ConfigError for unknown keys or out-of-range values, so callers (CLI, schedule
    configs) can validate before an audit runs rather than after.
    """
    raw = options.get("thresholds") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"thresholds must be a table of {', '.join(THRESHOLD_KEYS)}, got {raw!r}")
    nested = dict(raw)
    unknown = sorted(set(nested) - set(THRESHOLD_KEYS))
    if unknown:
        raise ConfigError(f"unknown threshold(s) {', '.join(unknown)}; known thresholds: {', '.join(THRESHOLD_KEYS)}")
    merged = {**nested, **{k: options[k] for k in THRESHOLD_KEYS if options.get(k) is not None}}
    defaults = Thresholds()
    values: dict[str, Any] = {}
    for key in THRESHOLD_KEYS:
        value = merged.get(key)
        if value is None:
            value = getattr(defaults, key)
        elif key == "correction":
            value = str(value)
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"threshold {key} must be a number, got {value!r}") from None
        values[key] = value
    return Thresholds(**values)


def validate_report_options(options: dict[str, Any]) -> None:
    """Check report options without writing anything (call before a long audit starts)."""
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ConfigError(f"unknown report option(s) {', '.join(unknown)}; known options: {', '.join(sorted(OPTIONS))}")
    bad = [f for f in (options.get("formats") or FORMATS) if f not in FORMATS]
    if bad:
        raise ConfigError(f"unknown report format(s) {', '.join(map(str, bad))}; use json, html and/or md")
    thresholds_from(options)
    if options.get("review"):  # the file's shape now; its rows are matched to the audit when the report is built
        from auditor.review.files import read_review_file

        read_review_file(options["review"])


def build_report_data(
    paired: PairedSamples, context: dict[str, Any], thresholds: Thresholds | None = None, review: str | Path | None = None
) -> dict[str, Any]:
    """The report as data (what report.json holds); `review`: a labelled review file (auditor review) to correct for judge error."""
    from auditor.report.summary import headline
    from auditor.sensitivity import judge_sensitivity

    analysis = analyse(paired.paired, thresholds)
    # before a sequential audit's verdicts replace the fixed-sample ones the re-reading is compared with
    sensitivity = judge_sensitivity(paired.paired, analysis["categories"], thresholds)
    annotate_suite_capacity(analysis["categories"], context.get("suite_pairs"))  # "more pairs than the suite holds"
    # a sequential audit (auditor.rounds): its always-valid verdicts, decided_at and queries; else `sequential: null`
    from auditor.rounds import apply_sequential, read_state, sequential_headline

    apply_sequential(analysis, paired.paired, read_state(context.get("log_dir")), thresholds or Thresholds())
    data = {
        "report_version": REPORT_VERSION,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{key: None for key in CONTEXT_KEYS},
        **context,
        "original": paired.original,
        "suspect": paired.suspect,
        **analysis,
        "judge_reliability": judge_reliability(context.get("judge")),
        "judge_sensitivity": sensitivity,
        "samples": sample_entries(paired.paired),
        "unpaired": paired.unpaired.to_dict(orient="records"),
    }
    if review:
        from auditor.review.correct import apply_review
        from auditor.review.files import read_review_file

        apply_review(data, paired.paired, read_review_file(review), review, thresholds or Thresholds())
    data["headline"] = headline(data)
    if sequential_headline(data.get("sequential")):
        data["headline"].append(sequential_headline(data["sequential"]))
    return data


def report_json(data: dict[str, Any]) -> str:
    """report.json's text: indented, UTF-8, anything not JSON as its str() (what `json.dumps(indent=2, default=str)` wrote).

    Serialised by pydantic-core (Rust; already installed with Inspect): a fifth of the
    time of the standard library's encoder for a 14 MB report, same content.
    """
    from pydantic_core import to_json

    return to_json(data, indent=2, fallback=str).decode("utf-8")


def write_reports(
    paired: PairedSamples, out_dir: str | Path, context: dict[str, Any], **options: Any
) -> tuple[dict[str, Path], dict[str, Any]]:
    """Write report.json, report.html and report.md into `out_dir`; return their paths and the report data.

    Options: show_harmful (bool); alpha, lost_drop, retain_margin, correction ("holm"|"bh"),
    given flat or as a `thresholds` dict; appendix_chars (int or None for whole answers), formats (subset of json/html/md).
    """
    validate_report_options(options)
    formats = tuple(options.get("formats") or FORMATS)
    out = Path(out_dir)
    with gc_paused():  # tens of thousands of sample entries, no reference cycles (auditor.results.gc_paused)
        data = build_report_data(paired, context, thresholds_from(options), review=options.get("review"))
        texts: dict[str, str] = {}
        if "json" in formats:
            texts["json"] = report_json(data)
        if "html" in formats:
            from auditor.report.html import APPENDIX_CHARS, render_html

            texts["html"] = render_html(data, show_harmful=bool(options.get("show_harmful")), appendix_chars=options.get("appendix_chars", APPENDIX_CHARS))
        if "md" in formats:
            from auditor.report.markdown import render_markdown

            texts["md"] = render_markdown(data)
    paths: dict[str, Path] = {}
    for kind, text in texts.items():
        paths[kind] = out / FILENAMES[kind]
        atomic_write_text(paths[kind], text)
    return paths, data
