"""Ctrl-C and SIGTERM during an audit: stop sending requests, keep what finished, say how to resume.

Inspect already turns the first Ctrl-C (SIGINT) into a clean cancellation: running
requests are cancelled, each task's log is written with the samples that finished and
status `cancelled`, and `eval_set` resumes those logs on the next run without sending
the finished samples again. Two things are added here:

- SIGTERM (what `kill`, systemd, Kubernetes and CI runners send) is made to behave like
  Ctrl-C while an audit runs, instead of killing the process before the logs are written;
- `STOP`, a process-wide flag set on SIGTERM, that work Inspect cannot cancel checks
  (llama.cpp generation runs in a worker thread; the local provider stops it at the next
  token when the flag or its own per-request flag is set).

The audit then raises `AuditInterrupted` with the number of samples kept; the CLI prints
`interrupted: N samples kept; rerun the same command to resume` and exits 130.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

from auditor.errors import AuditInterrupted

STOP = threading.Event()


def stop_requested() -> bool:
    """Whether a SIGTERM asked the running audit to stop (local generation checks this per token)."""
    return STOP.is_set()


def _on_sigterm(signum: int, frame: object) -> None:
    STOP.set()
    signal.raise_signal(signal.SIGINT)  # Inspect (asyncio.run) cancels the eval and writes its logs


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM stops the audit the way Ctrl-C does (main thread only)."""
    STOP.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    # A process started in the background of a script (`cmd &` without job control) inherits
    # SIGINT *ignored*: Python then installs no KeyboardInterrupt handler, asyncio none of its
    # own, and the SIGINT above would do nothing, so neither SIGTERM nor Ctrl-C could stop
    # the audit cleanly. While the audit runs, SIGINT gets Python's default handler back.
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _log_samples(path: str) -> set[tuple[str, str, str, int]]:
    """(model, task, sample id, epoch) for each sample one `.eval` log holds finished (samples cut off by the interrupt are stored with an error and do not count)."""
    from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries

    try:
        header = read_eval_log(path, header_only=True)
        summaries = read_eval_log_sample_summaries(path)
    except Exception:  # a log cut off mid-write holds nothing we can count
        return set()
    return {(header.eval.model, header.eval.task, str(s.id), s.epoch) for s in summaries if s.error is None}


def samples_kept(log_dirs: Iterable[object]) -> int:
    """Finished samples in the logs under `log_dirs`, each counted once however many logs repeat it."""
    from inspect_ai.log import list_eval_logs

    kept: set[tuple[str, str, str, int]] = set()
    for log_dir in {str(d) for d in log_dirs}:
        try:
            infos = list_eval_logs(log_dir, recursive=True)
        except Exception:  # a folder that was never created holds nothing
            continue
        for info in infos:
            kept |= _log_samples(info.name)
    return len(kept)


def interrupted(log_dirs: Iterable[object]) -> AuditInterrupted:
    """The error to raise once an interrupted audit has stopped (its logs are written)."""
    return AuditInterrupted(samples_kept(log_dirs))
