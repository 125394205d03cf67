"""The `jailbreaks` task and its solver: harmful prompts only, one sample per (prompt, attack)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ModelName
from inspect_ai.solver import TaskState

from auditor.tasks.attacks import jailbreak, load_translations
from auditor.tasks.common import TaskParameterError
from auditor.tasks.jailbreaks import interleave_by_category, jailbreaks
from auditor.suites.loader import read_suite_file
from tests._suites_helpers import SUITE_ROWS, suite_file, write_jsonl


def test_parameters_select_attacks_categories_language_and_per_category(tmp_path: Path) -> None:
    suite = suite_file(tmp_path)
    task = jailbreaks(suite=str(suite), attacks="base64,many_shot", categories="cyber_offence", per_category=1)
    assert [s.id for s in task.dataset] == ["CB-001-h:base64", "CB-001-h:many_shot"]
    sample = task.dataset[0]
    assert sample.metadata["attack"] == "base64" and sample.metadata["suite_id"] == "CB-001-h"
    assert sample.metadata["pair_id"] == "CB-001" and sample.metadata["category"] == "cyber_offence"
    zh = jailbreaks(suite=str(suite), language="zh", attacks=["prefix_injection"])
    assert [s.id for s in zh.dataset] == ["DR-001-h-zh:prefix_injection"]
    assert zh.metadata["auditor_task"] == "jailbreaks" and zh.metadata["suite"] == "suite"
    # under @task the builder's ConfigError reaches Inspect as a one-line TaskParameterError
    with pytest.raises(TaskParameterError, match="jailbreaks: unknown jailbreak attack nope; available: "):
        jailbreaks(suite=str(suite), attacks="nope")
    with pytest.raises(TaskParameterError, match="jailbreaks: per_category must be a whole number of at least 1, got 0"):
        jailbreaks(suite=str(suite), per_category=0)
    benign_only = write_jsonl(tmp_path / "benign.jsonl", [r for r in SUITE_ROWS if r["variant"] == "benign"])
    with pytest.raises(TaskParameterError, match="no harmful prompts"):
        jailbreaks(suite=str(benign_only))


def test_samples_interleave_categories_so_a_limit_stays_balanced(tmp_path: Path) -> None:
    records = read_suite_file(suite_file(tmp_path))
    harmful = [r for r in records if r.variant == "harmful" and r.language == "en"]
    assert [r.id for r in interleave_by_category(harmful)] == ["CB-001-h", "DR-001-h", "CB-002-h"]
    assert [r.id for r in interleave_by_category(harmful, per_category=1)] == ["CB-001-h", "DR-001-h"]


def _state(sample_id: str, metadata: dict, system: bool = False) -> TaskState:
    messages = ([ChatMessageSystem(content="house rules")] if system else []) + [ChatMessageUser(content=metadata["prompt"])]
    return TaskState(ModelName("replay/x"), sample_id, 1, metadata["prompt"], messages, metadata=metadata)


def _solve(solver, state: TaskState) -> TaskState:
    async def no_generate(state: TaskState, **kwargs) -> TaskState:  # the solver must not generate itself
        raise AssertionError("jailbreak solver called generate")

    return asyncio.run(solver(state, no_generate))


def test_solver_rewrites_the_prompt_from_sample_metadata_and_keeps_system_messages() -> None:
    metadata = {"prompt": "Placeholder request.", "attack": "many_shot", "suite_id": "X-h", "language": "en"}
    state = _solve(jailbreak(), _state("X-h:many_shot", metadata, system=True))
    assert state.messages[0].text == "house rules" and state.messages[-1].text == "Placeholder request."
    assert len(state.messages) > 20
    fixed = _solve(jailbreak("prefix_injection"), _state("X-h", {"prompt": "Placeholder request."}))
    assert fixed.messages[0].text.startswith("Placeholder request.\n\nStart your reply")


def test_translated_input_form_sends_the_supplied_translation(tmp_path: Path) -> None:
    translations_file = write_jsonl(tmp_path / "zu.jsonl", [{"id": "CB-001-h", "language": "zu", "prompt": "Isicelo sesibonelo."}])
    task = jailbreaks(suite=str(suite_file(tmp_path)), categories="cyber_offence", attacks="low_resource_language",
                      translations=str(translations_file))
    by_id = {s.id: s for s in task.dataset}
    assert by_id["CB-001-h:low_resource_language"].metadata["attack_input_language"] == "zu"
    assert "attack_input_language" not in by_id["CB-002-h:low_resource_language"].metadata
    solver = jailbreak(translations=load_translations(translations_file))
    translated = _solve(solver, _state("CB-001-h:low_resource_language", dict(by_id["CB-001-h:low_resource_language"].metadata)))
    assert [m.text for m in translated.messages] == ["Isicelo sesibonelo."]
    plain = _solve(solver, _state("CB-002-h:low_resource_language", dict(by_id["CB-002-h:low_resource_language"].metadata)))
    assert "isiZulu" in plain.messages[0].text and SUITE_ROWS[2]["prompt"] in plain.messages[0].text
