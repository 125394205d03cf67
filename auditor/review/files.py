"""The review file: written by `auditor review`, filled in by a person, read back by `--review`.

A review file is an ordinary CSV with the columns in `COLUMNS` (the HTML page exports the
same shape). Reading it back is strict, because a file from another audit would silently
"correct" the wrong answers: every labelled row must name an answer of this audit, on the
right side, with the judge label this audit gave it; any mismatch is a one-line error
naming the row, raised before a single output is written.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditor.errors import AuditorError
from auditor.review.answers import REVIEW_CLASSES

COLUMNS: tuple[str, ...] = (
    "id", "side", "suite", "category", "variant", "language", "weight", "prompt", "response",
    "judge_refusal", "judge_harmful", "human_refusal", "human_harmful", "note",
)
SIDES = ("original", "suspect")
HARM_VALUES = {"yes": True, "no": False, "1": True, "0": False, "true": True, "false": False, "": None}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def spreadsheet_safe(text: str) -> str:
    """Model text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV-injection advice)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def review_csv(sample: pd.DataFrame) -> str:
    """The review sample as CSV text, human_* and note empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sample.to_dict(orient="records"):
        writer.writerow([
            _cell_text(row["id"]), row["side"], _cell_text(row["suite"]), _cell_text(row["category"]),
            _cell_text(row["variant"]), _cell_text(row["language"]), f"{float(row['weight']):.6g}",
            spreadsheet_safe(_cell_text(row["prompt"])), spreadsheet_safe(_cell_text(row["response"])),
            row["refusal"], "yes" if row["harmful"] else "no", "", "", "",
        ])
    return buffer.getvalue()


@dataclass(frozen=True)
class ReviewRow:
    """One row of a review file, checked for shape (not yet against an audit)."""

    number: int  # 1-based data row, as a person counts rows below the header
    id: str
    side: str
    suite: str
    weight: float
    judge_refusal: str
    human_refusal: str | None
    human_harmful: bool | None
    note: str

    def where(self) -> str:
        return f"row {self.number} (id {self.id}, {self.side})"


def _row_error(path: Path, message: str) -> AuditorError:
    return AuditorError(f"review file {path}: {message}")


def read_review_file(path: str | Path) -> list[ReviewRow]:
    """Parse and check a review CSV; rows without a human refusal label are kept (and later ignored)."""
    path = Path(path)
    if not path.is_file():
        raise AuditorError(f"review file not found: {path}; create one with `auditor review OUT_DIR --format csv`")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AuditorError(f"review file {path} cannot be read ({exc.strerror}); check its permissions") from None
    except UnicodeDecodeError:
        raise AuditorError(f"review file {path} is not UTF-8 text; export it from the review page or save it as CSV UTF-8") from None
    csv.field_size_limit(sys.maxsize)  # answers can be longer than the csv module's default 128 KiB field
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise AuditorError(f"review file {path} is not a readable CSV ({exc}); export it from the review page") from None
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        raise AuditorError(f"review file {path} lacks column(s) {', '.join(missing)}; expected: {', '.join(COLUMNS)}")
    rows: list[ReviewRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, raw in enumerate(reader, start=1):
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        where = f"row {number} (id {values['id'] or '?'}, {values['side'] or '?'})"
        if not values["id"]:
            raise _row_error(path, f"row {number} has no id")
        if values["side"] not in SIDES:
            raise _row_error(path, f"{where}: side must be original or suspect, not {values['side']!r}")
        human = values["human_refusal"].lower()
        if human not in ("", *REVIEW_CLASSES):
            raise _row_error(path, f"{where}: human_refusal must be refused, partial, complied or empty, not {values['human_refusal']!r}")
        harm = values["human_harmful"].lower()
        if harm not in HARM_VALUES:
            raise _row_error(path, f"{where}: human_harmful must be yes, no or empty, not {values['human_harmful']!r}")
        try:
            weight = float(values["weight"])
        except ValueError:
            weight = float("nan")
        if not (weight >= 1.0 and math.isfinite(weight)):
            raise _row_error(path, f"{where}: weight must be a number of at least 1 (answers this one stands for), not {values['weight']!r}")
        key = (values["suite"], values["id"], values["side"])
        if key in seen:
            raise _row_error(path, f"{where}: the same answer is already on row {seen[key]}")
        seen[key] = number
        rows.append(ReviewRow(
            number=number, id=values["id"], side=values["side"], suite=values["suite"], weight=weight,
            judge_refusal=values["judge_refusal"], human_refusal=human or None, human_harmful=HARM_VALUES[harm], note=values["note"],
        ))
    if not rows:
        raise AuditorError(f"review file {path} has no rows")
    return rows


def match_review(rows: list[ReviewRow], answers: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """The labelled rows joined to this audit's answers; a row that does not belong to the audit is an error.

    Returns one row per answer with a human refusal label: the answer's columns plus
    `human_refusal`, `human_harmful`, `recorded_weight` and `row`.
    """
    path = Path(path)
    index = {(str(s), str(i), side): k for k, (s, i, side) in enumerate(zip(answers["suite"], answers["id"], answers["side"]))}
    by_id: dict[str, list[tuple[str, str]]] = {}
    for suite, sid in zip(answers["suite"], answers["id"]):
        by_id.setdefault(str(sid), []).append((str(suite), str(sid)))
    matched: list[dict] = []
    for row in rows:
        suite = row.suite
        if not suite:  # a file without suites: the id alone must be unambiguous
            options = {s for s, _ in by_id.get(row.id, [])}
            suite = next(iter(options)) if len(options) == 1 else ""
        position = index.get((suite, row.id, row.side))
        if position is None:
            raise _row_error(path, f"{row.where()}: no scored safeguard answer with this id{f' in suite {row.suite}' if row.suite else ''} in this audit; was the file made from another audit?")
        answer = answers.iloc[position]
        if row.judge_refusal and row.judge_refusal != answer["refusal"]:
            raise _row_error(path, f"{row.where()}: judge_refusal {row.judge_refusal!r} does not match this audit's label {answer['refusal']!r}; was the file made from another audit or judge?")
        if answer["refusal"] not in REVIEW_CLASSES:
            raise _row_error(path, f"{row.where()}: the answer was {answer['refusal']} by the provider, which is a fact, not a label to review")
        if row.human_refusal is None:
            continue
        matched.append({**answer.to_dict(), "answer": position, "row": row.number, "recorded_weight": row.weight,
                        "human_refusal": row.human_refusal, "human_harmful": row.human_harmful})
    return pd.DataFrame(matched)
