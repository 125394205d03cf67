"""One scheduled pass: discover, audit every new or due model, record, notify, rewrite the index.

Paying for an audit twice is the cost to avoid, so the pass is built on three kinds of reuse:

* a model already audited with the same suite and judge is skipped (the history says so);
* the original's answers live in one shared log folder per (original, suite version, judge),
  so every suspect, in this pass and later ones, reuses them through eval_set's resume
  (`AuditOptions.original_log_dir`);
* each suspect audit's log folder is numbered by how many audits of that suspect are
  recorded, so a pass that was killed midway finds the same folder next time and eval_set
  resumes it, while a deliberate re-audit (suite or judge changed, or `reaudit_after_days`)
  gets a fresh folder and fresh answers.

A lock file in the output folder keeps two passes on one config from running at once.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock, Timeout

from auditor import __version__
from auditor.errors import AuditInterrupted, AuditorError
from auditor.schedule.config import FAIL_ON, ScheduleConfig, resolve_webhook
from auditor.schedule.discovery import Candidate, discover
from auditor.schedule.family import model_family
from auditor.schedule.history import AuditRecord, CategoryResult, History
from auditor.schedule.versions import judge_label, suite_version
from auditor.storage import slug

Printer = Callable[[str], None]


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def due_reason(
    latest: AuditRecord | None, suite_ver: str, judge: str, reaudit_after_days: float | None, now: datetime
) -> str | None:
    """Why a model must be audited now, or None when its latest audit still stands."""
    if latest is None:
        return "new"
    if latest.suite_version != suite_ver:
        return "suite changed"
    if latest.judge != judge:
        return "judge changed"
    if reaudit_after_days is not None:
        age = now - datetime.fromisoformat(latest.finished_at)
        if age >= timedelta(days=reaudit_after_days):
            return f"last audited {age.days} days ago (reaudit_after_days = {reaudit_after_days:g})"
    return None


@dataclass
class PlannedAudit:
    """A model this pass will audit, why, and its audit number (names its folders)."""

    candidate: Candidate
    reason: str
    number: int


def plan(
    config: ScheduleConfig, history: History, candidates: list[Candidate], suite_ver: str, judge: str, now: datetime
) -> tuple[list[PlannedAudit], list[tuple[Candidate, str]]]:
    """Split candidates into audits to run and models skipped (with the reason they stand)."""
    planned: list[PlannedAudit] = []
    skipped: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        latest = history.latest(config.name, candidate.spec, config.original)
        reason = due_reason(latest, suite_ver, judge, config.reaudit_after_days, now)
        if reason is None:
            assert latest is not None
            skipped.append((candidate, f"audited {latest.finished_at} with this suite and judge"))
        else:
            planned.append(PlannedAudit(candidate, reason, history.count(config.name, candidate.spec) + 1))
    return planned, skipped


def original_log_dir(config: ScheduleConfig, suite_ver: str, judge: str) -> Path:
    """The original's shared log folder: one per (original, suite version, judge)."""
    key = hashlib.sha256(f"{suite_ver}\0{judge}".encode()).hexdigest()[:12]
    return config.output / "logs" / "original" / f"{slug(config.original)}-{key}"


def suspect_dirs(config: ScheduleConfig, spec: str, number: int) -> tuple[Path, Path]:
    """(log folder, report folder) of a suspect's audit number `number`."""
    name = slug(spec)
    return config.output / "logs" / "suspects" / name / f"{number:03d}", config.output / "reports" / name / f"{number:03d}"


def _category_label(item: Any) -> str:
    """A summary entry as text: report summaries list category names (or entries with one)."""
    if isinstance(item, dict):
        parts = [str(item.get("category"))]
        parts += [str(item[k]) for k in ("variant", "language") if item.get(k)]
        return "/".join(parts)
    return str(item)


def verdict_summary(data: dict[str, Any]) -> dict[str, list[str]]:
    """The report's `summary` (verdict -> categories) as verdict -> category labels; corrected verdicts where a person reviewed the audit."""
    summary = data.get("summary") or {}
    if summary.get("review"):
        corrected: dict[str, list[str]] = {}
        for entry in data.get("categories") or []:
            verdict = (entry.get("corrected") or {}).get("verdict")
            if entry.get("variant") == "harmful" and verdict:
                corrected.setdefault(verdict, []).append(str(entry.get("label") or _category_label(entry)))
        return corrected
    return {str(verdict): [_category_label(c) for c in items] for verdict, items in summary.items() if items and verdict != "review"}


def category_results(data: dict[str, Any]) -> list[CategoryResult]:
    """The report's per-category comparisons as history rows."""
    rows: list[CategoryResult] = []
    for entry in data.get("categories") or []:
        entry = {**entry, **_corrected_numbers(entry)}
        rows.append(CategoryResult(
            category=str(entry.get("category")),
            suite=entry.get("suite"),
            variant=entry.get("variant"),
            language=entry.get("language"),
            n=_int(entry.get("n")),
            original_rate=_float(entry.get("original_refusal_rate")),
            suspect_rate=_float(entry.get("suspect_refusal_rate")),
            delta=_float(entry.get("delta")),
            p_adjusted=_float(entry.get("p_adjusted")),
            verdict=entry.get("verdict"),
        ))
    return rows


def _corrected_numbers(entry: dict[str, Any]) -> dict[str, Any]:
    """A reviewed category's corrected rates, difference and verdict, under the names the history keeps."""
    corrected = entry.get("corrected")
    if not corrected or corrected.get("delta") is None:
        return {}
    return {
        "original_refusal_rate": corrected.get("original_refusal_rate"), "suspect_refusal_rate": corrected.get("suspect_refusal_rate"),
        "delta": corrected.get("delta"), "p_adjusted": corrected.get("p_adjusted"), "verdict": corrected.get("verdict") or entry.get("verdict"),
    }


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN -> None


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


@dataclass
class AuditOutcome:
    """What one audit in a pass produced."""

    spec: str
    reason: str
    audit_id: int | None = None
    report: Path | None = None
    verdicts: dict[str, list[str]] = field(default_factory=dict)
    gated: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class PassResult:
    """A pass's audits, skips and errors; `exit_code` is the gate (0 ok, 3 lost safeguard, 2 errors)."""

    candidates: int = 0
    audits: list[AuditOutcome] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        # 3: an audit that completed failed the gate (reported even when another audit is incomplete);
        # 2: nothing failed the gate but an audit did not complete (or discovery failed)
        if any(a.gated for a in self.audits):
            return 3
        if self.errors or any(a.error for a in self.audits):
            return 2
        return 0


class PassLock:
    """Non-blocking lock on the config's output folder; a second pass fails at once with exit 2."""

    def __init__(self, config: ScheduleConfig) -> None:
        config.output.mkdir(parents=True, exist_ok=True)
        self.path = config.lock_path
        self.lock = FileLock(str(self.path), timeout=0)

    def __enter__(self) -> "PassLock":
        try:
            self.lock.acquire()
        except Timeout:
            raise AuditorError(
                f"another pass on this config is running (lock {self.path} is held); wait for it to finish"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _errors_in(report: dict[str, Any]) -> tuple[int, int]:
    """(paired samples, samples that errored for either model + unpaired samples)."""
    paired = report.get("paired")
    if paired is None:
        return 0, 0
    frame = paired.paired
    errored = 0
    if len(frame):
        errored = int(((frame["original_refusal"] == "error") | (frame["suspect_refusal"] == "error")).sum())
    return len(frame), errored + len(paired.unpaired)


def _first_error(report: dict[str, Any], log_dirs: list[Path]) -> str:
    """The first sample or task error behind an incomplete audit, as one short line."""
    paired = report.get("paired")
    frame = paired.paired if paired is not None else None
    if frame is not None and len(frame):
        for column in ("suspect_error", "original_error"):
            if column in frame:
                errors = frame[column].dropna()
                if len(errors):
                    return " ".join(str(errors.iloc[0]).split())[:200]
    from inspect_ai.log import list_eval_logs, read_eval_log

    for log_dir in log_dirs:
        for info in list_eval_logs(str(log_dir)):
            header = read_eval_log(info, header_only=True)
            if header.status == "error" and header.error is not None:
                return " ".join(header.error.message.split())[:200]
    return "a task failed"


def audit_options(config: ScheduleConfig, item: PlannedAudit, suite_ver: str, judge: str, display: str) -> Any:
    """One suspect's audit options (a Ray pass runs its units with the same ones first: auditor.schedule.prefetch)."""
    from auditor.options import AuditOptions

    spec = item.candidate.spec
    log_dir, report_dir = suspect_dirs(config, spec, item.number)
    settings = config.audit
    report_options: dict[str, Any] = {"show_harmful": settings.show_harmful}
    if spec in config.reviews:  # a person reviewed this suspect's audit: verdicts corrected for the judge's errors
        report_options["review"] = str(config.reviews[spec])
    if settings.thresholds:
        report_options["thresholds"] = dict(settings.thresholds)
    options = AuditOptions(
        original=config.original,
        suspect=spec,
        suites=list(settings.suites),
        judge=settings.judge,
        limit=settings.limit,
        log_dir=log_dir,
        original_log_dir=original_log_dir(config, suite_ver, judge),
        out_dir=report_dir,
        categories=list(settings.categories) if settings.categories else None,
        language=settings.language,
        extra_tasks=list(settings.tasks),
        max_connections=settings.max_connections,
        display=display,
        description=f"scheduled audit '{config.name}' ({item.reason})",
        report_options=report_options,
        sequential=settings.sequential,
        eval_args={
            "max_retries": settings.max_retries,
            "timeout": settings.request_timeout,
            # False would keep errored samples as finished (never retried); a rate fails the task instead
            "fail_on_error": settings.max_error_rate or True,
        },
    )
    options.executor, options.ray_address = config.executor.kind, config.executor.address
    return options


def audit_one(
    config: ScheduleConfig, item: PlannedAudit, history: History, suite_ver: str, judge: str,
    display: str, complain: Printer, prefetched: frozenset[str] = frozenset(),
) -> AuditOutcome:
    """Audit one suspect, write its report, record it (one transaction) and notify on a failed gate."""
    from auditor.audit import run_audit

    spec = item.candidate.spec
    outcome = AuditOutcome(spec=spec, reason=item.reason)
    log_dir, report_dir = suspect_dirs(config, spec, item.number)
    settings = config.audit
    options = audit_options(config, item, suite_ver, judge, display)
    if spec in prefetched:  # its units already finished on the executor (and were checked): reading their logs sends nothing
        options.executor, options.preflight = "local", False
    started = utcnow()
    try:
        result = run_audit(options)
    except AuditInterrupted:
        raise  # Ctrl-C or SIGTERM stops the whole pass (exit 130); the next pass resumes from the logs
    except AuditorError as exc:
        outcome.error = f"{spec}: {exc}"
        return outcome
    if not result.complete:
        cause = _first_error(result.report, [log_dir, options.original_log_dir or log_dir])
        outcome.error = f"{spec}: the audit did not complete ({cause}); the next pass resumes it from {log_dir}"
        return outcome
    data = result.report.get("data") or {}
    if "summary" not in data:
        outcome.error = f"{spec}: the report has no verdict summary, so the audit cannot be gated; see {report_dir}"
        return outcome
    verdicts = verdict_summary(data)
    gated = [c for verdict in FAIL_ON[settings.fail_on] for c in verdicts.get(verdict, [])]
    samples, errors = _errors_in(result.report)
    report_file = result.outputs.get("html") or result.outputs.get("json") or report_dir
    record = AuditRecord(
        config_name=config.name,
        suspect=spec,
        original=config.original,
        family=model_family(spec, config.families),
        source=item.candidate.source,
        reason=item.reason,
        started_at=iso(started),
        finished_at=iso(utcnow()),
        suite_version=suite_ver,
        judge=judge,
        auditor_version=__version__,
        status="with-errors" if errors else "complete",
        samples=samples,
        errors=errors,
        verdict_counts={verdict: len(items) for verdict, items in verdicts.items()},
        lost=len(verdicts.get("lost", [])),
        gated=bool(gated),
        report_path=Path(report_file).resolve().relative_to(config.output).as_posix(),
        log_dir=log_dir.relative_to(config.output).as_posix(),
        categories=category_results(data),
    )
    outcome.audit_id = history.record(record)
    outcome.report, outcome.verdicts, outcome.gated = Path(report_file), verdicts, gated
    if gated:
        notify_failure(config, record, gated, Path(report_file), complain)
    return outcome


def notify_failure(config: ScheduleConfig, record: AuditRecord, gated: list[str], report: Path, complain: Printer) -> None:
    """POST the failed gate to the configured webhook, if any (a failure is only a warning)."""
    from auditor.schedule.notify import post_webhook

    try:
        url = resolve_webhook(config.notify)
    except AuditorError as exc:
        complain(f"auditor: warning: {exc}; no notification sent")
        return
    if not url:
        return
    payload = {
        "event": "safeguard_lost" if record.lost else "safeguard_weakened",
        "config": config.name,
        "original": record.original,
        "suspect": record.suspect,
        "family": record.family,
        "fail_on": config.audit.fail_on,
        "categories": gated,
        "verdict_counts": record.verdict_counts,
        "audit_id": record.id,
        "finished_at": record.finished_at,
        "report": str(report),
    }
    warning = post_webhook(url, payload, timeout=config.notify.timeout)
    if warning:
        complain(f"auditor: warning: {warning}")


def run_pass(
    config: ScheduleConfig, *, display: str = "none", dry_run: bool = False,
    now: datetime | None = None, say: Printer = print, complain: Printer = to_stderr,
) -> PassResult:
    """One pass over the config (see the module docstring); never raises for a single failed audit."""
    result = PassResult()
    with PassLock(config), History(config.history_path) as history:
        suite_ver, judge = suite_version(config.audit), judge_label(config.audit.judge)
        found = discover(config)
        result.candidates, result.errors, result.warnings = len(found.candidates), list(found.errors), list(found.warnings)
        for message in found.warnings:
            complain(f"auditor: warning: {message}")
        for message in found.errors:
            complain(f"auditor: error: {message}")
        planned, result.skipped = plan(config, history, found.candidates, suite_ver, judge, now or utcnow())
        say(f"auditor: {config.name}: {len(found.candidates)} model(s) to watch, {len(planned)} to audit, {len(result.skipped)} already audited")
        prefetched: frozenset[str] = frozenset()
        if planned and not dry_run and config.executor.kind != "local":  # every due model's units at once, on the cluster
            from auditor.schedule.prefetch import run_units_first

            prefetched = run_units_first(config, planned, suite_ver, judge, display, say)
        for item in planned:
            origin = "fixed suspect" if item.candidate.source == "fixed" else f"from {item.candidate.source}"
            if dry_run:
                say(f"auditor: would audit {item.candidate.spec} ({item.reason}; {origin})")
                continue
            say(f"auditor: auditing {item.candidate.spec} ({item.reason}; {origin})")
            outcome = audit_one(config, item, history, suite_ver, judge, display, complain, prefetched)
            result.audits.append(outcome)
            if outcome.error:
                complain(f"auditor: error: {outcome.error}")
                continue
            shown = "; ".join(f"{verdict}: {', '.join(cats)}" for verdict, cats in outcome.verdicts.items()) or "no verdicts"
            say(f"auditor: {item.candidate.spec}: {shown}; report: {outcome.report}")
        if not dry_run and (any(a.audit_id for a in result.audits) or not config.index_path.exists()):
            from auditor.schedule.index import write_index

            say(f"auditor: wrote index: {write_index(config, history)}")
    gated = [a.spec for a in result.audits if a.gated]
    if gated:
        say(f"auditor: {len(gated)} new audit(s) failed the gate (fail_on = {config.audit.fail_on}): {', '.join(gated)}")
    return result
