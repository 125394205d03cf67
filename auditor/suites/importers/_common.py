"""What every importer shares: reading a source CSV by column name, with file:line:field errors.

Public benchmarks are fetched in slightly different shapes (a UTF-8 BOM, CRLF line
ends, an unnamed pandas index column, lower-cased headers from a dataset viewer), so
columns are matched by name, case-insensitively, and unknown columns are ignored. A
missing column, an empty required cell or a row with too many cells stops the import
with the file, the line and the column, because a silently skipped or mislabelled
prompt would make the audit that uses the suite indefensible.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from auditor.errors import SuiteError
from auditor.suites.schema import SuiteRecord

# Some HarmBench contexts are long; lift the csv module's 128 KiB field cap.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class SourceRow:
    """One data row: where it starts in the file and its cells by canonical column name."""

    path: Path
    line: int
    cells: dict[str, str]
    headers: dict[str, str]  # canonical name -> the header as written in the file

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def require(self, name: str) -> str:
        """A non-empty cell, or a SuiteError naming file, line and column."""
        value = self.get(name)
        if not value:
            raise self.error(name, "empty cell; every row needs a value here")
        return value

    def error(self, name: str, message: str) -> SuiteError:
        return SuiteError(f"{self.path}:{self.line}: field '{self.headers.get(name, name)}': {message}")


@dataclass
class ImportResult:
    """The records an importer produced and what it left out (and why), for the user to see."""

    kind: str
    records: list[SuiteRecord]
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def check_source_file(path: Path, what: str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise SuiteError(f"{path}: {what} file not found; pass the path of the downloaded CSV")
    if not path.is_file():
        raise SuiteError(f"{path}: not a file; pass the {what} CSV itself")
    if path.suffix.lower() not in (".csv", ".tsv"):
        raise SuiteError(f"{path}: expected the {what} CSV file (got '{path.suffix or 'no extension'}'); export or download it as CSV")
    return path


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lstrip("\ufeff").lower()).strip("_")


def read_source_csv(
    path: Path,
    what: str,
    required: dict[str, tuple[str, ...]],
    optional: dict[str, tuple[str, ...]] | None = None,
) -> Iterator[SourceRow]:
    """Rows of a source CSV with cells under canonical names.

    `required` / `optional` map a canonical name to the header spellings accepted for it
    (compared after lower-casing and collapsing punctuation to `_`).
    """
    path = check_source_file(path, what)
    optional = optional or {}
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                raise SuiteError(f"{path}: empty file; expected a {what} CSV with a header row") from None
            positions = {_normalise(h): i for i, h in reversed(list(enumerate(header)))}
            columns: dict[str, int] = {}
            headers: dict[str, str] = {}
            for canonical, spellings in {**required, **optional}.items():
                for spelling in (canonical, *spellings):
                    if _normalise(spelling) in positions:
                        columns[canonical] = positions[_normalise(spelling)]
                        headers[canonical] = header[columns[canonical]].strip().lstrip("\ufeff")
                        break
            missing = [name for name in required if name not in columns]
            if missing:
                expected = ", ".join(required[m][0] if required[m] else m for m in missing)
                found = ", ".join(h.strip() for h in header) or "none"
                raise SuiteError(
                    f"{path}:1: field '{expected.split(', ')[0]}': missing column for a {what} file "
                    f"(needs {expected}; found {found}); is this the right file and KIND?"
                )
            last_line = reader.line_num
            line = last_line + 1
            for cells in reader:
                start, last_line = last_line + 1, reader.line_num
                line = start
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    raise SuiteError(
                        f"{path}:{start}: field '(row)': {len(cells)} cells but the header has {len(header)} columns; "
                        "check the quoting of this row"
                    )
                values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
                yield SourceRow(path, start, values, headers)
                line = reader.line_num + 1  # where the next row starts, for a csv.Error while reading it
    except UnicodeDecodeError as exc:
        raise SuiteError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    except csv.Error as exc:
        raise SuiteError(f"{path}:{line}: field '(row)': malformed CSV ({exc})") from None
    except OSError as exc:
        raise SuiteError(f"{path}: cannot read file ({exc.strerror})") from None


def slug(label: str) -> str:
    """A source category as a category id: lower case, words joined by `_` ("Physical harm" -> "physical_harm").

    Kept recognisable (it is the source's own label) but safe in `--categories a,b` lists.
    """
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_") or "uncategorised"


def map_category(label: str, mapping: dict[str, str]) -> str:
    """The project category for a source label when the mapping is sound, else the label itself (slugged).

    `mapping` is keyed by the slugged source label, so spacing and case variants still match.
    """
    return mapping.get(slug(label), slug(label))


def check_unique_ids(records: list[SuiteRecord], lines: list[int], path: Path, column: str) -> None:
    seen: dict[str, int] = {}
    for record, line in zip(records, lines):
        if record.id in seen:
            raise SuiteError(f"{path}:{line}: field '{column}': duplicate id '{record.id}' (first on line {seen[record.id]})")
        seen[record.id] = line
