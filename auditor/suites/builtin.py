"""Built-in suites: the repository's `datasets/` folder, shipped inside the package as `auditor/datasets/`.

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
IDENTITY_SUITE = "identity"  # the identity probes (`--tasks identity`)


PACKAGED_DATASETS = Path(__file__).resolve().parents[1] / "datasets"  # in a built wheel (setup.py copies them)
CHECKOUT_DATASETS = Path(__file__).resolve().parents[2] / "datasets"  # an editable install's checkout


def datasets_dir() -> Path:
    """Where built-in suites live: $AUDITOR_DATASETS (an override), else the installed package's copy,
    else the checkout's datasets/ folder (editable installs)."""
    override = os.environ.get("AUDITOR_DATASETS")
    if override:
        return Path(override)
    if (PACKAGED_DATASETS / BUILTIN_SUITES[DEFAULT_SUITE]).is_file():
        return PACKAGED_DATASETS
    return CHECKOUT_DATASETS


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
