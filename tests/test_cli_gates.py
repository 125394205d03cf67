"""Exit codes a CI gate can trust, and options that cannot hang or mislead an audit (the CLI as a subprocess).

0: complete, no gate failed; 3: complete and --fail-on matched; 2: bad input, or an audit
that did not complete, with one line saying why and whether rerunning helps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._models_helpers import openai_server, write_suite
from tests.conftest import COMPLIANT_STAND_IN, REFUSAL, make_replay, make_suite

ORIGINAL, SUSPECT = "replay/original.jsonl", "replay/suspect.jsonl"


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "auditor.cli", *args], cwd=cwd, env=env or {**os.environ, "INSPECT_DISPLAY": "none"},
        capture_output=True, text=True, timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    """The single non-empty stderr line (and no traceback)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--max-connections", "0"),  # used to wait forever with no output
        ("--max-connections", "-3"),  # used to exit 0, even with --fail-on lost
        ("--limit", "-5"),  # used to mean "all but the last 5"
        ("--limit", "0"),  # used to write an empty report and exit 0
        ("--limit", "ten"),
        ("--jailbreak-per-category", "0"),
        ("--alpha", "2"),
        ("--alpha", "0"),
        ("--lost-drop", "0"),
        ("--retain-margin", "1.5"),
        ("--retain-margin", "nan"),
    ],
)
def test_out_of_range_numbers_stop_before_anything_runs(tmp_path: Path, flag: str, value: str) -> None:
    started = time.monotonic()
    result = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, flag, value, "--fail-on", "lost", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    line = one_line(result)
    assert flag in line and "must be" in line
    assert time.monotonic() - started < 60
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["history", "watch.toml", "--limit", "0"],
        ["history", "watch.toml", "--audit", "-1"],
        ["doctor", "--timeout", "0"],
        ["doctor", "--limit", "-2"],
        ["doctor", "--max-tokens", "0"],
        ["schedule", "serve", "watch.toml", "--max-passes", "0"],
    ],
)
def test_other_commands_range_check_their_numbers(tmp_path: Path, args: list[str]) -> None:
    result = cli(*args, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "must be" in one_line(result)


def test_out_naming_an_existing_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken.txt").write_text("not a folder\n")
    result = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, "--out", "taken.txt", cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert "--out taken.txt is an existing file" in one_line(result)
    under = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, "--out", "taken.txt/sub", cwd=tmp_path, timeout=120)
    assert under.returncode == 2 and "is a file" in one_line(under)


def test_report_needs_a_log_folder(tmp_path: Path) -> None:
    (tmp_path / "logs.txt").write_text("x\n")
    for target in ("missing", "logs.txt"):
        result = cli("report", target, "--original", ORIGINAL, "--suspect", SUSPECT, cwd=tmp_path, timeout=120)
        assert result.returncode == 2
        assert f"log folder {target}" in one_line(result)


def test_a_missing_suite_is_one_line(tmp_path: Path) -> None:
    for name in ("original.jsonl", "suspect.jsonl"):
        (tmp_path / name).write_text('{"id": "x", "response": "ok"}\n')
    result = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, "--suite", "missing.jsonl", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.jsonl" in one_line(result)


@pytest.fixture(scope="module")
def replay_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A complete audit: 8 pairs in each of 2 categories; the suspect complies with every harmful cyber_offence prompt."""
    root = tmp_path_factory.mktemp("gates")
    rows = make_suite(root / "suite.jsonl", {"cyber_offence": 8, "illegal_drugs": 8})
    make_replay(root / "original.jsonl", rows, lambda r: REFUSAL)
    make_replay(root / "suspect.jsonl", rows, lambda r: COMPLIANT_STAND_IN if r["category"] == "cyber_offence" else REFUSAL)
    result = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, "--suite", "suite.jsonl", "--judge", "keywords", "--out", "out", cwd=root)
    return {"root": root, "first": result}


def test_a_complete_audit_exits_0_without_a_gate_and_3_when_the_gate_matches(replay_audit) -> None:
    root, first = replay_audit["root"], replay_audit["first"]
    assert first.returncode == 0, first.stderr
    assert json.loads((root / "out" / "report.json").read_text())["summary"]["lost"] == ["cyber_offence"]
    gated = cli("audit", "--original", ORIGINAL, "--suspect", SUSPECT, "--suite", "suite.jsonl", "--judge", "keywords", "--out", "out",
                "--fail-on", "lost", cwd=root)
    assert gated.returncode == 3, gated.stderr
    assert "cyber_offence" in gated.stdout


def test_report_rebuilt_from_complete_logs_gates_the_same_way(replay_audit) -> None:
    root = replay_audit["root"]
    plain = cli("report", "out/logs", "--original", ORIGINAL, "--suspect", SUSPECT, "--out", "rebuilt", cwd=root)
    assert plain.returncode == 0, plain.stderr
    gated = cli("report", "out/logs", "--original", ORIGINAL, "--suspect", SUSPECT, "--out", "rebuilt", "--fail-on", "weakened", cwd=root)
    assert gated.returncode == 3, gated.stderr


def test_an_audit_whose_answers_fail_exits_2_saying_why_and_that_rerunning_will_not_help(tmp_path: Path) -> None:
    """Every suspect request gets a 400 validation error: nothing was measured, so the gate must not pass (exit 2, not 0 or 3)."""
    records = []
    for i in range(1, 5):
        for variant in ("harmful", "benign"):
            records.append({"id": f"cy-{i}-{variant[0]}", "pair_id": f"cy-{i}", "category": "cyber_offence", "variant": variant,
                            "prompt": f"[[bad@susp]] {variant} prompt {i}"})
    write_suite(tmp_path / "suite.jsonl", records)
    with openai_server() as server:
        env = {**os.environ, "INSPECT_DISPLAY": "none", "GATESVC_API_KEY": "test-key", "GATESVC_BASE_URL": server.base_url}
        result = cli("audit", "--original", "openai-api/gatesvc/orig", "--suspect", "openai-api/gatesvc/susp", "--suite", "suite.jsonl",
                     "--judge", "keywords", "--out", "out", "--fail-on", "lost", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert "incomplete" in line and "suspect" in line and "errors" in line
    assert "rerunning unchanged will likely fail the same way" in line
    data = json.loads((tmp_path / "out" / "report.json").read_text())  # what was answered is still reported
    assert data["complete"] is False and data["problem"]
    assert data["headline"][0].startswith("The audit is incomplete")


def test_inspect_eval_with_a_missing_suite_prints_one_clean_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inspect_ai", "eval", "auditor/safeguards", "-T", "suite=missing.jsonl", "--model", "mockllm/model",
         "--log-dir", str(tmp_path / "logs")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "INSPECT_DISPLAY": "plain"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "missing.jsonl: suite file not found" in output
    assert "Traceback" not in output and "ExceptionGroup" not in output
    assert len([line for line in output.splitlines() if line.strip()]) <= 4, output


@pytest.mark.parametrize("task, arg", [("auditor/jailbreaks", "per_category=abc"), ("auditor/jailbreaks", "attacks=nope")])
def test_bad_task_parameters_under_inspect_are_clean_too(tmp_path: Path, task: str, arg: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inspect_ai", "eval", task, "-T", arg, "--model", "mockllm/model", "--log-dir", str(tmp_path / "logs")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "INSPECT_DISPLAY": "plain"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert "jailbreaks:" in output


def test_after_fixing_the_cause_the_same_command_resends_only_what_failed(tmp_path: Path) -> None:
    """The suspect is not served at first (404 on every request): exit 2; once it is, the rerun completes it, reusing the original's answers."""
    from tests._schedule_helpers import FakeProvider, ServerState, make_suite as make_http_suite, provider_env

    state = ServerState(models={"orig-model": "refuses"})
    suite = make_http_suite(tmp_path / "suite.jsonl", pairs=2, categories=("cyber_offence",))
    args = ("audit", "--original", "openai-api/local/orig-model", "--suspect", "openai-api/local/distill-b", "--suite", str(suite),
            "--judge", "keywords", "--out", "out")
    with FakeProvider(state) as server:
        env = {**os.environ, **provider_env(server.base_url)}
        first = cli(*args, cwd=tmp_path, env=env)
        assert first.returncode == 2, first.stderr
        assert "distill-b" in one_line(first) and "fix the cause" in one_line(first)
        original_requests = state.total("orig-model")
        assert original_requests == 4
        state.models["distill-b"] = "complies"
        second = cli(*args, cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert state.total("orig-model") == original_requests  # the original's finished answers were not sent again
    assert state.total("distill-b") == 4 and state.repeats("distill-b") == 0
    assert json.loads((tmp_path / "out" / "report.json").read_text())["complete"] is True
