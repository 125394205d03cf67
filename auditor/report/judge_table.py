"""The judge-reliability section as readable tables: plain labels, formatted figures, and where each came from.

The figures come from `auditor.judges.reliability` (a shipped file measured on held-out
human labels, or a team's own file), whose keys change as the judges are reworked. So
nothing here depends on particular keys: known keys get a plain label, any other key is
turned into words (`missed_harm_rate` -> "Missed harm rate"); a mapping of mappings
becomes a matrix, any other mapping a two-column table; and every figure carries the
source it was measured on (the data set or method named beside it, and the file).
"""

from __future__ import annotations

import re
from typing import Any

from auditor.report import format as fmt

# Keys that describe where figures come from rather than being figures themselves.
SOURCE_KEYS = ("dataset", "data", "method", "source", "measured_on")
NOTE_KEYS = ("note", "notes", "caveat")
SUMMARY_KEYS = ("summary",)  # the measurement's own sentence, shown above the table
SKIPPED_KEYS = ("judge", *SOURCE_KEYS, *NOTE_KEYS, *SUMMARY_KEYS)

LABELS: dict[str, str] = {
    "n": "Responses compared with human labels",
    "accuracy": "Agreement with human labels (accuracy)",
    "accuracy_ci95": "Accuracy, 95% confidence interval",
    "accuracy 95% ci": "Accuracy, 95% confidence interval",
    "kappa": "Cohen's kappa (agreement beyond chance)",
    "missed_harm_rate": "Missed harm: harmful answers the judge passed as harmless",
    "false_harm_rate": "False harm: harmless answers the judge flagged as harmful",
    "refusal_accuracy": "Refusal labels: accuracy",
    "refusal_kappa": "Refusal labels: Cohen's kappa",
    "false_refusal_rate": "False refusal: answers that complied, judged refusals",
    "missed_refusal_rate": "Missed refusal: refusals judged as complying",
    "unscored": "Answers the judge could not score",
    "labels": "What the human labels mark",
    "per_class": "Per class",
    "confusion": "Confusion matrix (rows: human label; columns: the judge's label)",
    "by_language": "By language",
    "zh_grouped_cv": "Chinese, grouped cross-validation",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "support": "Responses",
    "folds": "Folds",
    "en": "English",
    "zh": "Chinese",
    "not_harmful": "Not harmful",
    "harmful": "Harmful",
}
LABEL_VALUES = {
    "harm": "whether the answer carries out the harmful request",
    "refusal": "whether the answer refuses",
}
WORDS = {"ci95": "95% CI", "ci": "CI", "cv": "cross-validation", "zh": "Chinese", "en": "English", "n": "responses", "f1": "F1", "kappa": "Cohen's kappa"}
_RANGE = re.compile(r"^\s*(0?\.\d+|1(?:\.0+)?)\s*[-–]\s*(0?\.\d+|1(?:\.0+)?)\s*$")
# figures shown as percentages when they are shares between 0 and 1
_SHARE = re.compile(r"rate|accuracy|precision|recall|share|agreement|missed|false|\bci\b|ci95|95%", re.IGNORECASE)


def label(key: Any) -> str:
    """A plain label for a key: the known wording, else the key in words ('missed_harm_rate' -> 'Missed harm rate')."""
    text = str(key)
    if text.lower() in LABELS:
        return LABELS[text.lower()]
    if text.startswith(("label ", "judged ")):  # confusion-matrix axes: 'label harmful', 'judged not_harmful'
        head, _, rest = text.partition(" ")
        return f"{'Human label' if head == 'label' else 'Judged'}: {label(rest).lower()}"
    words = [WORDS.get(w.lower(), w) for w in re.split(r"[_\s]+", text) if w]
    joined = " ".join(words)
    return joined[:1].upper() + joined[1:] if joined else text


def value(key: Any, item: Any) -> str:
    """A figure as a reader expects it: shares as percentages, kappa to two places, counts with separators."""
    name = str(key).lower()
    if isinstance(item, bool) or item is None:
        return fmt.value(item)
    if isinstance(item, str):
        match = _RANGE.match(item)
        if match and _SHARE.search(name):
            return f"{float(match.group(1)) * 100:.1f}% to {float(match.group(2)) * 100:.1f}%"
        return LABEL_VALUES.get(item, item) if name == "labels" else item
    if isinstance(item, int):
        return fmt.count(item)
    if isinstance(item, float):
        if _SHARE.search(name) and 0 <= item <= 1:
            return fmt.pct(item)
        return f"{item:.2f}" if abs(item) < 10 else f"{item:,.0f}"
    if isinstance(item, (list, tuple)):
        return ", ".join(value(key, i) for i in item)
    return str(item)


def _source(metrics: dict[str, Any], inherited: str | None = None) -> str | None:
    """Where a group of figures was measured: the data set or method named beside them, and the file."""
    parts = [str(metrics[k]) for k in ("dataset", "data", "measured_on", "method") if metrics.get(k)]
    where = "; ".join(parts) or inherited
    return where


def _table(key: str, mapping: dict[str, Any], source: str | None) -> dict[str, Any]:
    """One nested mapping as a table: a matrix when its values are mappings, else figure/value rows."""
    own_source = _source(mapping, source) if any(k in mapping for k in SOURCE_KEYS) else source
    figures = {k: v for k, v in mapping.items() if k not in SKIPPED_KEYS}
    if figures and all(isinstance(v, dict) for v in figures.values()):
        columns: list[str] = []
        for inner in figures.values():
            columns += [c for c in inner if c not in columns and c not in SKIPPED_KEYS]
        rows = [(label(name), [value(c, inner.get(c)) for c in columns]) for name, inner in figures.items()]
        return {"title": label(key), "source": own_source, "columns": [label(c) for c in columns], "rows": rows}
    rows = [(label(k), [value(k, v)]) for k, v in figures.items() if not isinstance(v, dict)]
    return {"title": label(key), "source": own_source, "columns": ["Value"], "rows": rows}


def _plain_keys(text: str, metrics: dict[str, Any]) -> str:
    """A note that names other figures by key ('see by_language') names them by their labels instead."""
    for key in sorted((k for k in metrics if "_" in k), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(key)}\b", f"'{label(key)}'", text)
    return text


def reliability_table(entry: dict[str, Any]) -> dict[str, Any]:
    """One judge's reliability for display: a sentence, a figure/value/source table, nested tables, notes."""
    metrics = entry.get("metrics") or {}
    source = _source(metrics)
    file = metrics.get("source")
    rows = []
    tables = []
    for key, item in metrics.items():
        if key in SKIPPED_KEYS:
            continue
        if isinstance(item, dict):
            if item:
                tables.append(_table(key, item, source))
            continue
        rows.append({"figure": label(key), "value": value(key, item), "source": source or "–"})
    notes = [_plain_keys(str(metrics[k]), metrics) for k in NOTE_KEYS if metrics.get(k)]
    sentence = next((str(metrics[k]) for k in SUMMARY_KEYS if isinstance(metrics.get(k), str) and metrics[k]), None)
    if sentence is None and isinstance(metrics.get("accuracy"), (int, float)) and metrics.get("n"):
        kappa = f", Cohen's kappa {metrics['kappa']:.2f}" if isinstance(metrics.get("kappa"), (int, float)) else ""
        on = f" ({source})" if source else ""
        sentence = f"Agreed with human labels on {metrics['accuracy'] * 100:.1f}% of {metrics['n']:,} held-out responses{kappa}{on}."
    sources = {row["source"] for row in rows}
    return {
        "judge": entry.get("judge"),
        "measured": bool(entry.get("measured")),
        "sentence": sentence,
        "source": sources.pop() if len(sources) == 1 else None,  # shared by every row: said once, above the table
        "file": str(file) if file else None,
        "rows": rows,
        "tables": tables,
        "notes": notes,
    }
