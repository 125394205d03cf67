"""Many suspects in one audit: the original runs once, every suspect is compared with it.

`auditor audit --original M --suspect A --suspect B ...` plans one unit (an eval_set on its
own log folder) for the original and one per suspect:

    OUT/logs/original/            the original's answers, sent once, shared by every comparison
    OUT/logs/<suspect>/           each suspect's answers
    OUT/<suspect>/report.*        one report per suspect (built from the logs as `auditor report` does)
    OUT/index.html, index.json    a page comparing the suspects (the scheduled-audit index's rendering)

The units run on the chosen executor (`auditor.executors`): one after another here, or
all at once as Ray tasks. A unit that fails does not lose the others' work: every other
suspect still gets its report, the failed one is listed with its one-line reason, and
rerunning the same command resumes the failed unit from its folder. `<suspect>` is the
model spec made folder-safe with a short hash (`auditor.storage.slug`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from auditor.errors import AuditorError, ConfigError
from auditor.executors import Unit, UnitResult, make_executor, preflight_models
from auditor.options import AuditOptions, choose_judge
from auditor.storage import LogLocation, join

Printer = Callable[[str], None]


@dataclass
class SuspectOutcome:
    """One suspect's comparison with the original: its report, or why there is none."""

    suspect: str
    folder: str  # OUT/<folder>/ holds its report; OUT/logs/<folder>/ its logs
    log_dir: LogLocation
    out_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    paired: int = 0
    unpaired: int = 0
    errored: int = 0
    complete: bool = False
    problem: str | None = None  # why it is incomplete or has no report (one line)
    gated: list[str] = field(default_factory=list)


@dataclass
class ManyResult:
    """Everything a many-suspect audit wrote."""

    original: str
    original_log_dir: LogLocation
    suspects: list[SuspectOutcome]
    index: Path
    summary: Path
    seconds: float

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.suspects)


def validate_suspects(original: str, suspects: list[str]) -> tuple[str, list[str]]:
    """Resolve presets; a suspect named twice or the original named as a suspect is a one-line error."""
    from auditor.models.presets import resolve_model

    resolved_original = resolve_model(original)
    seen: dict[str, str] = {}
    resolved: list[str] = []
    for name in suspects:
        spec = resolve_model(name)
        if spec == resolved_original:
            raise ConfigError(f"--suspect {name} is the original model ('{spec}'); a suspect must be a different model")
        if spec in seen:
            same = f"--suspect {seen[spec]} and --suspect {name} both name" if seen[spec] != name else f"--suspect {name} is given twice for"
            raise ConfigError(f"{same} '{spec}'; name each suspect once")
        seen[spec] = name
        resolved.append(spec)
    return resolved_original, resolved


def folder_name(spec: str) -> str:
    from auditor.storage import slug

    return slug(spec)


def plan_units(options: AuditOptions, original: str, suspects: list[str]) -> tuple[Unit, list[Unit]]:
    """The original's unit (its own folder, or `original_log_dir`) and one unit per suspect."""
    root = options.log_dir
    original_dir = options.original_log_dir or join(root, "original")
    original_unit = Unit("original", original_dir, (original,), options)
    return original_unit, [Unit(s, join(root, folder_name(s)), (s,), options) for s in suspects]


def run_many(options: AuditOptions, suspects: list[str], say: Printer = print, fail_on: tuple[str, ...] = ()) -> ManyResult:
    """Run the original once and every suspect (on the options' executor), then one report per suspect and the index."""
    from auditor.interrupts import interrupted, sigterm_as_interrupt
    from auditor.tasks.builders import build_tasks

    started = time.perf_counter()
    if getattr(options, "sequential", False):
        raise ConfigError("--sequential audits one suspect at a time; drop --sequential or name one --suspect")
    original, suspects = validate_suspects(options.original, suspects)
    judge = choose_judge(options.judge)
    if options.preflight:  # every model, before anything is sent (the first problem stops the audit)
        preflight_models(options, {"original": original, **({"grader": judge.grader} if judge.grader else {})})
        for suspect in suspects:
            preflight_models(options, {"suspect": suspect})
    tasks = build_tasks(options, judge)  # a bad task option fails here, before anything is sent
    original_unit, suspect_units = plan_units(options, original, suspects)
    units = [original_unit, *suspect_units]
    executor = make_executor(options)
    try:
        executor.check(units)
        with sigterm_as_interrupt():
            try:
                results = executor.run(units, tasks if options.executor == "local" else None, judge, say)
            except KeyboardInterrupt:
                raise interrupted(Path(str(u.log_dir)) for u in units) from None
    finally:
        executor.close()
    original_result = _lookup(results, original_unit)
    outcomes = [
        build_suspect_report(options, original_unit, original_result, unit, _lookup(results, unit), judge, fail_on)
        for unit in suspect_units
    ]
    index, summary = write_index(options, original, original_unit.log_dir, outcomes)
    return ManyResult(original, original_unit.log_dir, outcomes, index, summary, time.perf_counter() - started)


def _lookup(results: list[UnitResult], unit: Unit) -> UnitResult:
    for result in results:
        if result.unit.log_dir == unit.log_dir and result.unit.models == unit.models:
            return result
    return UnitResult(unit, error="the unit did not run")


def _unit_logs(result: UnitResult) -> list[Any]:
    """The unit's logs: those it returned, or (when it failed) whatever its folder holds, so finished samples still count."""
    if result.logs:
        return result.logs
    from auditor.results import read_logs
    from auditor.storage import exists

    if not exists(result.unit.log_dir):
        return []
    try:
        return [log for log in read_logs(result.unit.log_dir) if log.eval.model in result.unit.models]
    except Exception:
        return []


def build_suspect_report(
    options: AuditOptions, original_unit: Unit, original_result: UnitResult, unit: Unit, result: UnitResult,
    judge: Any, fail_on: tuple[str, ...] = (),
) -> SuspectOutcome:
    """One suspect's report from the two units' logs (as `auditor report` builds it); never raises for one suspect."""
    from auditor.audit import build_outputs

    suspect = unit.models[0]
    folder = folder_name(suspect)
    outcome = SuspectOutcome(suspect, folder, unit.log_dir, Path(options.out_dir) / folder)
    logs = _unit_logs(original_result) + _unit_logs(result)
    complete = original_result.success and result.success and not original_result.error and not result.error
    suspect_options = replace(options, suspect=suspect, log_dir=unit.log_dir, original_log_dir=original_unit.log_dir,
                              out_dir=outcome.out_dir)
    try:
        report = build_outputs(unit.log_dir, original_unit.models[0], suspect, outcome.out_dir, suspect_options, judge,
                               logs=logs, complete=complete)
    except AuditorError as exc:
        outcome.problem = "; ".join(p for p in (result.error or original_result.error, str(exc)) if p)
        return outcome
    paired = report["paired"]
    outcome.outputs, outcome.data = report["_outputs"], report.get("data") or {}
    outcome.paired, outcome.unpaired = len(paired.paired), len(paired.unpaired)
    frame = paired.paired
    if len(frame):
        outcome.errored = int(((frame["original_refusal"] == "error") | (frame["suspect_refusal"] == "error")).sum())
    outcome.complete = complete
    if not complete:
        outcome.problem = result.error or original_result.error or _incomplete_problem(logs, [original_unit.log_dir, unit.log_dir])
    summary = outcome.data.get("summary") or {}
    outcome.gated = [str(_label(c)) for verdict in fail_on for c in summary.get(verdict, [])]
    return outcome


def _incomplete_problem(logs: list[Any], folders: list[LogLocation]) -> str:
    try:
        from auditor.audit import incomplete_problem
    except ImportError:  # pragma: no cover - older audit module
        return f"some tasks did not complete; rerun the same command to resume from {', '.join(map(str, folders))}"
    return incomplete_problem(logs, folders) or "some tasks did not complete; rerun the same command to resume"


def _label(item: Any) -> str:
    from auditor.schedule.runner import _category_label

    return _category_label(item)


# -- the index page ------------------------------------------------------------------------

def _harmful_rates(data: dict[str, Any], column: str) -> dict[str, float]:
    """category -> refusal rate on harmful prompts (the trend chart's keys: `cat` or `cat (lang)`)."""
    rates: dict[str, float] = {}
    for entry in data.get("categories") or []:
        value = entry.get(column)
        if entry.get("variant") not in (None, "harmful") or not isinstance(value, (int, float)) or value != value:
            continue
        language = entry.get("language")
        key = str(entry.get("category")) if not language or language == "en" else f"{entry.get('category')} ({language})"
        rates[key] = float(value)
    return rates


def _record(outcome: SuspectOutcome, original: str, out_dir: Path, finished: str, judge: str) -> Any:
    """The suspect's comparison as a schedule `AuditRecord`, so the index's row rendering is reused as is."""
    from auditor import __version__
    from auditor.schedule.family import model_family
    from auditor.schedule.history import AuditRecord
    from auditor.schedule.runner import category_results, verdict_summary

    verdicts = verdict_summary(outcome.data) if outcome.data else {}
    report = outcome.outputs.get("html") or outcome.outputs.get("json") or outcome.out_dir
    return AuditRecord(
        config_name="audit", suspect=outcome.suspect, original=original, family=model_family(outcome.suspect),
        source="fixed", reason="many-suspect audit", started_at=finished, finished_at=finished, suite_version="",
        judge=judge, auditor_version=__version__,
        status="complete" if outcome.complete and not outcome.errored else ("with-errors" if outcome.complete else "incomplete"),
        samples=outcome.paired, errors=outcome.errored + outcome.unpaired,
        verdict_counts={v: len(c) for v, c in verdicts.items()}, lost=len(verdicts.get("lost", [])), gated=bool(outcome.gated),
        report_path=Path(report).resolve().relative_to(out_dir.resolve()).as_posix() if outcome.outputs else f"{outcome.folder}/",
        log_dir=str(outcome.log_dir), categories=category_results(outcome.data) if outcome.data else [],
    )


def render_index(options: AuditOptions, original: str, original_log_dir: LogLocation, outcomes: list[SuspectOutcome]) -> str:
    """The comparison page: one row per suspect (the schedule index's rows), a rate matrix, and the trend chart."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from auditor import __version__
    from auditor.schedule.index import TEMPLATES, TrendPoint, _row, trend_svg

    out_dir = Path(options.out_dir)
    finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    judge = choose_judge(options.judge)
    judge_label = judge.grader or judge.name
    rows = []
    for outcome in outcomes:
        record = _record(outcome, original, out_dir, finished, judge_label)
        row = _row(record, out_dir, out_dir)
        row.update(outcome=outcome)
        rows.append(row)
    original_rates: dict[str, float] = {}
    for outcome in outcomes:  # every report holds the same original answers; take the first that has them
        original_rates = original_rates or _harmful_rates(outcome.data, "original_refusal_rate")
    points = [TrendPoint(f"original\n{_short(original)}", original_rates)] if original_rates else []
    points += [TrendPoint(_short(o.suspect), _harmful_rates(o.data, "suspect_refusal_rate")) for o in outcomes if o.data]
    chart = None
    if len(points) > 1:
        chart = trend_svg("suspects", points, title="Harmful prompts refused per category: the original, then each suspect")
    categories = sorted({c for p in points for c in p.rates})
    verdict_of = {
        o.suspect: {(_key(e)): e.get("verdict") for e in o.data.get("categories") or [] if e.get("variant") in (None, "harmful")}
        for o in outcomes
    }
    matrix = [
        {
            "category": category,
            "original": original_rates.get(category),
            "cells": [
                {"rate": _harmful_rates(o.data, "suspect_refusal_rate").get(category), "verdict": verdict_of[o.suspect].get(category)}
                for o in outcomes
            ],
        }
        for category in categories
    ]
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("compare.html").render(
        original=original, original_log_dir=str(original_log_dir), rows=rows, outcomes=outcomes, matrix=matrix, chart=chart,
        executor=options.executor, judge=judge_label, suites=options.suites, generated_at=finished, version=__version__,
        gated=sum(1 for o in outcomes if o.gated), failed=sum(1 for o in outcomes if not o.complete),
    )


def _key(entry: dict[str, Any]) -> str:
    language = entry.get("language")
    return str(entry.get("category")) if not language or language == "en" else f"{entry.get('category')} ({language})"


def _short(spec: str) -> str:
    from auditor.schedule.family import model_name

    return model_name(spec)[:28]


def write_index(options: AuditOptions, original: str, original_log_dir: LogLocation, outcomes: list[SuspectOutcome]) -> tuple[Path, Path]:
    """OUT/index.html (the comparison page) and OUT/index.json (the same, for scripts), written atomically."""
    from auditor.storage import atomic_write_text

    out_dir = Path(options.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    index, summary = out_dir / "index.html", out_dir / "index.json"
    atomic_write_text(index, render_index(options, original, original_log_dir, outcomes))
    payload = {
        "original": original,
        "original_log_dir": str(original_log_dir),
        "executor": options.executor,
        "suspects": [
            {
                "suspect": o.suspect,
                "folder": o.folder,
                "complete": o.complete,
                "problem": o.problem,
                "paired": o.paired,
                "unpaired": o.unpaired,
                "errored": o.errored,
                "summary": {str(k): [_label(c) for c in v] for k, v in (o.data.get("summary") or {}).items() if v},
                "gated": o.gated,
                "reports": {kind: Path(path).resolve().relative_to(out_dir.resolve()).as_posix() for kind, path in o.outputs.items()},
                "log_dir": str(o.log_dir),
            }
            for o in outcomes
        ],
    }
    atomic_write_text(summary, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return index, summary


# -- the command ----------------------------------------------------------------------------

def run_many_command(options: AuditOptions, suspects: list[str], fail_on: str | None, say: Printer = print) -> int:
    """`auditor audit` with several --suspect: run, print where everything is, and the exit code.

    Exit 3 when a suspect whose audit completed has a safeguard at or worse than --fail-on
    (a finding that stands whatever happened to the others), else 2 when any suspect's
    audit is incomplete or failed (its verdicts cannot gate; rerun the same command to
    resume it), else 0.
    """
    import sys

    from auditor.commands.audit import FAIL_ON_ORDER

    levels = FAIL_ON_ORDER[fail_on] if fail_on else ()
    result = run_many(options, suspects, say, fail_on=levels)
    say(f"auditor: original {result.original}: logs in {result.original_log_dir}")
    for outcome in result.suspects:
        if outcome.outputs:
            shown = "; ".join(f"{v}: {', '.join(map(_label, c))}" for v, c in (outcome.data.get("summary") or {}).items() if c and v != "review")
            say(f"auditor: {outcome.suspect}: {outcome.paired} samples paired, {outcome.unpaired} unpaired; "
                f"{shown or 'no verdicts'}; report {outcome.outputs.get('html') or outcome.out_dir}")
        if outcome.problem:
            print(f"auditor: error: {outcome.suspect}: {outcome.problem}", file=sys.stderr)
    say(f"auditor: wrote index: {result.index} (and {result.summary.name})")
    gated = [o for o in result.suspects if o.gated and o.complete]
    if gated:
        for outcome in gated:
            say(f"auditor: {outcome.suspect}: safeguards with verdict {' or '.join(levels)}: {', '.join(outcome.gated)}")
        return 3
    if not result.complete:
        failed = [o.suspect for o in result.suspects if not o.complete]
        print(f"auditor: error: {len(failed)} of {len(result.suspects)} suspect audits are incomplete, so they cannot gate "
              f"({', '.join(failed)}); rerun the same command to resume them", file=sys.stderr)
        return 2
    return 0
