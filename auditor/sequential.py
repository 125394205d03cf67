"""Sequential audits, the running half: one round of prompt pairs at a time, each an eval_set.

`run_rounds` replaces the single eval_set of a fixed-sample audit when
`AuditOptions.sequential` is set (`auditor audit --sequential`, `sequential = true` in a
schedule config). Round k sends, for every unit (suite, category, language) still open,
the pairs ranked between the previous look and this one (auditor.rounds), then replays
the always-valid rule over everything answered so far (auditor.rounds.decide_units)
and closes the units it decided.

How rounds sit on Inspect's eval_set: eval_set recognises a task's log by the task's
identity (task name, the arguments passed, the model, its config). Each round's tasks are
`safeguards(suite, categories=<one category>, language, judge, pairs="START:STOP")`, one
per open unit, so every (unit, round) is its own task with its own log in the same log
folder: a later round never changes an earlier round's identity, so eval_set neither
discards nor re-runs earlier samples (the folder is "dirty" with the other rounds' logs,
which `log_dir_allow_dirty` permits), and the results reader pairs samples from all the
logs by (task, suite, sample id). One task per unit rather than per round keeps the
identities independent of which other categories are still open, so the original's
answers cached for one suspect (a schedule's shared original log folder) serve every
later suspect. An interrupted sequential audit rerun with the same command replays the
finished rounds (eval_set finds every one of their logs complete and sends nothing; the
decisions are recomputed from the same answers, so they come out the same) and resumes
the interrupted round where it stopped.

Each round runs through `run_round(tasks, runs, judge, options)`, by default
`auditor.audit._run_all` (one eval_set per log folder); an executor that runs eval_sets
elsewhere can be passed instead.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from auditor.errors import ConfigError
from auditor.rounds import Plan, build_plan, decide_units, read_state, write_state

if TYPE_CHECKING:
    from inspect_ai import Task

    from auditor.options import AuditOptions, JudgeChoice
    from auditor.results import SampleLog

Runs = list[tuple[Path, list[str]]]
RunRound = Callable[[list["Task"], Runs, "JudgeChoice", "AuditOptions"], tuple[bool, list["SampleLog"]]]


def check_sequential(options: "AuditOptions") -> Plan:
    """The plan for a sequential audit, or a one-line ConfigError for options it cannot honour."""
    from auditor.report.writer import thresholds_from

    if getattr(options, "executor", "local") != "local":
        # a Ray worker rebuilds a unit's tasks from its options (the whole suite), not this round's pairs
        raise ConfigError("--sequential runs on the local executor only: drop --executor (or [executor] kind) for a sequential audit")
    if "://" in str(options.log_dir):
        raise ConfigError("--sequential needs a local log folder (it keeps its round plan beside the logs); pass a local --log-dir")
    thresholds = thresholds_from(options.report_options)
    if thresholds.correction != "holm":
        raise ConfigError(
            "--correction bh cannot be combined with --sequential: a sequential audit controls the family-wise "
            "error with Holm's procedure on always-valid p-values (drop --correction or use holm)"
        )
    plan = build_plan(options)
    if plan.family == 0:
        raise ConfigError("--sequential needs harmful prompts to test; the selected suites and categories have none")
    return plan


def _resume_plan(plan: Plan, log_dir: Path) -> Plan:
    """The plan, after checking that the log folder does not hold a sequential audit of another selection."""
    previous = read_state(log_dir)
    if previous is not None and [u.key for u in previous.units] != [u.key for u in plan.units]:
        raise ConfigError(
            f"{log_dir} holds a sequential audit of other suites/categories/languages; use another --log-dir (or --out) for this selection"
        )
    if previous is not None and [(u.pairs, u.looks) for u in previous.units] != [(u.pairs, u.looks) for u in plan.units]:
        raise ConfigError(f"{log_dir} holds a sequential audit of a different version of these suites; use another --log-dir (or --out)")
    return plan


def run_rounds(
    options: "AuditOptions",
    original: str,
    suspect: str,
    judge: "JudgeChoice",
    runs: Runs,
    run_round: RunRound | None = None,
) -> tuple[bool, list["SampleLog"]]:
    """Run the rounds until every unit is decided or exhausted; (every round complete, all logs)."""
    from auditor.report.writer import thresholds_from
    from auditor.results import load_paired
    from auditor.tasks.safeguards import safeguards

    if run_round is None:
        from auditor.audit import _run_all as run_round  # one eval_set per log folder
    plan = _resume_plan(check_sequential(options), options.log_dir)
    thresholds = thresholds_from(options.report_options)
    options.log_dir.mkdir(parents=True, exist_ok=True)
    write_state(options.log_dir, plan)  # from the start, so a report of an interrupted audit knows it was sequential
    logs: dict[str, "SampleLog"] = {}
    closed: set[tuple[str, str, str]] = set()
    complete = True
    for index in range(plan.rounds):
        tasks = [
            safeguards(judge=judge.name, **args)
            for unit in plan.units
            if unit.key not in closed and (args := unit.task_args(index)) is not None
        ]
        if index == 0:  # the other tasks the options name (jailbreaks, identity) are sent whole, in the first round
            from auditor.tasks.builders import build_extra_tasks

            tasks += build_extra_tasks(options, judge)
        if not tasks:
            break
        models = max(len(m) for _, m in runs)
        round_options = replace(options, eval_args={"max_tasks": len(tasks) * models, **options.eval_args})
        ok, round_logs = run_round(tasks, runs, judge, round_options)
        for log in round_logs:
            logs[log.location] = log
        plan.rounds_run = index + 1
        write_state(options.log_dir, plan)
        if not ok:
            complete = False
            break
        paired = load_paired(options.log_dir, original, suspect, logs=list(logs.values()))
        for decision in decide_units(paired.paired, plan, thresholds):
            if decision.closed:
                closed.add(decision.unit.key)
    return complete, list(logs.values())
