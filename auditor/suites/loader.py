"""Reading suite files (JSONL or CSV) into validated records.

Any bad record stops the load with `SuiteError("<file>:<line>: field '<f>': ...")`,
because an audit built on a silently skipped or mislabelled prompt is not defensible.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from auditor.errors import SuiteError
from auditor.records import RecordFileError, iter_records
from auditor.suites.schema import RecordProblem, SuiteRecord, validate_record


def suite_file_error(exc: RecordFileError) -> SuiteError:
    """A record-file problem in the loader's words (file:line: field '...': what to do)."""
    if exc.kind == "json":
        return SuiteError(f"{exc.where()}: field '(json)': {exc.detail}; fix the line or remove it")
    if exc.kind == "not_object":
        return SuiteError(f"{exc.where()}: field '(record)': expected a JSON object, one per line")
    if exc.kind == "missing":
        return SuiteError(f"{exc.path}: suite file not found; pass a built-in suite name (see `auditor suites`) or an existing .jsonl/.csv path")
    if exc.kind == "not_file":
        return SuiteError(f"{exc.path}: not a file; pass a .jsonl or .csv suite file")
    if exc.kind == "format":
        return SuiteError(f"{exc.path}: unsupported suite format '{exc.path.suffix}'; use .jsonl or .csv")
    if exc.kind == "encoding":
        return SuiteError(f"{exc.path}: {exc.detail}; save the suite as UTF-8")
    return SuiteError(exc.default_message())


def iter_raw_records(path: Path) -> Iterator[tuple[int, Any]]:
    """Raw (line, mapping) pairs of a suite-shaped JSONL or CSV file (empty CSV cells dropped), in suite wording."""
    try:
        for line, raw in iter_records(path, objects_only=False):
            yield line, ({k: v for k, v in raw.items() if v != ""} if path.suffix.lower() == ".csv" else raw)
    except RecordFileError as exc:
        raise suite_file_error(exc) from None


def _check_pairs(records: list[tuple[int, SuiteRecord]], path: Path) -> None:
    """A pair links exactly one harmful prompt to its benign twin, in one category and language."""
    groups: dict[str, list[tuple[int, SuiteRecord]]] = defaultdict(list)
    for line, record in records:
        if record.pair_id:
            groups[record.pair_id].append((line, record))
    for pair_id, members in groups.items():
        seen: dict[str, int] = {}
        first_line, first = members[0]
        for line, record in members:
            if record.variant in seen:
                raise SuiteError(
                    f"{path}:{line}: field 'variant': pair '{pair_id}' already has a {record.variant} prompt "
                    f"(line {seen[record.variant]}); a pair links one harmful prompt to one benign twin"
                )
            seen[record.variant] = line
            if record.category != first.category:
                raise SuiteError(
                    f"{path}:{line}: field 'category': pair '{pair_id}' mixes categories "
                    f"'{first.category}' (line {first_line}) and '{record.category}'"
                )
            if record.language != first.language:
                raise SuiteError(
                    f"{path}:{line}: field 'language': pair '{pair_id}' mixes languages "
                    f"'{first.language}' (line {first_line}) and '{record.language}'"
                )


def read_suite_file(path: str | Path) -> list[SuiteRecord]:
    """Load and validate every record of one suite file, or raise SuiteError naming file, line and field."""
    path = Path(path)
    records: list[tuple[int, SuiteRecord]] = []
    seen_ids: dict[str, int] = {}
    for line, raw in iter_raw_records(path):
        result = validate_record(raw, line)
        if isinstance(result, RecordProblem):
            raise SuiteError(result.render(str(path)))
        if result.id in seen_ids:
            raise SuiteError(f"{path}:{line}: field 'id': duplicate id '{result.id}' (first on line {seen_ids[result.id]}); ids must be unique in a suite")
        seen_ids[result.id] = line
        records.append((line, result))
    if not records:
        raise SuiteError(f"{path}: suite has no records")
    _check_pairs(records, path)
    return [record for _, record in records]


def load_suite(
    suite: str | Path,
    categories: list[str] | None = None,
    language: str | None = None,
    variants: list[str] | None = None,
) -> list[SuiteRecord]:
    """Resolve a built-in name or a path, load it and keep the requested categories/language/variants."""
    from auditor.suites.builtin import resolve_suite

    records = read_suite_file(resolve_suite(suite))
    if categories:
        wanted = {c.strip() for c in categories if c.strip()}
        known = {r.category for r in records}
        missing = sorted(wanted - known)
        if missing:
            raise SuiteError(f"{suite}: unknown categor{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}; this suite has {', '.join(sorted(known))}")
        records = [r for r in records if r.category in wanted]
    if language:
        records = [r for r in records if r.language == language]
        if not records:
            raise SuiteError(f"{suite}: no prompts in language '{language}'")
    if variants:
        records = [r for r in records if r.variant in variants]
    return records


def write_suite_file(records: list[SuiteRecord], path: str | Path) -> Path:
    """Write records as JSONL (the canonical suite format) and return the path."""
    from auditor.storage import atomic_write_text

    path = Path(path)
    atomic_write_text(path, "".join(json.dumps(record.to_dict(), ensure_ascii=False) + "\n" for record in records))
    return path
