"""Importers that turn the standard public safety suites into the auditor's suite format.

`import_suite(kind, path)` returns validated records plus what was left out and why;
`auditor suites import KIND PATH --out FILE` writes them as a JSONL suite. Each module
documents its source's columns, how its categories map onto the project taxonomy
(only where the scopes match; otherwise the source's own category is kept) and how
harmful/benign twins are paired.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from auditor.errors import SuiteError
from auditor.suites.importers._common import ImportResult
from auditor.suites.importers.advbench import import_advbench
from auditor.suites.importers.donotanswer import import_donotanswer
from auditor.suites.importers.harmbench import import_harmbench
from auditor.suites.importers.jbb import import_jbb
from auditor.suites.importers.strongreject import import_strongreject
from auditor.suites.importers.xstest import import_xstest
from auditor.suites.loader import read_suite_file, write_suite_file

# kind -> (importer, one-line description of the expected file)
IMPORTERS: dict[str, tuple[Callable[..., ImportResult], str]] = {
    "harmbench": (import_harmbench, "HarmBench behaviours CSV (harmbench_behaviors_text_*.csv); standard + contextual"),
    "strongreject": (import_strongreject, "StrongREJECT CSV (strongreject_dataset.csv or the small set)"),
    "xstest": (import_xstest, "XSTest prompts CSV (xstest_prompts.csv): safe/unsafe twins"),
    "jbb": (import_jbb, "JailbreakBench JBB-Behaviors harmful-behaviors.csv (+ benign-behaviors.csv beside it)"),
    "advbench": (import_advbench, "AdvBench harmful_behaviors.csv (goal,target)"),
    "donotanswer": (import_donotanswer, "Do-Not-Answer CSV (do_not_answer_en.csv)"),
}
ALIASES = {"do-not-answer": "donotanswer", "dna": "donotanswer", "jailbreakbench": "jbb", "jbb-behaviors": "jbb"}


def import_suite(kind: str, path: str | Path, **options: Any) -> ImportResult:
    """Run the importer for `kind` on `path` (options such as language=, benign= pass through)."""
    name = ALIASES.get(kind.lower(), kind.lower())
    if name not in IMPORTERS:
        raise SuiteError(f"unknown import kind '{kind}'; available: {', '.join(IMPORTERS)}")
    importer = IMPORTERS[name][0]
    accepted = {k: v for k, v in options.items() if v is not None}
    if "benign" in accepted and name != "jbb":
        raise SuiteError("--benign applies to jbb imports only (the JBB benign behaviours file)")
    result = importer(Path(path).expanduser(), **accepted)
    if not result.records:
        raise SuiteError(f"{path}: no prompts imported; is this the right file for '{name}'?")
    return result


def import_to_file(kind: str, path: str | Path, out: str | Path, **options: Any) -> tuple[ImportResult, Path]:
    """Import, write the suite as JSONL, and read it back through the suite validator."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in (".jsonl", ".ndjson"):
        raise SuiteError(f"--out {out}: suites are written as JSONL; name the file *.jsonl")
    result = import_suite(kind, path, **options)
    staging = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        write_suite_file(result.records, staging)
        read_suite_file(staging)  # the same validation every suite load applies
        staging.replace(out)
    finally:
        staging.unlink(missing_ok=True)
    return result, out


__all__ = ["IMPORTERS", "ImportResult", "import_suite", "import_to_file"]
