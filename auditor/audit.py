"""Run an audit: the same tasks against the original and the suspect through Inspect's eval_set.

eval_set gives resumability for free: an interrupted audit rerun with the same log
directory reuses every finished sample instead of paying for it again. After the run
the logs are the source of truth; the reports are rebuilt from them (`build_outputs`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set

from auditor.errors import AuditorError, ConfigError
from auditor.models.presets import resolve_model
from auditor.options import AuditOptions, JudgeChoice, choose_judge
from auditor.report import write_reports
from auditor.results import SampleLog, load_paired, read_log
from auditor.tasks.builders import build_tasks

# Retries per model request for rate limits and transport errors (Inspect's default is unlimited).
MODEL_MAX_RETRIES = 6


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


def run_audit(options: AuditOptions) -> AuditResult:
    """Run both models on the audit's tasks, then write the outputs from the logs."""
    started = time.perf_counter()
    original, suspect = validate_models(options)
    judge = choose_judge(options.judge)
    if options.preflight:
        from auditor.models.preflight import check_models

        check_models({"original": original, "suspect": suspect, **({"grader": judge.grader} if judge.grader else {})})
    tasks = build_tasks(options, judge)
    # With a separate original_log_dir the original runs in its own eval set there and the
    # suspect in log_dir. eval_set recognises a task's finished log by its identity (task,
    # args, model), so audits that share one original_log_dir (a schedule's suspects and
    # passes) reuse the original's finished samples and send none of its prompts again,
    # while each suspect still gets fresh logs of its own in its log_dir.
    if options.original_log_dir is not None and options.original_log_dir != options.log_dir:
        runs = [(options.original_log_dir, [original]), (options.log_dir, [suspect])]
    else:
        runs = [(options.log_dir, [original, suspect])]
    success = True
    logs: list[SampleLog] = []
    for log_dir, models in runs:
        ok, run_logs = _run_eval_set(tasks, log_dir, models, judge, options)
        success, logs = success and ok, logs + run_logs
    report = build_outputs(options.log_dir, original, suspect, options.out_dir, options, judge, logs=logs, complete=success)
    return AuditResult(original, suspect, options.log_dir, report["_outputs"], success, report, time.perf_counter() - started)


def _run_eval_set(
    tasks: list[Task], log_dir: Path, models: list[str], judge: JudgeChoice, options: AuditOptions
) -> tuple[bool, list[SampleLog]]:
    """One eval_set of the tasks over `models` in `log_dir`; returns (all complete, the logs)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    eval_kwargs: dict[str, Any] = dict(
        log_dir=str(log_dir),
        model=models,
        model_roles={"grader": judge.grader} if judge.grader else None,
        limit=options.limit,
        fail_on_error=False,  # a sample that still fails after retries is recorded as `error`, not fatal
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
    )
    eval_kwargs.update(options.eval_args)
    try:
        success, headers = eval_set(tasks, **eval_kwargs)
    except AuditorError:
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
    complete: bool = True,
) -> dict[str, Any]:
    """Pair the two models' samples from the logs and write every output (also used by `auditor report`)."""
    paired = load_paired(log_dir, original, suspect, logs=logs)
    judges_seen = sorted(
        {str(j) for col in ("original_judge", "suspect_judge") if col in paired.paired for j in paired.paired[col].dropna()}
    )
    context: dict[str, Any] = {
        "judge": judges_seen[0] if len(judges_seen) == 1 else (judges_seen or [judge.name if judge else None]),
        "grader": judge.grader if judge else None,
        "log_dir": str(log_dir),
        **({"original_log_dir": str(options.original_log_dir)} if options and options.original_log_dir else {}),
        "complete": complete,
        "description": options.description if options else None,
        "suites": options.suites if options else None,
    }
    outputs, data = write_reports(paired, out_dir, context, **(options.report_options if options else {}))
    return {"_outputs": outputs, "paired": paired, "context": context, "data": data}
