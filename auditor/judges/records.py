"""Read a CSV or JSONL of recorded responses for `auditor judge` / `auditor judge-eval`.

Rows keep their file order (the output is written one object per input row, in order),
and a missing column is a one-line error that lists the columns the file does have.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import AuditorError


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """All rows of a .csv / .jsonl / .json-lines file, and its column names (first-seen order)."""
    if not path.exists():
        raise AuditorError(f"{path}: no such file; give a CSV or JSONL of recorded responses")
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    return _read_jsonl(path)


def _read_csv(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    csv.field_size_limit(sys.maxsize)  # responses can be very long
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [dict(row) for row in reader]
            columns = list(reader.fieldnames or [])
    except UnicodeDecodeError:
        raise AuditorError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except csv.Error as exc:
        raise AuditorError(f"{path}: unreadable CSV ({exc}); check quoting") from None
    return rows, columns


def _read_jsonl(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise AuditorError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AuditorError(f"{path}:{line_no}: bad JSON ({exc.msg}); one JSON object per line, or use a .csv file") from None
        if not isinstance(row, dict):
            raise AuditorError(f"{path}:{line_no}: each line must be a JSON object")
        rows.append(row)
        columns.update(dict.fromkeys(row))
    return rows, list(columns)


def require_columns(path: Path, columns: list[str], wanted: Iterable[tuple[str, str | None]]) -> None:
    """Raise one line naming the missing column(s), the flag that named each, and the columns that exist."""
    for flag, name in wanted:
        if name is not None and name not in columns:
            have = ", ".join(columns) if columns else "(none: the file is empty)"
            raise AuditorError(f"{path}: no column '{name}' (from {flag}); columns: {have}")


def text_or_none(value: Any) -> str | None:
    """A cell as text; None for a missing value (JSON null), so the judge can call it an error."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
