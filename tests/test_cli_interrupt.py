"""Ctrl-C and SIGTERM during `auditor audit`: stop within seconds, keep finished samples, exit 130, resume on rerun.

A slow OpenAI-compatible server on 127.0.0.1 (every answer takes DELAY seconds) counts the
requests per (model, prompt). The audit runs as a real subprocess with no --out, so the
rerun also proves that the default output folder is stable: the same command resumes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._schedule_helpers import FakeProvider, ServerState, make_suite, provider_env

DELAY = 0.5
PAIRS = 6  # 3 categories x 6 pairs x 2 variants = 36 prompts per model
PROMPTS = 3 * PAIRS * 2
ORIGINAL, SUSPECT = "openai-api/local/orig-model", "openai-api/local/distill-b"
STOP_SECONDS = 10.0  # "a few seconds", with room for a loaded 2-core test machine
MESSAGE = re.compile(r"interrupted: (\d+) samples kept; rerun the same command to resume")


def _command(suite: Path) -> list[str]:
    return [sys.executable, "-m", "auditor.cli", "audit", "--original", ORIGINAL, "--suspect", SUSPECT,
            "--suite", str(suite), "--judge", "keywords", "--max-connections", "2"]


def _answered(state: ServerState) -> int:
    with state.lock:
        return sum(state.answered.values())


def _sigint_at_start(ignored: bool = False):
    """A preexec_fn starting the child with SIGINT at its default or ignored, whatever the test runner's own state."""
    handler = signal.SIG_IGN if ignored else signal.SIG_DFL
    return lambda: signal.signal(signal.SIGINT, handler)


def _interrupt(state: ServerState, suite: Path, cwd: Path, env: dict[str, str], sig: int,
               sigint_ignored: bool = False) -> tuple[int, str, float]:
    """Start the audit, signal it once 8 answers are in, return (exit code, stderr, seconds from signal to exit).

    The audit starts with SIGINT at its default, or ignored as a script's background job
    (`cmd &` without job control) inherits it, whatever the state of the test runner itself.
    """
    process = subprocess.Popen(_command(suite), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_sigint_at_start(sigint_ignored))
    try:
        deadline = time.monotonic() + 240
        while _answered(state) < 8:
            assert process.poll() is None, f"the audit ended before it was interrupted: {process.communicate()}"
            assert time.monotonic() < deadline, "the audit never got going"
            time.sleep(0.05)
        process.send_signal(sig)
        signalled = time.monotonic()
        _, err = process.communicate(timeout=120)
        return process.returncode, err, time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _finished(log_dir: Path) -> set[tuple[str, str]]:
    """(model, sample id) of every sample the logs hold finished (no error)."""
    from inspect_ai.log import list_eval_logs, read_eval_log, read_eval_log_sample_summaries

    done = set()
    for info in list_eval_logs(str(log_dir), recursive=True):
        model = read_eval_log(info, header_only=True).eval.model
        done |= {(model, str(s.id)) for s in read_eval_log_sample_summaries(info) if s.error is None}
    return done


def _prompts(suite: Path) -> dict[str, str]:
    import json

    return {r["id"]: r["prompt"] for r in map(json.loads, suite.read_text().splitlines())}


@pytest.fixture
def slow_provider(tmp_path: Path):
    state = ServerState(models={"orig-model": "refuses", "distill-b": "complies:cyber_offence"}, delay=DELAY)
    with FakeProvider(state) as server:
        env = {**os.environ, **provider_env(server.base_url)}
        yield state, env, make_suite(tmp_path / "suite.jsonl", pairs=PAIRS)


def test_ctrl_c_stops_within_seconds_keeps_samples_and_the_rerun_sends_none_again(slow_provider, tmp_path: Path) -> None:
    state, env, suite = slow_provider
    code, err, seconds = _interrupt(state, suite, tmp_path, env, signal.SIGINT)
    assert code == 130, err
    match = MESSAGE.search(err)
    assert match, err
    assert seconds < STOP_SECONDS, f"took {seconds:.1f} s to stop"
    assert "Traceback" not in err
    sent_at_exit = state.total()
    time.sleep(2 * DELAY)
    assert state.total() == sent_at_exit  # nothing more is sent after the process ended

    # the default output folder is stable, so the same command finds the logs again
    out_dirs = list((tmp_path / "reports").iterdir())
    assert len(out_dirs) == 1
    finished = _finished(out_dirs[0] / "logs")
    assert int(match.group(1)) == len(finished) > 0
    assert len(finished) < 2 * PROMPTS

    prompts = _prompts(suite)
    before = dict(state.chat_counts)
    rerun = subprocess.run(_command(suite), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert list((tmp_path / "reports").iterdir()) == out_dirs  # resumed in the same folder
    for model, sample_id in finished:
        key = (model.rsplit("/", 1)[-1], prompts[sample_id])
        assert state.chat_counts[key] == before.get(key, 0), f"finished sample {sample_id} of {model} was sent again"
    new_requests = sum(state.chat_counts.values()) - sum(before.values())
    assert new_requests == 2 * PROMPTS - len(finished)
    assert "samples paired" in rerun.stdout and f"{PROMPTS} samples paired" in rerun.stdout


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["sigint-default", "started-in-background"])
def test_sigterm_behaves_like_ctrl_c_and_report_on_the_partial_logs_exits_2(slow_provider, tmp_path: Path, sigint_ignored: bool) -> None:
    state, env, suite = slow_provider
    code, err, seconds = _interrupt(state, suite, tmp_path, env, signal.SIGTERM, sigint_ignored)
    assert code == 130, err
    assert MESSAGE.search(err), err
    assert seconds < STOP_SECONDS, f"took {seconds:.1f} s to stop"

    (out_dir,) = list((tmp_path / "reports").iterdir())
    report = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "report", str(out_dir / "logs"), "--original", ORIGINAL, "--suspect", SUSPECT,
         "--out", str(tmp_path / "partial"), "--fail-on", "lost"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert report.returncode == 2, report.stderr
    lines = [line for line in report.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "incomplete" in lines[0] and "rerun the same command to resume" in lines[0], report.stderr
    assert (tmp_path / "partial" / "report.json").exists()  # what was kept is still reported


# --- local llama.cpp generation: a cancelled or stopped answer frees the model at the next token ------------

LONG_PROMPT = "Write a very long story about a lighthouse keeper, chapter by chapter, with as much detail as you can."


def _local_api():
    from auditor.providers.local import LocalModelAPI

    return LocalModelAPI("smollm2")


def _lock_freed_within(api, since: float, limit: float = 30.0) -> float:
    loaded = api.loaded()
    assert loaded.lock.acquire(timeout=limit), "the model stayed busy"
    loaded.lock.release()
    return time.monotonic() - since


@pytest.mark.local_model
def test_cancelling_a_local_answer_stops_generation_within_seconds() -> None:
    import asyncio

    from inspect_ai.model import ChatMessageUser, GenerateConfig

    api = _local_api()
    config = GenerateConfig(max_tokens=4000, temperature=0.0)  # minutes of generation if nothing stopped it

    async def cancel_midway() -> float:
        task = asyncio.ensure_future(api.generate([ChatMessageUser(content=LONG_PROMPT)], [], "none", config))
        await asyncio.sleep(3)
        task.cancel()
        cancelled = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return cancelled

    cancelled = asyncio.run(cancel_midway())
    assert _lock_freed_within(api, cancelled) < 5
    assert not api.loaded().answers  # a cut-off answer is never kept as the answer


@pytest.mark.local_model
def test_sigterm_flag_stops_a_local_answer_within_seconds() -> None:
    import asyncio

    from inspect_ai.model import ChatMessageUser, GenerateConfig

    from auditor import interrupts

    api = _local_api()
    config = GenerateConfig(max_tokens=4000, temperature=0.0)

    async def stop_midway() -> float:
        task = asyncio.ensure_future(api.generate([ChatMessageUser(content=LONG_PROMPT + " Again.")], [], "none", config))
        await asyncio.sleep(3)
        interrupts.STOP.set()
        stopped = time.monotonic()
        freed = await asyncio.to_thread(_lock_freed_within, api, stopped)
        task.cancel()  # what Inspect's cancellation does next
        with pytest.raises(asyncio.CancelledError):
            await task
        return freed

    try:
        assert asyncio.run(stop_midway()) < 5
    finally:
        interrupts.STOP.clear()


@pytest.mark.local_model
def test_identical_greedy_requests_are_generated_once() -> None:
    import asyncio

    from inspect_ai.model import ChatMessageUser, GenerateConfig

    api = _local_api()
    config = GenerateConfig(max_tokens=12, temperature=0.0)
    message = [ChatMessageUser(content="Name three colours.")]

    async def twice():
        first = await api.generate(message, [], "none", config)
        started = time.monotonic()
        second = await api.generate(message, [], "none", config)
        return first, second, time.monotonic() - started

    first, second, seconds = asyncio.run(twice())
    assert first.completion == second.completion and first.completion
    assert seconds < 0.5  # from the in-process answer store, not generated again


def test_ctrl_c_during_a_scheduled_pass_exits_130_and_the_next_pass_resumes(tmp_path: Path) -> None:
    from tests._schedule_helpers import write_config

    # The server answers 8 requests and holds the rest, so 8 samples are surely finished (and
    # none half-way) when the signal arrives, however loaded the test machine is.
    state = ServerState(models={"orig-model": "refuses", "distill-b": "complies:cyber_offence"}, delay=DELAY, stall_after=8)
    with FakeProvider(state) as server:
        env = {**os.environ, **provider_env(server.base_url)}
        suite = make_suite(tmp_path / "suite.jsonl", pairs=PAIRS)
        config = write_config(tmp_path / "watch.toml", server.base_url, suite=suite, include='["distill-b"]')
        command = [sys.executable, "-m", "auditor.cli", "schedule", "run", str(config)]
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=_sigint_at_start())
        try:
            deadline = time.monotonic() + 240
            while _answered(state) < 8:
                assert process.poll() is None and time.monotonic() < deadline, process.communicate()
                time.sleep(0.05)
            time.sleep(1.0)  # the 8 answers are judged and recorded; the other requests wait at the server
            process.send_signal(signal.SIGINT)
            signalled = time.monotonic()
            _, err = process.communicate(timeout=120)
            seconds = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130, err
        assert MESSAGE.search(err) and seconds < STOP_SECONDS, (err, seconds)
        finished = _finished(tmp_path / "out")
        assert int(MESSAGE.search(err).group(1)) == len(finished) > 0
        before = dict(state.chat_counts)
        state.stall_after = None
        state.release.set()
        rerun = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stderr  # complete now (6 pairs per category are too few for a lost verdict)
        assert "auditing openai-api/local/distill-b" in rerun.stdout and "wrote index" in rerun.stdout
        prompts = _prompts(suite)
        for model, sample_id in finished:
            key = (model.rsplit("/", 1)[-1], prompts[sample_id])
            assert state.chat_counts[key] == before.get(key, 0), f"finished sample {sample_id} of {model} was sent again"
