"""Where an audit's units of work run: in this process (`local`) or as Ray tasks (`ray`).

A **unit** is one Inspect `eval_set` of the audit's tasks over one or more models in one
log folder: exactly what `auditor.audit._run_eval_set` runs, and what both executors call.
Because a unit is an `eval_set` on its own folder, running it again (a rerun of the
command, or Ray retrying a task whose worker died) resumes from that folder's logs and
sends no finished sample again. The logs are the only result that matters: the driver
reads them back and builds the reports from them exactly as `auditor report` does.

- `local` (the default): units run one after another in this process.
- `ray`: each unit is a Ray task (`ray.remote`) that calls Inspect on a worker and writes
  to the unit's folder, which must be reachable from every worker and from the driver
  (a shared filesystem path or an fsspec URL such as `s3://bucket/audits/`). Units whose
  model is served on the worker itself (`vllm/`, `sglang/`, `hf/`) ask Ray for one GPU;
  everything else asks for one CPU. Ray's task retries cover a lost worker.

No scheduler, queue or worker protocol of our own: Ray places, runs and retries the
tasks; Inspect's `eval_set` makes a retried unit resume.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Protocol

from auditor.errors import AuditorError, ConfigError
from auditor.storage import LogLocation, join

if TYPE_CHECKING:
    from inspect_ai import Task

    from auditor.options import AuditOptions, JudgeChoice
    from auditor.results import SampleLog

EXECUTORS = ("local", "ray")
RAY_EXTRA = "distill-auditor[ray]"

# Providers whose model is served by the process that runs the unit (Inspect starts a vLLM
# or SGLang server, or loads the weights with transformers), so the unit needs a GPU there.
# With the base-URL variable set, the provider talks to a server that already runs
# elsewhere instead, and the unit needs no GPU. `local/` (llama.cpp) is served in-process
# too, but this package's llama.cpp build and provider run on the CPU (no layers are
# offloaded), so a GPU would sit idle: its units ask for CPUs like any other.
GPU_SERVED: dict[str, str | None] = {"vllm": "VLLM_BASE_URL", "sglang": "SGLANG_BASE_URL", "hf": None}

Printer = Callable[[str], None]


@dataclass
class Unit:
    """One eval_set of the audit's tasks over `models`, written to `log_dir`."""

    name: str  # shown in progress lines: "original", the suspect's spec, or "audit"
    log_dir: LogLocation
    models: tuple[str, ...]
    options: "AuditOptions"  # the audit's options: the worker builds the same tasks from them


@dataclass
class UnitResult:
    """What running a unit gave: whether every task completed, its logs (read back), or why it failed."""

    unit: Unit
    success: bool = False
    logs: list["SampleLog"] = field(default_factory=list)
    error: str | None = None  # one line, when the unit could not run to the end
    where: str | None = None  # host (pid) that ran it
    seconds: float = 0.0


def gpu_served(spec: str) -> bool:
    """Whether the model (or a model it wraps, e.g. `guarded/vllm/...`) is served on the unit's own machine on a GPU."""
    from auditor.models.requirements import requirements

    for item in requirements(spec).walk():
        provider = item.provider
        if provider in GPU_SERVED:
            variable = GPU_SERVED[provider]
            if variable is None or not os.environ.get(variable):
                return True
    return False


def unit_resources(unit: Unit) -> dict[str, float]:
    """The Ray resources a unit asks for: one GPU when a model is served on the worker, else one CPU."""
    if any(gpu_served(model) for model in unit.models):
        return {"num_cpus": 1, "num_gpus": 1}
    return {"num_cpus": 1}


def split_gpu_runs(units: list[Unit]) -> list[Unit]:
    """A unit never holds two GPU-served models: each would start its own server on the unit's one GPU.

    Such a unit (a one-suspect audit of two open-weight models) becomes one unit per model,
    in subfolders of its folder; `auditor report` reads log folders recursively, so the
    reports are the same.
    """
    from auditor.storage import slug

    result: list[Unit] = []
    for unit in units:
        if len(unit.models) > 1 and sum(gpu_served(m) for m in unit.models) > 1:
            for model in unit.models:
                result.append(Unit(model, join(unit.log_dir, slug(model)), (model,), unit.options))
        else:
            result.append(unit)
    return result


def check_executor(kind: str) -> None:
    if kind not in EXECUTORS:
        raise ConfigError(f"unknown executor '{kind}'; use one of {', '.join(EXECUTORS)}")


def preflight_models(options: "AuditOptions", models: dict[str, str]) -> None:
    """The checks before anything is sent, for where the units will run.

    Locally every model is checked here (package, key, construction, local-model probe).
    With Ray, models served on the workers (vLLM, SGLang, transformers, llama.cpp) need
    their packages and weights on the workers, not here: only their keys are checked here,
    and the worker running the unit reports a missing package in one line.
    """
    from auditor.models.preflight import check_model

    if options.executor == "local":
        for role, spec in models.items():
            check_model(spec, role)
        return
    from auditor.models.requirements import requirements

    for role, spec in models.items():
        items = requirements(spec).walk()
        if any(item.provider in GPU_SERVED or item.provider == "local" for item in items):
            for item in items:
                key = item.missing_key()
                if key:
                    raise ConfigError(f"{role} model '{spec}' needs {key}, which is not set: export {item.key_vars[0]}=<your key>")
        else:
            check_model(spec, role)


class Executor(Protocol):
    """Runs units; `check` runs before any model is queried and raises a one-line ConfigError."""

    def check(self, units: list[Unit]) -> None: ...

    def run(self, units: list[Unit], tasks: "list[Task] | None", judge: "JudgeChoice", say: Printer) -> list[UnitResult]: ...

    def close(self) -> None: ...


def make_executor(options: "AuditOptions") -> Executor:
    """The executor the options name (`ray` imports Ray only here, with a one-line error when it is missing)."""
    check_executor(options.executor)
    if options.executor == "ray":
        from auditor.executors.ray import RayExecutor

        return RayExecutor(options.ray_address)
    from auditor.executors.local import LocalExecutor

    return LocalExecutor()


def run_unit(unit: Unit, tasks: "list[Task] | None", judge: "JudgeChoice") -> UnitResult:
    """Run one unit here, in this process: the function both executors call (Ray calls it on the worker).

    `tasks` are built from the unit's options when not given (on a Ray worker). A failing
    unit is returned with its error rather than raised, so the other units' work is kept;
    an interrupt (Ctrl-C, SIGTERM) is raised.
    """
    import socket

    from auditor.audit import _run_eval_set
    from auditor.tasks.builders import build_tasks

    started = time.perf_counter()
    result = UnitResult(unit, where=f"{socket.gethostname()} (pid {os.getpid()})")
    try:
        if tasks is None:
            tasks = build_tasks(unit.options, judge)
        result.success, result.logs = _run_eval_set(tasks, unit.log_dir, list(unit.models), judge, unit.options)
    except AuditorError as exc:
        result.error = str(exc)
    result.seconds = time.perf_counter() - started
    return result


def run_units(
    units: list[Unit], options: "AuditOptions", judge: "JudgeChoice", tasks: "list[Task] | None" = None,
    say: Printer = print, executor: Executor | None = None,
) -> list[UnitResult]:
    """Check the units against the executor (before anything is sent), then run them all."""
    own = executor is None
    executor = executor or make_executor(options)
    try:
        if options.executor != "local":
            units = split_gpu_runs(units)
        executor.check(units)
        return executor.run(units, tasks, judge, say)
    finally:
        if own:
            executor.close()


def run_audit_runs(
    tasks: "list[Task]", runs: list[tuple[LogLocation, list[str]]], judge: "JudgeChoice", options: "AuditOptions"
) -> tuple[bool, list["SampleLog"]]:
    """An audit's `(log folder, models)` runs on a non-local executor; (all complete, their logs).

    Called by `auditor.audit` for `--executor ray`; a unit that failed raises its one-line
    error once every other unit has finished (their samples are in the logs either way).
    """
    units = [Unit("audit" if len(models) > 1 else ("original" if i == 0 and len(runs) > 1 else models[0]),
                  log_dir, tuple(models), options) for i, (log_dir, models) in enumerate(runs)]
    results = run_units(units, options, judge, tasks)
    failed = [r for r in results if r.error]
    if failed:
        raise AuditorError(failed[0].error or "a unit failed")
    logs = [log for r in results for log in r.logs]
    return all(r.success for r in results), logs


def unit_options_for_workers(options: "AuditOptions") -> "AuditOptions":
    """The options a worker runs a unit with: no progress display (the driver shows progress per unit)."""
    return replace(options, display="none")
