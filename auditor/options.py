"""What defines one audit: the options every entry point builds (CLI flags, schedule configs).

Kept apart from `auditor.audit` (which runs audits) and `auditor.tasks` (which builds
Inspect tasks from these options) so both can import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.judges import DEFAULT_JUDGE, JUDGES
from auditor.models.presets import resolve_model
from auditor.suites.builtin import DEFAULT_SUITE


@dataclass
class AuditOptions:
    """Everything that defines one audit (CLI flags and schedule configs both build this)."""

    original: str
    suspect: str
    suites: list[str] = field(default_factory=lambda: [DEFAULT_SUITE])
    judge: str | None = None  # a judge name, or a model spec for the rubric LLM judge
    limit: int | None = None
    log_dir: Path = Path("reports/logs")
    # Where the original's logs go when kept apart from the suspect's (default: log_dir). See run_audit.
    original_log_dir: Path | None = None
    out_dir: Path = Path("reports/latest")
    categories: list[str] | None = None
    language: str | None = None
    extra_tasks: list[str] = field(default_factory=list)  # e.g. ["jailbreaks", "identity"]
    attacks: list[str] | None = None  # jailbreak families to run (default: all)
    jailbreak_per_category: int | None = None  # harmful prompts per category under each attack
    max_connections: int | None = None
    max_samples: int | None = None
    # Where the audit's eval_set units run: "local" (this process) or "ray" (tasks on a Ray cluster; auditor.executors)
    executor: str = "local"
    ray_address: str | None = None  # with executor "ray": the cluster to join (default: start or join a local instance)
    display: str = "none"
    description: str | None = None  # what was compared, said plainly in outputs (e.g. the embedded default)
    report_options: dict[str, Any] = field(default_factory=dict)
    eval_args: dict[str, Any] = field(default_factory=dict)
    preflight: bool = True
    # Send each category's pairs in rounds and stop it once an always-valid test decides it (auditor.rounds)
    sequential: bool = False


@dataclass
class JudgeChoice:
    """The judge name to put in the tasks and, for the LLM judge, the grader model role."""

    name: str
    grader: str | None = None


def choose_judge(judge: str | None) -> JudgeChoice:
    """`--judge offline` names a judge; `--judge openai/gpt-4o` means the LLM judge with that grader."""
    if judge is None:
        return JudgeChoice(DEFAULT_JUDGE)
    if judge.startswith("cascade:") and "cascade" in JUDGES:  # `cascade:openai/gpt-4o`: offline first, that grader when unsure
        return JudgeChoice("cascade", grader=resolve_model(judge.split(":", 1)[1]))
    if judge in ("llm", "cascade"):
        raise ConfigError(f"--judge {judge} needs a grader model: use --judge MODEL for the LLM judge or --judge cascade:MODEL (e.g. openai/gpt-4o)")
    if judge in JUDGES:
        return JudgeChoice(judge)
    if "/" in judge:
        if "llm" not in JUDGES:
            raise ConfigError(f"--judge {judge}: the LLM judge is not available in this installation")
        return JudgeChoice("llm", grader=resolve_model(judge))
    raise ConfigError(f"unknown judge '{judge}': use one of {', '.join(JUDGES)} or a grader model spec such as openai/gpt-4o")


# Whole-number options and the least value each accepts (0 connections would wait forever;
# a negative limit would mean "all but the last N" to Inspect; 0 samples is no audit at all).
POSITIVE_OPTIONS: dict[str, str] = {
    "limit": "--limit",
    "max_connections": "--max-connections",
    "max_samples": "--max-samples",
    "jailbreak_per_category": "--jailbreak-per-category",
}


def check_positive(value: object, flag: str) -> None:
    """A whole number of at least 1 (None: not given), else a one-line ConfigError naming the flag."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{flag} must be a whole number of at least 1, got {value!r}")


def check_output_dir(path: Path | None, flag: str) -> None:
    """A folder that exists or can be created (not an existing file, not under one, writable)."""
    if path is None or "://" in str(path):  # an fsspec URL (s3://...): its store says what it can hold
        return
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{flag} {path} is an existing file; name a folder (it is created if missing)")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{flag} {path}: {existing} is a file, so the folder cannot be created there; name another folder")
    import os

    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{flag} {path}: {existing} is not writable; name a folder you can write to")


def check_options(options: AuditOptions) -> None:
    """Range- and path-check an audit's options before anything runs (CLI flags and schedule configs alike)."""
    for name, flag in POSITIVE_OPTIONS.items():
        check_positive(getattr(options, name), flag)
    if not options.suites:
        raise ConfigError("no suite to audit; pass --suite NAME_OR_FILE (see `auditor suites`)")
    check_output_dir(options.out_dir, "--out")
    check_output_dir(options.log_dir, "--log-dir")
    check_output_dir(options.original_log_dir, "original log folder")
