"""Built-in suites shipped in the repository's `datasets/` folder.

A suite argument is either one of these names or a path; resolving both here keeps
`auditor audit --suite`, the Inspect task parameter and `auditor suites` consistent.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.errors import SuiteError

# name -> file name inside datasets/
BUILTIN_SUITES: dict[str, str] = {
    "core": "core_en.jsonl",
    "core-zh": "core_zh.jsonl",
    "identity": "identity.jsonl",
}

DEFAULT_SUITE = "core"


def datasets_dir() -> Path:
    """Where built-in suites live: $AUDITOR_DATASETS, else the checkout's datasets/ folder."""
    override = os.environ.get("AUDITOR_DATASETS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "datasets"


def builtin_suites() -> dict[str, Path]:
    """Built-in suite names mapped to their files."""
    root = datasets_dir()
    return {name: root / filename for name, filename in BUILTIN_SUITES.items()}


def resolve_suite(suite: str | Path) -> Path:
    """A built-in name or a path -> an existing file path (or a SuiteError that says which names exist)."""
    text = str(suite)
    suites = builtin_suites()
    if text in suites:
        return suites[text]
    path = Path(text).expanduser()
    if path.exists() or path.suffix.lower() in (".jsonl", ".csv", ".json", ".ndjson"):
        return path
    raise SuiteError(f"unknown suite '{text}': not a built-in ({', '.join(suites)}) and no such file; run `auditor suites` to list them")


def suite_label(suite: str | Path) -> str:
    """A short stable name for reports: the built-in name, or the file's stem."""
    text = str(suite)
    if text in BUILTIN_SUITES:
        return text
    return Path(text).stem
