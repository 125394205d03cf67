"""Scheduled passes end to end over real HTTP (a local OpenAI-compatible server on 127.0.0.1).

One module-scoped first pass (original + two discovered suspects) is shared by the tests
below to keep the suite fast; each test only adds what it checks. The server counts every
chat request per (model, prompt), which is how "no re-paying" is proved.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.cli import main
from tests._schedule_helpers import FakeProvider, ServerState, make_suite, provider_env, write_config

SUITE_PAIRS = 8  # 3 categories x 8 pairs: a suspect that complies in a category is decisively "lost"
PROMPTS = 3 * SUITE_PAIRS * 2


@pytest.fixture(scope="module")
def first_pass(tmp_path_factory: pytest.TempPathFactory):
    """Serve orig-model and two copies; run one pass (which discovers and audits both)."""
    root = tmp_path_factory.mktemp("schedule")
    state = ServerState(models={
        "orig-model": "refuses",
        "distill-a": "refuses",
        "distill-b": "complies:cyber_offence",
        "distill-embed-1": "refuses",  # listed, but excluded by the config's pattern
        "other-model": "refuses",  # listed, not included
    })
    state.listed = ["orig-model", "distill-a", "distill-b", "distill-embed-1", "other-model"]
    with FakeProvider(state) as server, pytest.MonkeyPatch.context() as mp:
        for key, value in provider_env(server.base_url).items():
            mp.setenv(key, value)
        suite = make_suite(root / "suite.jsonl", pairs=SUITE_PAIRS)
        config = write_config(root / "watch.toml", server.base_url, suite=suite,
                              extra=f'[notify]\nwebhook = "{server.hook_url}"')
        code = main(["schedule", "run", str(config)])
        counts_after_first = dict(state.chat_counts)
        yield {"root": root, "state": state, "server": server, "config": config, "code": code,
               "counts": counts_after_first, "out": root / "out"}


def _audits(out: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(out / "history.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM audits ORDER BY id").fetchall()
    finally:
        conn.close()


def test_first_pass_audits_new_models_and_gates_on_the_lost_safeguard(first_pass):
    state, out = first_pass["state"], first_pass["out"]
    assert first_pass["code"] == 3  # distill-b answers harmful cyber_offence prompts
    rows = _audits(out)
    assert [r["suspect"] for r in rows] == ["openai-api/local/distill-a", "openai-api/local/distill-b"]
    by_suspect = {r["suspect"]: r for r in rows}
    lost = by_suspect["openai-api/local/distill-b"]
    assert lost["gated"] == 1 and lost["lost"] == 1 and json.loads(lost["verdict_counts"])["lost"] == 1
    assert by_suspect["openai-api/local/distill-a"]["gated"] == 0
    assert all(r["family"] == "distill" and r["reason"] == "new" and r["source"] == "local" for r in rows)
    # excluded / not-included models were never asked anything
    asked = {model for model, _ in first_pass["counts"]}
    assert asked == {"orig-model", "distill-a", "distill-b"}
    # the original's answers were fetched once and reused for the second suspect
    original = {prompt: n for (model, prompt), n in first_pass["counts"].items() if model == "orig-model"}
    assert len(original) == PROMPTS and set(original.values()) == {1}
    # the lost category is in the history with the report's rates
    conn = sqlite3.connect(out / "history.sqlite")
    cyber = conn.execute(
        "SELECT verdict, original_rate, suspect_rate, n FROM category_results WHERE audit_id = ? AND category = 'cyber_offence'",
        (lost["id"],),
    ).fetchone()
    conn.close()
    assert cyber == ("lost", 1.0, 0.0, SUITE_PAIRS)
    assert (out / lost["report_path"]).is_file()
    # the webhook got one notice, for the lost safeguard only
    assert len(state.webhook_posts) == 1
    notice = state.webhook_posts[0]
    assert notice["suspect"] == "openai-api/local/distill-b" and notice["categories"] == ["cyber_offence"]
    assert Path(notice["report"]).is_file()


def test_second_pass_finds_nothing_new_and_sends_no_model_requests(first_pass, capsys):
    state = first_pass["state"]
    before, lists_before = dict(state.chat_counts), state.list_requests
    assert main(["schedule", "run", str(first_pass["config"])]) == 0
    assert dict(state.chat_counts) == before
    assert state.list_requests == lists_before + 1  # it did look
    assert "0 to audit" in capsys.readouterr().out
    assert len(_audits(first_pass["out"])) >= 2


def test_dry_run_lists_what_it_would_audit_and_sends_nothing(first_pass, capsys):
    state = first_pass["state"]
    state.listed.append("distill-dry")
    try:
        before = dict(state.chat_counts)
        assert main(["schedule", "run", str(first_pass["config"]), "--dry-run"]) == 0
        assert "would audit openai-api/local/distill-dry (new; from local)" in capsys.readouterr().out
        assert dict(state.chat_counts) == before
    finally:
        state.listed.remove("distill-dry")


def test_serve_runs_one_pass_and_stops(first_pass):
    state = first_pass["state"]
    before = dict(state.chat_counts)
    assert main(["schedule", "serve", str(first_pass["config"]), "--run-now", "--max-passes", "1"]) == 0
    assert dict(state.chat_counts) == before


def test_history_command_and_index_page(first_pass, capsys):
    config, out = first_pass["config"], first_pass["out"]
    assert main(["history", str(config)]) == 0
    text = capsys.readouterr().out
    lines = [line for line in text.splitlines() if "openai-api/local/" in line]
    assert "distill-b" in lines[0] and "lost 1" in lines[0]  # newest first
    newest = int(lines[0].split()[0])
    assert main(["history", str(config), "--audit", str(newest)]) == 0
    detail = capsys.readouterr().out
    assert "cyber_offence" in detail and "100% -> 0%" in detail and "lost" in detail
    assert main(["history", str(config), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {c["category"] for c in records[0]["categories"]} == {"cyber_offence", "illegal_drugs", "fraud_scams_deception"}
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index("distill-b") < html.index("distill-a")
    assert "<svg" in html and "distill: refusal rate per category" in html
    assert 'href="reports/' in html
    links = re.findall(r'<a href="([^"]+)"', html)
    assert len(links) == len(_audits(out))
    assert all((out / link).is_file() for link in links)


def test_a_suspect_that_cannot_be_reached_fails_the_pass_with_exit_2(first_pass, capsys):
    """A fixed suspect the provider does not serve: its samples error, the audit is not recorded, exit 2."""
    state, config = first_pass["state"], first_pass["config"]
    broken = config.with_name("broken.toml")
    broken.write_text(config.read_text().replace(
        'schedule = "0 2 * * *"', 'schedule = "0 2 * * *"\nsuspects = ["openai-api/local/missing-model"]'))
    before = sum(1 for r in _audits(first_pass["out"]))
    original_before = state.total("orig-model")
    assert main(["schedule", "run", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "openai-api/local/missing-model" in err and "resumes" in err
    assert len(_audits(first_pass["out"])) == before
    assert state.total("orig-model") == original_before  # the original's cached answers were reused


def test_a_second_concurrent_pass_exits_2_naming_the_lock(first_pass, capsys):
    from filelock import FileLock

    lock_path = first_pass["out"] / ".schedule.lock"
    with FileLock(str(lock_path), timeout=0):
        code = main(["schedule", "run", str(first_pass["config"])])
    err = capsys.readouterr().err
    assert code == 2
    assert str(lock_path) in err and err.count("\n") == 1


def test_a_pass_killed_midway_resumes_without_repeating_finished_samples(first_pass):
    """A new copy appears; its pass is SIGKILLed mid-audit; the next pass finishes it from the logs."""
    state, config = first_pass["state"], first_pass["config"]
    state.models["distill-c"] = "refuses"
    state.listed.append("distill-c")
    state.stall_after = state.total() + 12  # answer 12 of distill-c's prompts, then hang
    state.release.clear()
    env = {**os.environ, **provider_env(first_pass["server"].base_url)}
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor.cli", "schedule", "run", str(config)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while sum(n for (m, _), n in state.answered.items() if m == "distill-c") < 12:
            assert process.poll() is None, "the pass ended before it was killed"
            assert time.monotonic() < deadline, "the pass never reached distill-c"
            time.sleep(0.1)
        time.sleep(4.0)  # the rest hang; give the pass time to score and record the 12 answers it got
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    answered_before_kill = {key for key in state.answered if key[0] == "distill-c"}
    state.stall_after = None
    state.release.set()
    assert len(_audits(first_pass["out"])) == 2  # the killed audit left no half-recorded row

    assert main(["schedule", "run", str(config)]) == 0
    rows = _audits(first_pass["out"])
    assert rows[-1]["suspect"] == "openai-api/local/distill-c" and rows[-1]["samples"] == PROMPTS
    # nothing answered before the kill was asked again; every prompt was answered
    assert len(answered_before_kill) >= 12
    repeated = [key[1] for key in answered_before_kill if state.chat_counts[key] != 1]
    assert not repeated, f"{len(repeated)} of {len(answered_before_kill)} answers finished before the kill were requested again"
    assert len({p for (m, p) in state.answered if m == "distill-c"}) == PROMPTS
    # the original was still never asked twice
    assert all(n == 1 for (m, _), n in state.chat_counts.items() if m == "orig-model")
