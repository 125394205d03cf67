"""Read a CSV or JSONL of recorded responses for `auditor judge` / `auditor judge-eval`.

Rows keep their file order (the output is written one object per input row, in order),
and a missing column is a one-line error that lists the columns the file does have.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import AuditorError
from auditor.records import RecordFileError, read_records


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """All rows of a .csv / .jsonl / .json-lines file, and its column names (first-seen order)."""
    try:
        rows, columns = read_records(path)
    except RecordFileError as exc:
        if exc.kind == "missing":
            raise AuditorError(f"{path}: no such file; give a CSV or JSONL of recorded responses") from None
        if exc.kind == "json":
            raise AuditorError(f"{exc.where()}: {exc.detail}; one JSON object per line, or use a .csv file") from None
        if exc.kind == "not_object":
            raise AuditorError(f"{exc.where()}: each line must be a JSON object") from None
        raise AuditorError(exc.default_message()) from None
    return [row for _, row in rows], columns


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
