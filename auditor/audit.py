"""Run an audit: the same tasks against the original and the suspect through Inspect's eval_set.

eval_set gives resumability for free: an interrupted audit rerun with the same log
directory reuses every finished sample instead of paying for it again. After the run
the logs are the source of truth; the reports are rebuilt from them (`build_outputs`).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set

from auditor.errors import AuditorError, ConfigError
from auditor.interrupts import interrupted, sigterm_as_interrupt, stop_requested
from auditor.models.presets import resolve_model
from auditor.options import AuditOptions, JudgeChoice, check_options, choose_judge
from auditor.report import write_reports
from auditor.results import SampleLog, load_paired, read_log, read_logs
from auditor.storage import ensure_dir
from auditor.tasks.builders import build_tasks

# Retries per model request for rate limits and transport errors (Inspect's default is unlimited).
MODEL_MAX_RETRIES = 6
# At this share of errored answers (for either model) the audit did not measure what it set out to: the task
# fails (so a rerun retries those samples) and the verdicts cannot gate (the schedule's default max_error_rate).
MAX_ERROR_SHARE = 0.1


def validate_models(options: AuditOptions) -> tuple[str, str]:
    original, suspect = resolve_model(options.original), resolve_model(options.suspect)
    if original == suspect:
        raise ConfigError(
            f"original and suspect are the same model ('{original}'); name two different models "
            "(to test the pipeline on one model, use two replay files)"
        )
    return original, suspect


@dataclass
class AuditResult:
    """What an audit produced: where its logs and outputs are, and whether every task completed."""

    original: str
    suspect: str
    log_dir: Path
    outputs: dict[str, Path]
    complete: bool
    report: dict[str, Any]
    seconds: float
    # why the audit is incomplete, and whether rerunning helps (one line; None when complete)
    problem: str | None = None


def run_audit(options: AuditOptions) -> AuditResult:
    """Run both models on the audit's tasks, then write the outputs from the logs.

    Everything is checked before the first request (options, models, judge, tasks). Ctrl-C
    or SIGTERM while it runs raises `AuditInterrupted` once the logs hold every finished
    sample; an audit whose tasks did not all finish returns `complete=False` and `problem`.
    """
    started = time.perf_counter()
    check_options(options)
    original, suspect = validate_models(options)
    judge = choose_judge(options.judge)
    if options.preflight:
        from auditor.executors import preflight_models  # where the units run decides what is checked here

        preflight_models(options, {"original": original, "suspect": suspect, **({"grader": judge.grader} if judge.grader else {})})
    tasks = build_tasks(options, judge)
    runs = eval_runs(options, original, suspect)
    with sigterm_as_interrupt():
        try:
            if options.sequential:  # rounds of eval_sets; each category stops once decided (auditor.sequential)
                from auditor.sequential import run_rounds

                success, logs = run_rounds(options, original, suspect, judge, runs)
            else:
                success, logs = _run_all(tasks, runs, judge, options)
        except KeyboardInterrupt:
            raise interrupted(log_dir for log_dir, _ in runs) from None
    report = build_outputs(options.log_dir, original, suspect, options.out_dir, options, judge, logs=logs, complete=success or None)
    problem = report["problem"]
    return AuditResult(original, suspect, options.log_dir, report["_outputs"], problem is None, report, time.perf_counter() - started, problem)


def eval_runs(options: AuditOptions, original: str, suspect: str) -> list[tuple[Path, list[str]]]:
    """(log folder, models) for each eval_set the audit runs.

    With a separate original_log_dir the original runs in its own eval set there and the
    suspect in log_dir. eval_set recognises a task's finished log by its identity (task,
    args, model), so audits that share one original_log_dir (a schedule's suspects and
    passes) reuse the original's finished samples and send none of its prompts again,
    while each suspect still gets fresh logs of its own in its log_dir.
    """
    if options.original_log_dir is not None and options.original_log_dir != options.log_dir:
        return [(options.original_log_dir, [original]), (options.log_dir, [suspect])]
    return [(options.log_dir, [original, suspect])]


def _run_all(
    tasks: list[Task], runs: list[tuple[Path, list[str]]], judge: JudgeChoice, options: AuditOptions
) -> tuple[bool, list[SampleLog]]:
    """Every eval_set in turn; (all complete, their logs). An interrupt raises KeyboardInterrupt."""
    if options.executor != "local":  # each run a Ray task calling _run_eval_set on a worker (auditor.executors)
        from auditor.executors import run_audit_runs

        return run_audit_runs(tasks, runs, judge, options)
    success = True
    logs: list[SampleLog] = []
    for log_dir, models in runs:
        ok, run_logs = _run_eval_set(tasks, log_dir, models, judge, options)
        success, logs = success and ok, logs + run_logs
        if stop_requested() or _was_cancelled(run_logs, log_dir, models):
            raise KeyboardInterrupt  # Inspect wrote the cancelled logs; nothing more is sent
    return success, logs


def _was_cancelled(run_logs: list[SampleLog], log_dir: Path, models: list[str]) -> bool:
    """Whether Ctrl-C cancelled the eval set: a returned log says so, or (Inspect returns no logs then) the folder does."""
    if any(log.header.status == "cancelled" for log in run_logs):
        return True
    if run_logs:
        return False
    from inspect_ai.log import list_eval_logs, read_eval_log

    newest: dict[tuple[str, str], Any] = {}
    for info in list_eval_logs(str(log_dir)):
        header = read_eval_log(info, header_only=True)
        key = (header.eval.model, header.eval.task)
        if header.eval.model in models and (key not in newest or header.eval.created > newest[key].eval.created):
            newest[key] = header
    return any(header.status == "cancelled" for header in newest.values())


def audit_metadata(options: AuditOptions) -> dict[str, Any]:
    """What the report says about what was compared, stored in every log so `auditor report` says it too."""
    return {"auditor": {"description": options.description, "suites": options.suites}}


def _run_eval_set(
    tasks: list[Task], log_dir: Path, models: list[str], judge: JudgeChoice, options: AuditOptions
) -> tuple[bool, list[SampleLog]]:
    """One eval_set of the tasks over `models` in `log_dir`; returns (all complete, the logs)."""
    ensure_dir(log_dir)  # a local folder or an fsspec URL such as s3://bucket/audits (auditor.storage)
    eval_kwargs: dict[str, Any] = dict(
        log_dir=str(log_dir),
        model=models,
        model_roles={"grader": judge.grader} if judge.grader else None,
        limit=options.limit,
        # A sample that still fails after retries is recorded as `error` and excluded from the rates; once
        # errors reach MAX_ERROR_SHARE of a task it fails instead, so a rerun sends those samples again
        # (a task that finished "successfully" with errors would never be retried) and the audit cannot gate.
        fail_on_error=MAX_ERROR_SHARE,
        display=options.display,
        log_dir_allow_dirty=True,
        max_connections=options.max_connections,
        max_samples=options.max_samples,
        retry_attempts=2,
        retry_wait=1,
        # Inspect retries rate limits and transport errors with exponential backoff (from 3 s);
        # bounded, so a sample whose endpoint keeps failing ends as an `error` (excluded from
        # rates) instead of retrying for hours. Override with eval_args={"max_retries": N}.
        max_retries=MODEL_MAX_RETRIES,
        metadata=audit_metadata(options),
        # Inspect recomputes the running metrics over every finished sample about once a second to
        # show them; with no progress display nobody sees them, and at thousands of samples that
        # recomputation is a tenth of the run (the logs' results are computed at the end regardless).
        **({"score_display": False} if options.display in ("none", "log") else {}),
    )
    eval_kwargs.update(options.eval_args)
    try:
        success, headers = eval_set(tasks, **eval_kwargs)
    except (AuditorError, KeyboardInterrupt):
        raise
    except Exception as exc:
        message = " ".join(str(exc).replace("[bold]", "").replace("[/bold]", "").split())
        raise AuditorError(
            f"audit run failed: {message}; finished samples are kept in {log_dir} and a rerun resumes from them"
        ) from None
    return success, [read_log(h.location) for h in headers if h.location]


def build_outputs(
    log_dir: Path,
    original: str,
    suspect: str,
    out_dir: Path,
    options: AuditOptions | None = None,
    judge: JudgeChoice | None = None,
    logs: list[SampleLog] | None = None,
    complete: bool | None = None,
) -> dict[str, Any]:
    """Pair the two models' samples from the logs and write every output (also used by `auditor report`).

    `complete=None` (`auditor report`) reads it from the logs: complete when the newest log
    of every task and model finished; the result's `problem` then says what did not.
    What was compared (description, suites) comes from `options`, else from the logs'
    metadata, so a rebuilt report says the same as the audit's own.
    """
    logs = logs if logs is not None else read_logs(log_dir)
    paired = load_paired(log_dir, original, suspect, logs=logs)
    log_dirs = [log_dir] + ([options.original_log_dir] if options and options.original_log_dir else [])
    problem = error_problem(paired, log_dirs)  # the most specific cause first: the errors themselves
    if problem is None and complete is not True:
        problem = incomplete_problem([log for log in logs if log.eval.model in (original, suspect)], log_dirs)
    complete = problem is None
    compared = compared_from_logs(logs, original, suspect)
    judges_seen = sorted(
        {str(j) for col in ("original_judge", "suspect_judge") if col in paired.paired for j in paired.paired[col].dropna()}
    )
    context: dict[str, Any] = {
        "judge": judges_seen[0] if len(judges_seen) == 1 else (judges_seen or [judge.name if judge else None]),
        "grader": judge.grader if judge else None,
        "log_dir": str(log_dir),
        **({"original_log_dir": str(options.original_log_dir)} if options and options.original_log_dir else {}),
        "complete": complete,
        "problem": problem,
        "description": (options.description if options else None) or compared.get("description"),
        "suites": (options.suites if options else None) or compared.get("suites"),
    }
    context["suite_pairs"] = suite_capacity(context["suites"])
    outputs, data = write_reports(paired, out_dir, context, **(options.report_options if options else {}))
    return {"_outputs": outputs, "paired": paired, "context": context, "data": data, "problem": problem}


def error_problem(paired: Any, log_dirs: list[Path]) -> str | None:
    """One line when too many answers errored (or no pair could be compared), else None."""
    frame = paired.paired
    where = ", ".join(dict.fromkeys(str(d) for d in log_dirs))
    for side, model in (("original", paired.original), ("suspect", paired.suspect)):
        column = f"{side}_refusal"
        total = len(frame) + int((paired.unpaired["present_for"] == side).sum()) if len(paired.unpaired) else len(frame)
        if column not in frame or not total:
            continue
        errored = frame[column].astype(object) == "error"
        if f"{side}_error" in frame:  # answers cut off by Ctrl-C are not errors: the incomplete task says so, and a rerun resends them
            errored &= ~frame[f"{side}_error"].astype(str).str.match(_CANCELLED)
        if int(errored.sum()) and int(errored.sum()) >= MAX_ERROR_SHARE * total:  # the same rule as Inspect's fail_on_error
            errors = frame.loc[errored, f"{side}_error"].dropna() if f"{side}_error" in frame else []
            example = " ".join(str(errors.iloc[0]).split())[:200] if len(errors) else "no message recorded"
            advice = (
                "rerun the same command to retry them (finished samples are not sent again)"
                if _TRANSIENT.search(example)
                else "rerunning unchanged will likely fail the same way; fix the cause, then rerun the same command"
            )
            return (
                f"{int(errored.sum())} of {total} answers from the {side} model {model} are errors "
                f"(first: {example}); answers are kept in {where}; {advice}"
            )
    if len(frame) == 0:
        return f"no sample was answered by both models, so nothing could be compared; logs are in {where}; check the two models and the suite, then rerun"
    return None


def suite_capacity(suites: list[str] | None) -> dict[str, dict[str, dict[str, int]]]:
    """Harmful prompts each audited suite holds, by suite label, category and language (suites that cannot be read are left out)."""
    from auditor.suites.builtin import suite_label
    from auditor.suites.loader import load_suite

    capacity: dict[str, dict[str, dict[str, int]]] = {}
    for suite in suites or []:
        try:
            records = load_suite(suite, variants=["harmful"])
        except AuditorError:
            continue
        table = capacity.setdefault(suite_label(suite), {})
        for record in records:
            by_language = table.setdefault(record.category, {})
            by_language[record.language] = by_language.get(record.language, 0) + 1
    return capacity


def compared_from_logs(logs: list[SampleLog], original: str, suspect: str) -> dict[str, Any]:
    """The `audit_metadata` the newest of the two models' logs carries ({} for logs from older versions)."""
    mine = [log for log in logs if log.eval.model in (original, suspect)]
    for log in sorted(mine, key=lambda log: log.eval.created, reverse=True):
        stored = (log.eval.metadata or {}).get("auditor")
        if isinstance(stored, dict):
            return stored
    return {}


_CANCELLED = r"\s*(CancelledError|KeyboardInterrupt)"
# Causes a rerun can get past by itself (rate limits, timeouts, a server that was down).
_TRANSIENT = re.compile(
    r"time[d ]?out|rate.?limit|\b429\b|(?:status|http|error|code)\W{0,3}5\d\d\b|\b5\d\d (?:server|internal|bad gateway|service)"
    r"|overload|unavailable|connect|temporar|reset by peer|try again",
    re.IGNORECASE,
)


def unfinished_tasks(logs: list[SampleLog]) -> list[tuple[SampleLog, str]]:
    """(log, cause) for each task and model whose newest log did not finish successfully."""
    newest: dict[tuple[str, str, str], SampleLog] = {}
    for log in logs:
        key = (log.eval.model, log.eval.task, json.dumps(log.eval.task_args or {}, sort_keys=True, default=str))
        if key not in newest or log.eval.created > newest[key].eval.created:
            newest[key] = log
    unfinished = []
    for log in newest.values():
        status = log.header.status
        if status == "success":
            continue
        if status == "error" and log.header.error is not None:
            cause = " ".join(str(log.header.error.message).split())[:300]
        elif status == "cancelled":
            cause = "it was interrupted"
        else:
            cause = f"it stopped before finishing (status {status})"
        unfinished.append((log, cause))
    return unfinished


def incomplete_problem(logs: list[SampleLog], log_dirs: list[Path]) -> str | None:
    """One line: which task did not complete and why, and whether rerunning the same command can help."""
    unfinished = unfinished_tasks(logs)
    if not unfinished and logs:  # the newest log of every task finished (older, superseded ones do not count)
        return None
    where = ", ".join(dict.fromkeys(str(d) for d in log_dirs))
    if not unfinished:
        return f"some tasks did not finish; finished samples are kept in {where}: rerun the same command to resume"
    log, cause = unfinished[0]
    more = f" (and {len(unfinished) - 1} more task(s))" if len(unfinished) > 1 else ""
    what = f"task {log.eval.task.split('/')[-1]} for {log.eval.model} did not complete{more}: {cause}"
    if log.header.status == "cancelled" or _TRANSIENT.search(cause):
        advice = "rerun the same command to resume (finished samples are not sent again)"
    else:
        advice = "rerunning unchanged will likely fail the same way; fix the cause, then rerun the same command to resume"
    return f"{what}; finished samples are kept in {where}; {advice}"
