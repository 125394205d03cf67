"""The local executor: units run one after another in this process (today's behaviour)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.executors import Printer, Unit, UnitResult, run_unit
from auditor.storage import check_writable

if TYPE_CHECKING:
    from inspect_ai import Task

    from auditor.options import JudgeChoice


class LocalExecutor:
    """Run each unit in this process with `run_unit`; an interrupt stops at once (its logs are written)."""

    def check(self, units: list[Unit]) -> None:
        for unit in units:
            check_writable(unit.log_dir)

    def run(self, units: list[Unit], tasks: "list[Task] | None", judge: "JudgeChoice", say: Printer) -> list[UnitResult]:
        from auditor.audit import _was_cancelled
        from auditor.interrupts import stop_requested

        results: list[UnitResult] = []
        for number, unit in enumerate(units, start=1):
            if len(units) > 1:
                say(f"auditor: unit {number}/{len(units)}: {unit.name} ({', '.join(unit.models)}) in {unit.log_dir}")
            result = run_unit(unit, tasks, judge)
            results.append(result)
            if len(units) > 1:
                say(f"auditor: unit {number}/{len(units)}: {unit.name}: {_outcome(result)}")
            if stop_requested() or (not result.error and _was_cancelled(result.logs, unit.log_dir, list(unit.models))):
                raise KeyboardInterrupt  # Inspect wrote the cancelled logs; the next units are not started
        return results

    def close(self) -> None:
        pass


def _outcome(result: UnitResult) -> str:
    if result.error:
        return f"failed ({result.error})"
    samples = sum(len(log.samples or []) for log in result.logs)
    state = "complete" if result.success else "incomplete (a rerun resumes it)"
    return f"{state}, {samples} samples, {result.seconds:.1f} s"


def outcome_line(result: UnitResult) -> str:
    """How a unit ended, for progress lines (shared with the Ray executor)."""
    return _outcome(result)
