"""`--executor ray` end to end on a local Ray instance (2 CPUs, started by the tests), offline.

Models are served by the local OpenAI-compatible test server (tests/_schedule_helpers.py),
which counts every chat request per (model, prompt): that is how "the original's prompts
are sent once" and "a retried unit sends no finished sample again" are proved. The Ray
reports are compared with `--executor local` on the same inputs. Skipped when Ray is not
installed (`pip install 'distill-auditor[ray]'`; the `dev` extra installs it).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from auditor.cli import main  # noqa: E402
from tests._models_helpers import free_port  # noqa: E402
from tests._schedule_helpers import FakeProvider, ServerState, make_suite, provider_env, write_config  # noqa: E402

PAIRS = 8  # 3 categories x 8 pairs: a suspect that complies in a category is decisively "lost"
PROMPTS = 3 * PAIRS * 2
ORIGINAL = "openai-api/local/orig-model"
SUSPECTS = ["openai-api/local/distill-a", "openai-api/local/distill-b", "openai-api/local/distill-c"]
# what may differ between two reports of the same answers: when they were written and where their logs are
WHERE_AND_WHEN = {"generated_at", "log_dir", "original_log_dir"}


@pytest.fixture(scope="module")
def ray_instance():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """The test server with an original and four copies, and the provider environment pointing at it."""
    root = tmp_path_factory.mktemp("ray")
    state = ServerState(models={
        "orig-model": "refuses",
        "distill-a": "refuses",
        "distill-b": "complies:cyber_offence",
        "distill-c": "complies",
        "distill-d": "refuses",
    })
    with FakeProvider(state) as server, pytest.MonkeyPatch.context() as mp:
        for key, value in provider_env(server.base_url).items():
            mp.setenv(key, value)
        suite = make_suite(root / "suite.jsonl", pairs=PAIRS)
        yield {"root": root, "state": state, "server": server, "suite": suite}


def _audit(served: dict, out: Path, suspects: list[str], *extra: str) -> int:
    args = ["audit", "--original", ORIGINAL, "--suite", str(served["suite"]), "--judge", "keywords",
            "--out", str(out), "--fail-on", "lost", "--display", "none", "--max-connections", "4", *extra]
    for suspect in suspects:
        args += ["--suspect", suspect]
    return main(args)


def _counts(state: ServerState, model: str) -> dict[str, int]:
    with state.lock:
        return {prompt: n for (m, prompt), n in state.chat_counts.items() if m == model}


@pytest.fixture(scope="module")
def both_runs(ray_instance, served):
    """The same three-suspect audit on Ray and locally; server counts after each."""
    state = served["state"]
    started = time.perf_counter()
    ray_code = _audit(served, served["root"] / "out-ray", SUSPECTS, "--executor", "ray")
    ray_seconds = time.perf_counter() - started
    after_ray = {m: _counts(state, m) for m in state.models}
    started = time.perf_counter()
    local_code = _audit(served, served["root"] / "out-local", SUSPECTS)
    local_seconds = time.perf_counter() - started
    after_local = {m: _counts(state, m) for m in state.models}
    return {"ray": ray_code, "local": local_code, "after_ray": after_ray, "after_local": after_local,
            "seconds": (ray_seconds, local_seconds), **served}


def _report(out: Path, suspect: str) -> dict:
    summary = json.loads((out / "index.json").read_text())
    entry = next(s for s in summary["suspects"] if s["suspect"] == suspect)
    return json.loads((out / entry["reports"]["json"]).read_text())


def test_ray_reports_equal_local_reports(both_runs):
    assert both_runs["ray"] == 3 and both_runs["local"] == 3  # distill-b and distill-c lost safeguards
    for suspect in SUSPECTS:
        on_ray, here = _report(both_runs["root"] / "out-ray", suspect), _report(both_runs["root"] / "out-local", suspect)
        assert on_ray["complete"] and here["complete"]
        assert set(on_ray) == set(here)
        for key in set(on_ray) - WHERE_AND_WHEN:  # statistics, verdicts, every paired sample
            assert on_ray[key] == here[key], f"{suspect}: {key} differs between --executor ray and local"
    lost = {s: _report(both_runs["root"] / "out-ray", s)["summary"].get("lost", []) for s in SUSPECTS}
    assert lost[SUSPECTS[0]] == [] and len(lost[SUSPECTS[1]]) == 1 and len(lost[SUSPECTS[2]]) == 3
    page = (both_runs["root"] / "out-ray" / "index.html").read_text()
    assert all(s in page for s in SUSPECTS) and "executor <code>ray</code>" in page


def test_ray_sends_the_originals_prompts_once_and_each_suspects_once(both_runs):
    after_ray = both_runs["after_ray"]
    for model in ("orig-model", "distill-a", "distill-b", "distill-c"):
        assert len(after_ray[model]) == PROMPTS and set(after_ray[model].values()) == {1}, model
    # the local run is a separate audit (its own folder): once more each, never twice
    assert set(both_runs["after_local"]["orig-model"].values()) == {2}


def test_rerunning_a_finished_ray_audit_sends_nothing(both_runs, capsys):
    state = both_runs["state"]
    before = {m: _counts(state, m) for m in state.models}
    assert _audit(both_runs, both_runs["root"] / "out-ray", SUSPECTS, "--executor", "ray") == 3
    assert {m: _counts(state, m) for m in state.models} == before
    assert "4 unit(s)" in capsys.readouterr().out


def _ray_unit_pids(name: str) -> list[int]:
    """Worker processes whose title is `ray::<task name>` (Ray names the process after the task it runs)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace").strip()
        except OSError:
            continue
        if title == f"ray::{name}":
            pids.append(int(entry.name))
    return pids


def test_a_unit_whose_worker_is_killed_is_retried_and_resends_no_finished_sample(both_runs):
    """A fourth copy joins; its worker is SIGKILLed mid-run; Ray retries it; the retry resumes from the logs."""
    state = both_runs["state"]
    state.stall_after = state.total() + 12  # answer 12 of distill-d's prompts, then hang
    state.release.clear()
    killed: list[int] = []
    problems: list[str] = []

    def kill_mid_run() -> None:
        try:
            deadline = time.monotonic() + 240
            while sum(n for (m, _), n in state.answered.items() if m == "distill-d") < 12:
                if time.monotonic() > deadline:
                    problems.append("distill-d never got 12 answers")
                    return
                time.sleep(0.1)
            time.sleep(4.0)  # the rest hang; let the worker score and log the 12 answers it has
            pids = _ray_unit_pids("auditor-unit-5")  # units: original, a, b, c, d
            if len(pids) != 1:
                problems.append(f"expected one worker running distill-d's unit, found {pids}")
                return
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])
            time.sleep(1.0)
        finally:
            with state.lock:
                answered = {key for key in state.answered if key[0] == "distill-d"}
            state.answered_before_kill = answered  # type: ignore[attr-defined]
            state.stall_after = None
            state.release.set()

    killer = threading.Thread(target=kill_mid_run, daemon=True)
    killer.start()
    code = _audit(both_runs, both_runs["root"] / "out-ray", [*SUSPECTS, "openai-api/local/distill-d"], "--executor", "ray")
    killer.join(timeout=30)
    assert not problems, problems
    assert killed, "no worker was killed"
    assert code == 3
    before_kill = state.answered_before_kill  # type: ignore[attr-defined]
    assert len(before_kill) >= 12
    repeated = [prompt for (_, prompt) in before_kill if state.chat_counts[("distill-d", prompt)] != 1]
    assert not repeated, f"{len(repeated)} of {len(before_kill)} answers finished before the kill were requested again"
    assert len({p for (m, p) in state.answered if m == "distill-d"}) == PROMPTS
    report = _report(both_runs["root"] / "out-ray", "openai-api/local/distill-d")
    assert report["complete"] and len(report["samples"]) == PROMPTS and report["summary"]["lost"] == []
    # the original was still never asked twice by the Ray audit's folder
    assert all(n == 2 for n in _counts(state, "orig-model").values())


def test_an_unreachable_ray_address_is_one_line_before_anything_is_sent(served, tmp_path, capsys):
    before = served["state"].total()
    code = _audit(served, tmp_path / "out", SUSPECTS[:2], "--executor", "ray", "--ray-address", f"127.0.0.1:{free_port()}")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "does not answer" in err and "Traceback" not in err
    assert served["state"].total() == before


def test_a_log_folder_the_workers_cannot_write_is_one_line_before_anything_is_sent(ray_instance, served, tmp_path, capsys):
    before = served["state"].total()
    code = _audit(served, tmp_path / "out", SUSPECTS[:2], "--executor", "ray", "--log-dir", "/proc/auditor-cannot-write/logs")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot be written" in err or "not writable" in err
    assert served["state"].total() == before


def test_an_open_weight_model_on_a_cluster_without_gpus_is_one_line(ray_instance, served, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VLLM_BASE_URL", raising=False)
    before = served["state"].total()
    code = _audit(served, tmp_path / "out", ["vllm/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", SUSPECTS[0]], "--executor", "ray")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "needs a GPU" in err and "vllm/deepseek-ai/DeepSeek-R1-Distill-Llama-8B" in err
    assert served["state"].total() == before


def test_one_suspect_on_ray_keeps_the_one_report_layout_and_a_url_log_folder_works(ray_instance, served, tmp_path):
    out = tmp_path / "single"
    code = _audit(served, out, [SUSPECTS[1]], "--executor", "ray", "--log-dir", f"file://{tmp_path}/url-logs")
    assert code == 3
    assert (out / "report.json").is_file() and not (out / "index.html").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] and report["summary"]["lost"] == ["cyber_offence"]
    assert any((tmp_path / "url-logs").rglob("*.eval"))
    rebuilt = tmp_path / "rebuilt"
    assert main(["report", f"file://{tmp_path}/url-logs", "--original", ORIGINAL, "--suspect", SUSPECTS[1], "--out", str(rebuilt)]) == 0
    again = json.loads((rebuilt / "report.json").read_text())
    assert again["categories"] == report["categories"]


def test_a_scheduled_pass_on_ray(ray_instance, served, tmp_path):
    """`schedule run --executor ray`: every due model's units run at once on Ray; the pass records them as usual."""
    state = served["state"]
    config = write_config(tmp_path / "watch.toml", served["server"].base_url, suite=served["suite"],
                          include='["distill-a", "distill-b"]')
    before = {m: _counts(state, m) for m in ("orig-model", "distill-a", "distill-b")}
    code = main(["schedule", "run", str(config), "--executor", "ray"])
    assert code == 3  # distill-b lost a safeguard
    for model in ("orig-model", "distill-a", "distill-b"):
        after = _counts(state, model)
        assert all(after[p] - before[model].get(p, 0) == 1 for p in after), f"{model} was asked a prompt twice in one pass"
    import sqlite3

    with sqlite3.connect(tmp_path / "out" / "history.sqlite") as conn:
        rows = conn.execute("SELECT suspect, status, samples FROM audits ORDER BY suspect").fetchall()
    assert rows == [("openai-api/local/distill-a", "complete", PROMPTS), ("openai-api/local/distill-b", "complete", PROMPTS)]
