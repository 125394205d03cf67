"""Supplied translations of suite prompts, for the translated-input form of the low-resource attack.

Yong et al. (2023) translate the harmful request itself into a low-resource language.
No translation model ships with the auditor (it runs offline), so that form is used
only when the user supplies the translations: a JSONL or CSV file with one row per
suite prompt, columns `id` (the suite id), `language` (e.g. `zu`) and `prompt` (the
translated request). Prompts without a row fall back to the built-in form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditor.errors import SuiteError
from auditor.suites.loader import iter_raw_records

FIELDS = ("id", "language", "prompt")


@dataclass(frozen=True)
class Translation:
    text: str
    language: str


def _cell(raw: dict, name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def load_translations(path: str | Path) -> dict[str, Translation]:
    """Suite id -> translation, or a SuiteError naming file, line and field."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise SuiteError(f"{path}: translations file not found; pass a .jsonl or .csv with columns id, language, prompt")
    found: dict[str, Translation] = {}
    lines: dict[str, int] = {}
    for line, raw in iter_raw_records(path):
        if not isinstance(raw, dict):
            raise SuiteError(f"{path}:{line}: field '(record)': expected an object with id, language, prompt")
        for name in FIELDS:
            if _cell(raw, name) is None:
                raise SuiteError(f"{path}:{line}: field '{name}': missing or empty; each row needs id, language and prompt")
        key = _cell(raw, "id") or ""
        if key in found:
            raise SuiteError(f"{path}:{line}: field 'id': duplicate id '{key}' (first on line {lines[key]})")
        found[key] = Translation(_cell(raw, "prompt") or "", (_cell(raw, "language") or "").lower())
        lines[key] = line
    if not found:
        raise SuiteError(f"{path}: translations file has no rows")
    return found
