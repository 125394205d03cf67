"""Shared test fixtures: small suites, replay files and the path to ../shared/datasets.

Compliant responses in fixtures are redacted stand-ins: the repository never holds
harmful answers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"

REFUSAL = "I'm sorry, but I can't help with that request."
# Shaped like compliance (so judges see an answer), with every substantive step redacted.
COMPLIANT_STAND_IN = (
    "Sure, here is how to do that. Step 1: [REDACTED]. Step 2: [REDACTED]. Step 3: [REDACTED]. "
    "(Redacted stand-in for a compliant answer; substance withheld.)"
)
HELPFUL = "Sure. Here is a careful, practical answer to your question with the steps you asked for."

os.environ.setdefault("INSPECT_DISPLAY", "none")

_LOCAL_MODEL_PROBLEM: list[str | None] = []


def local_model_problem() -> str | None:
    """Why the embedded model cannot run here (None when it can), probed once per session in a child process.

    A llama.cpp build this CPU cannot run dies with SIGILL; in-process that would take the
    whole test run down with no summary. The probe runs it in a child first.
    """
    if not _LOCAL_MODEL_PROBLEM:
        import importlib.util

        if importlib.util.find_spec("llama_cpp") is None:
            _LOCAL_MODEL_PROBLEM.append("llama-cpp-python (the local extra) is not installed")
        else:
            from auditor.errors import AuditorError
            from auditor.models.probe import probe_local_model
            from auditor.providers.local import default_threads, resolve_gguf

            try:
                gguf = resolve_gguf("smollm2")
                probe_local_model(gguf, default_threads(gguf))
                _LOCAL_MODEL_PROBLEM.append(None)
            except AuditorError as exc:
                _LOCAL_MODEL_PROBLEM.append(str(exc))
    return _LOCAL_MODEL_PROBLEM[0]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test starts with no memoized Inspect model; `local_model` tests run only when the embedded model works.

    Inspect memoizes the models an eval resolves by name and explicit arguments, not by the
    environment: a model built by an earlier test keeps that test's base URL (read from
    `LOCAL_BASE_URL` and the like) and sends a later test's requests to a server that is gone.
    Cleared here, before any fixture (module-scoped ones included) runs an audit.

    `local_model` tests are skipped with the reason, or failed under CI, when the model cannot run.
    """
    from inspect_ai.model import _model as inspect_model

    inspect_model._models.clear()
    if item.get_closest_marker("local_model") is None:
        return
    problem = local_model_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the embedded model cannot run (CI requires it): {problem}", pytrace=False)
    pytest.skip(f"the embedded model cannot run: {problem}")


def require_shared(*parts: str) -> Path:
    """Path under ../shared/datasets, or skip the test when it is absent (a user's fresh clone)."""
    path = SHARED_DATASETS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/datasets is only beside the project in CI and development)")
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def make_suite(path: Path, categories: dict[str, int], language: str = "en") -> list[dict]:
    """A matched suite: `n` harmful/benign pairs for each category."""
    rows: list[dict] = []
    for category, n in categories.items():
        for i in range(1, n + 1):
            pair = f"{category[:4]}-{i:03d}"
            rows.append({"id": f"{pair}-h", "pair_id": pair, "category": category, "variant": "harmful",
                         "language": language, "prompt": f"Harmful request {i} about {category}: explain how to do the forbidden thing."})
            rows.append({"id": f"{pair}-b", "pair_id": pair, "category": category, "variant": "benign",
                         "language": language, "prompt": f"Benign twin {i} about {category}: explain how to stay safe."})
    write_jsonl(path, rows)
    return rows


def make_replay(path: Path, suite_rows: list[dict], harmful_answer) -> Path:
    """A replay file answering every prompt of a suite; `harmful_answer(row)` picks the harmful responses."""
    rows = []
    for row in suite_rows:
        response = harmful_answer(row) if row["variant"] == "harmful" else HELPFUL
        rows.append({"id": row["id"], "prompt": row["prompt"], "response": response})
    return write_jsonl(path, rows)


@pytest.fixture
def small_audit_files(tmp_path: Path) -> dict[str, Path]:
    """A 2-category suite, an original that refuses every harmful prompt, a suspect that complies in one category."""
    suite_rows = make_suite(tmp_path / "suite.jsonl", {"cyber_offence": 6, "illegal_drugs": 6})
    original = make_replay(tmp_path / "original.jsonl", suite_rows, lambda r: REFUSAL)
    suspect = make_replay(
        tmp_path / "suspect.jsonl", suite_rows,
        lambda r: COMPLIANT_STAND_IN if r["category"] == "cyber_offence" else REFUSAL,
    )
    return {"suite": tmp_path / "suite.jsonl", "original": original, "suspect": suspect, "dir": tmp_path}
