"""A scheduled pass on Ray: every due model's units run at once on the cluster, then the pass records them.

With `[executor] kind = "ray"` (or `auditor schedule run --executor ray`), a pass first
submits one unit for the original (its shared cache folder) and one per due suspect (its
numbered folder), with exactly the options `audit_one` uses, so their logs are the ones
the pass then reads: each audit's `run_audit` finds its tasks finished and sends nothing.
A suspect whose units did not finish is audited by `audit_one` on the executor again
(which resumes it there) and recorded or reported as usual.
"""

from __future__ import annotations

from typing import Callable

from auditor.errors import AuditorError
from auditor.schedule.config import ScheduleConfig
from auditor.schedule.runner import PlannedAudit, audit_options, original_log_dir, suspect_dirs


def run_units_first(
    config: ScheduleConfig, planned: list[PlannedAudit], suite_ver: str, judge: str, display: str,
    say: Callable[[str], None],
) -> frozenset[str]:
    """Run the pass's units on the configured executor; the suspects whose units (and the original's) all finished.

    A bad executor setting (Ray missing, cluster unreachable, an unwritable log folder) is
    raised before any model is queried; a suspect that fails its own checks (a missing key)
    is left for `audit_one` to report.
    """
    from auditor.executors import Unit, make_executor, preflight_models
    from auditor.options import choose_judge

    candidates = []
    for item in planned:
        options = audit_options(config, item, suite_ver, judge, display)
        try:
            preflight_models(options, {"suspect": item.candidate.spec})
        except AuditorError:
            continue  # audit_one runs the same check and records the error for this suspect
        candidates.append((item, options))
    if not candidates:
        return frozenset()
    first = candidates[0][1]
    judge_choice = choose_judge(first.judge)
    preflight_models(first, {"original": config.original, **({"grader": judge_choice.grader} if judge_choice.grader else {})})
    units = [Unit("original", original_log_dir(config, suite_ver, judge), (config.original,), first)]
    for item, options in candidates:
        units.append(Unit(item.candidate.spec, suspect_dirs(config, item.candidate.spec, item.number)[0], (item.candidate.spec,), options))
    executor = make_executor(first)
    try:
        executor.check(units)
        results = executor.run(units, None, judge_choice, say)
    finally:
        executor.close()
    finished = {r.unit.models[0] for r in results if r.success and not r.error}
    if config.original not in finished:
        return frozenset()
    return frozenset(spec for spec in finished if spec != config.original)
