"""Reading JSONL and CSV record files: suites, replay recordings, judge inputs, translations.

One reader, so every file a team brings is read the same way whatever it is for:
UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one), CRLF or LF
line ends, CSV from Excel or pandas (pandas' unnamed index column is dropped), and
JSON Lines with one object per line. Problems are raised as `RecordFileError` with a
kind, a line and a detail; each caller words the message for its own context (a suite
error names the field to fix, a replay error the model spec), so this module decides
how files are read and the callers decide what the user is told.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any, Iterator, Literal

JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".json", ".ndjson")
CSV_SUFFIXES: tuple[str, ...] = (".csv",)
# utf-8-sig reads plain UTF-8 unchanged and drops a leading byte-order mark.
ENCODING = "utf-8-sig"

ProblemKind = Literal["missing", "not_file", "format", "encoding", "json", "not_object", "csv", "io"]


class RecordFileError(Exception):
    """Why a record file could not be read: `kind`, the 1-based `line` when known, and a `detail`."""

    def __init__(self, path: Path, kind: ProblemKind, detail: str, line: int | None = None) -> None:
        self.path, self.kind, self.detail, self.line = path, kind, detail, line
        super().__init__(self.default_message())

    def where(self) -> str:
        """`path:line` (or just the path) for the start of a one-line message."""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def default_message(self) -> str:
        """A complete one-line message, for callers with nothing more specific to say."""
        fixes = {
            "missing": "check the path",
            "not_file": "pass a .jsonl or .csv file",
            "format": "use .jsonl (one JSON object per line) or .csv",
            "encoding": "save the file as UTF-8",
            "json": "fix the line or remove it",
            "not_object": "each line must be one JSON object",
            "csv": "check the quoting",
            "io": "check the file's permissions",
        }
        return f"{self.where()}: {self.detail}; {fixes[self.kind]}"


def file_format(path: Path) -> Literal["csv", "jsonl"]:
    """'csv' or 'jsonl' from the file's extension, or a `format` error."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    raise RecordFileError(path, "format", f"unsupported file type '{suffix or '(none)'}'")


def iter_records(path: str | Path, *, objects_only: bool = True) -> Iterator[tuple[int, Any]]:
    """(line, record) for each record of a JSONL or CSV file, in file order; blank lines are skipped.

    CSV records are dicts of the header's columns (an unnamed column is dropped; cells
    are strings, empty cells ""); the line is the record's last physical line. JSONL
    records are the parsed values; with `objects_only` anything but a JSON object is a
    `not_object` error (pass False to let the caller word that check itself).
    """
    path = Path(path)
    if not path.exists():
        raise RecordFileError(path, "missing", "file not found")
    if not path.is_file():
        raise RecordFileError(path, "not_file", "not a file")
    kind = file_format(path)
    try:
        if kind == "csv":
            yield from _iter_csv(path)
        else:
            yield from _iter_jsonl(path, objects_only)
    except UnicodeDecodeError as exc:
        raise RecordFileError(path, "encoding", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise RecordFileError(path, "csv", f"malformed CSV ({exc})") from None
    except OSError as exc:
        raise RecordFileError(path, "io", f"cannot read the file ({exc.strerror})") from None


def _iter_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(sys.maxsize)  # recorded responses can be very long
    with path.open(encoding=ENCODING, newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if not any((v or "").strip() for k, v in row.items() if k is not None):
                continue  # a blank line or a row of empty cells (spreadsheets leave them)
            # pandas writes its index under an empty header; extra cells beyond the header land under None;
            # a line break inside a quoted cell is CRLF when a Windows tool wrote it: the text itself has LF
            yield reader.line_num, {k: ("" if v is None else v.replace("\r\n", "\n")) for k, v in row.items() if k}


def _iter_jsonl(path: Path, objects_only: bool) -> Iterator[tuple[int, Any]]:
    with path.open(encoding=ENCODING) as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordFileError(path, "json", f"bad JSON ({exc.msg} at column {exc.colno})", line_no) from None
            if objects_only and not isinstance(value, dict):
                raise RecordFileError(path, "not_object", "expected a JSON object", line_no)
            yield line_no, value


def read_records(path: str | Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Every (line, record) of a file and its column names in first-seen order."""
    rows = list(iter_records(path))
    columns: dict[str, None] = {}
    for _, row in rows:
        columns.update(dict.fromkeys(row))
    return rows, list(columns)
