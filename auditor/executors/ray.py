"""The Ray executor: each unit is a Ray task that runs Inspect's eval_set on a worker.

The driver (the `auditor` command) joins a Ray cluster (`--ray-address`, or a local
instance it starts or finds), checks before any model is queried that every unit can run
there (Ray installed, the cluster answering, the log folders writable from the workers
and visible to the driver, a GPU for units that serve their model), submits one task per
unit, prints a line as each unit ends (and a heartbeat while they run), then reads the
logs back from the shared log location. A worker that dies (node lost, process killed,
out of memory) is retried by Ray (`max_retries`); the retried unit is an `eval_set` on the
same folder, so it resumes and sends no finished sample again.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from typing import TYPE_CHECKING, Any

from auditor.errors import AuditorError, ConfigError
from auditor.executors import (
    RAY_EXTRA, Printer, Unit, UnitResult, gpu_served, run_unit, unit_options_for_workers, unit_resources,
)
from auditor.storage import LogLocation, check_writable, exists, is_url, join

if TYPE_CHECKING:
    from inspect_ai import Task

    from auditor.options import JudgeChoice

# Ray retries a unit whose worker process or node died this many times (each retry resumes from the logs).
MAX_RETRIES = 3
# Seconds between "still running" lines while no unit finishes.
HEARTBEAT_SECONDS = 30.0
# Seconds to wait for a worker to take the log-folder check before saying the cluster has none free.
PROBE_TIMEOUT = 120.0
# After Ctrl-C: seconds the running units get to write their cancelled logs before they are killed.
CANCEL_GRACE = 30.0
# Environment the workers need besides the models' own key and base-URL variables.
FORWARD_PREFIXES = ("AUDITOR_", "INSPECT_", "VLLM_", "SGLANG_", "HF_", "HUGGING_FACE_")
FORWARD_SKIP = {"INSPECT_DISPLAY", "INSPECT_LOG_DIR", "INSPECT_EVAL_MODEL"}


def import_ray() -> Any:
    """Ray, or the one-line error that says which extra to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError(f"--executor ray needs Ray, which is not installed: pip install '{RAY_EXTRA}'") from None
    return ray


def check_address(address: str | None, timeout: float = 5.0) -> None:
    """Fail in seconds when an explicit cluster address does not answer (Ray itself waits minutes)."""
    if address in (None, "", "auto", "local"):
        return
    target = address.split("://", 1)[1] if "://" in address else address
    host, _, port = target.rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(
            f"--ray-address {address}: expected HOST:PORT (the head's GCS port, usually 6379) "
            "or ray://HOST:PORT (Ray Client, usually 10001)"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(
            f"Ray cluster at {address} does not answer ({reason}); start it (`ray start --head` on the head node) "
            "or pass the head's address with --ray-address"
        ) from None


def worker_env(unit: Unit) -> dict[str, str]:
    """The variables a worker needs to run the unit: its models' keys and base URLs, and Inspect/vLLM settings.

    A local Ray instance inherits them anyway; a remote cluster gets them in the task's
    runtime environment (only these, never the whole environment).
    """
    from auditor.models.requirements import requirements
    from auditor.options import choose_judge

    specs = list(unit.models)
    grader = choose_judge(unit.options.judge).grader
    if grader:
        specs.append(grader)
    names: set[str] = set()
    for spec in specs:
        for item in requirements(spec).walk():
            names.update(item.key_vars)
            if item.base_url_var:
                names.add(item.base_url_var)
    env = {name: os.environ[name] for name in names if os.environ.get(name)}
    env.update({k: v for k, v in os.environ.items() if k.startswith(FORWARD_PREFIXES) and k not in FORWARD_SKIP})
    env["INSPECT_DISPLAY"] = "none"
    return env


def _unit_task(unit: Unit, cwd: str | None) -> dict[str, Any]:
    """Runs on a Ray worker: the unit, through the same `run_unit` as the local executor."""
    from auditor.options import choose_judge

    if cwd and os.path.isdir(cwd):  # relative suite/replay paths mean what they mean on the driver (same or shared filesystem)
        os.chdir(cwd)
    result = run_unit(unit, None, choose_judge(unit.options.judge))
    return {
        "success": result.success,
        "locations": [log.location for log in result.logs],
        "error": result.error,
        "where": result.where,
        "seconds": result.seconds,
    }


def _probe_task(folders: list[LogLocation], token: str, cwd: str | None) -> dict[str, Any]:
    """Runs on a Ray worker: can this worker write every log folder? Leaves a marker the driver looks for."""
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)
    problems: dict[str, str] = {}
    for folder in folders:
        try:
            check_writable(folder)
            marker = join(folder, f".auditor-probe-{token}")
            _write(marker)
        except AuditorError as exc:
            problems[str(folder)] = str(exc)
    return {"host": socket.gethostname(), "problems": problems}


def _write(location: LogLocation) -> None:
    if is_url(location):
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(str(location))
        with fs.open(path, "w") as handle:
            handle.write("ok")
    else:
        with open(location, "w", encoding="utf-8") as handle:
            handle.write("ok")


def _remove(location: LogLocation) -> None:
    try:
        if is_url(location):
            from fsspec.core import url_to_fs

            fs, path = url_to_fs(str(location))
            fs.rm(path)
        else:
            os.unlink(location)
    except Exception:  # a marker left behind is harmless
        pass


def _cause(exc: BaseException) -> str:
    """The one-line reason of a failed Ray task (the worker's own exception when Ray carried it)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, AuditorError):
        return str(cause)
    if isinstance(cause, BaseException):
        text = " ".join(str(cause).split())
        return f"{type(cause).__name__}: {text}"[:400]
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:400]


class RayExecutor:
    """Runs units as Ray tasks (see the module docstring)."""

    def __init__(self, address: str | None) -> None:
        self.address = address or None
        self.ray: Any = None
        self.initialized_here = False
        self.cwd = os.getcwd()

    # -- connecting ----------------------------------------------------------------------
    def connect(self) -> Any:
        if self.ray is not None:
            return self.ray
        ray = import_ray()
        check_address(self.address)
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"log_to_driver": False}
            if self.address is None and not os.environ.get("RAY_ADDRESS"):
                kwargs["include_dashboard"] = False
            try:
                ray.init(address=self.address, **kwargs)
            except Exception as exc:  # ConnectionError, ValueError, RuntimeError, ...
                where = self.address or "a local Ray instance"
                raise ConfigError(f"cannot start or join Ray ({where}): {' '.join(str(exc).split())[:300]}") from None
            self.initialized_here = True
        self.ray = ray
        return ray

    def describe(self) -> str:
        resources = self.ray.cluster_resources()
        nodes = len([n for n in self.ray.nodes() if n.get("Alive")])
        gpus = resources.get("GPU", 0)
        where = self.address or "local Ray instance"
        return f"{where}: {nodes} node(s), {resources.get('CPU', 0):g} CPUs, {gpus:g} GPUs"

    # -- checks before anything is sent ---------------------------------------------------
    def check(self, units: list[Unit]) -> None:
        ray = self.connect()
        gpu_units = [u for u in units if "num_gpus" in unit_resources(u)]
        if gpu_units and not ray.cluster_resources().get("GPU", 0):
            models = ", ".join(m for u in gpu_units for m in u.models if gpu_served(m))
            if self.address is None and not os.environ.get("RAY_ADDRESS"):  # a local instance: nothing will add a GPU
                raise ConfigError(
                    f"{models} is served on the worker and needs a GPU, but this Ray instance has none: "
                    "join a cluster with GPU workers (--ray-address HOST:PORT) or serve the model elsewhere and set VLLM_BASE_URL"
                )
            print(f"auditor: warning: the Ray cluster has no GPU now; {len(gpu_units)} unit(s) serving {models} wait for one "
                  "(an autoscaler such as KubeRay's adds GPU workers on demand)", file=sys.stderr)
        self.check_log_folders([u.log_dir for u in units])

    def check_log_folders(self, folders: list[LogLocation]) -> None:
        """A worker creates and writes every log folder; the driver must then see what it wrote."""
        ray = self.connect()
        folders = list(dict.fromkeys(folders))
        token = uuid.uuid4().hex[:12]
        probe = ray.remote(_probe_task).options(num_cpus=0, max_retries=1)
        ref = probe.remote(folders, token, self.cwd)
        try:
            answer = ray.get(ref, timeout=PROBE_TIMEOUT)
        except ray.exceptions.GetTimeoutError:
            ray.cancel(ref, force=True)
            raise ConfigError(
                f"no Ray worker ran the log-folder check within {PROBE_TIMEOUT:.0f} s ({self.describe()}); "
                "check that the cluster has live workers"
            ) from None
        except ray.exceptions.RayError as exc:
            raise ConfigError(f"the log-folder check failed on a Ray worker: {_cause(exc)}") from None
        host = answer["host"]
        for folder in folders:
            problem = answer["problems"].get(str(folder))
            if problem:
                raise ConfigError(f"{problem} on Ray worker {host}; use a log folder every worker can write (--log-dir: a shared filesystem path or a URL such as s3://bucket/audits)")
            marker = join(folder, f".auditor-probe-{token}")
            if not exists(marker):
                raise ConfigError(
                    f"log folder {folder} written on Ray worker {host} is not visible here ({socket.gethostname()}): "
                    "use a shared filesystem path or a URL such as s3://bucket/audits for --log-dir"
                )
            _remove(marker)

    # -- running -------------------------------------------------------------------------
    def run(self, units: list[Unit], tasks: "list[Task] | None", judge: "JudgeChoice", say: Printer) -> list[UnitResult]:
        """Submit every unit, report each as it ends, and return their results (logs read back here)."""
        ray = self.connect()
        # a GPU unit's worker exits after it (max_calls=1), so the model server it started frees the GPU
        remote, remote_gpu = ray.remote(_unit_task), ray.remote(max_calls=1)(_unit_task)
        refs: dict[Any, int] = {}
        say(f"auditor: ray: {len(units)} unit(s) on {self.describe()}")
        for index, unit in enumerate(units):
            resources = unit_resources(unit)
            options: dict[str, Any] = {
                **resources,
                "max_retries": MAX_RETRIES,
                "retry_exceptions": False,  # a unit that fails by itself (bad key, ...) fails the same way again
                "runtime_env": {"env_vars": worker_env(unit)},
                "name": f"auditor-unit-{index + 1}",
            }
            worker_unit = Unit(unit.name, unit.log_dir, unit.models, unit_options_for_workers(unit.options))
            function = remote_gpu if "num_gpus" in resources else remote
            try:
                refs[function.options(**options).remote(worker_unit, self.cwd)] = index
            except Exception as exc:  # Ray rejects the task (options, serialisation): nothing has been sent for it
                self._cancel(list(refs))
                raise AuditorError(f"Ray did not accept unit {unit.name}: {' '.join(str(exc).split())[:300]}") from None
            shown = ", ".join(f"{k.removeprefix('num_')}={v:g}" for k, v in resources.items())
            say(f"auditor: ray: unit {index + 1}/{len(units)} submitted: {unit.name} ({shown}) -> {unit.log_dir}")
        results: list[UnitResult | None] = [None] * len(units)
        pending = list(refs)
        started = time.monotonic()
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=HEARTBEAT_SECONDS)
                if not ready:
                    waiting = ", ".join(units[refs[r]].name for r in pending)
                    say(f"auditor: ray: {len(units) - len(pending)}/{len(units)} units done after {time.monotonic() - started:.0f} s; running or queued: {waiting}")
                    continue
                for ref in ready:
                    index = refs[ref]
                    results[index] = self._collect(ref, units[index])
                    from auditor.executors.local import outcome_line

                    result = results[index]
                    assert result is not None
                    say(f"auditor: ray: unit {index + 1}/{len(units)} {units[index].name}"
                        f"{' on ' + result.where if result.where else ''}: {outcome_line(result)}")
        except KeyboardInterrupt:
            self._cancel(pending)
            raise
        return [r for r in results if r is not None]

    def _collect(self, ref: Any, unit: Unit) -> UnitResult:
        from auditor.results import read_log

        ray = self.ray
        result = UnitResult(unit)
        try:
            payload = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            result.error = _cause(exc)
            return result
        except ray.exceptions.RayError as exc:  # worker or node died more often than MAX_RETRIES, OOM, cancelled
            result.error = (
                f"its Ray worker failed ({_cause(exc)}) after {MAX_RETRIES} retries; finished samples are kept in "
                f"{unit.log_dir} and a rerun resumes from them"
            )
            return result
        result.success, result.where, result.seconds = payload["success"], payload["where"], payload["seconds"]
        result.error = payload["error"]
        try:
            result.logs = [read_log(location) for location in payload["locations"]]
        except Exception as exc:
            result.error = result.error or (
                f"the logs a Ray worker wrote in {unit.log_dir} cannot be read here ({' '.join(str(exc).split())[:200]}); "
                "use a log folder the driver and every worker share"
            )
        return result

    def _cancel(self, pending: list[Any]) -> None:
        """Ctrl-C: interrupt the running units (Inspect writes their cancelled logs), then kill what is left."""
        ray = self.ray
        for ref in pending:
            try:
                ray.cancel(ref, force=False)
            except Exception:
                pass
        deadline = time.monotonic() + CANCEL_GRACE
        left = list(pending)
        while left and time.monotonic() < deadline:
            _, left = ray.wait(left, num_returns=len(left), timeout=1.0)
        for ref in left:
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass

    def close(self) -> None:
        if self.ray is not None and self.initialized_here:
            self.ray.shutdown()
        self.ray = None
