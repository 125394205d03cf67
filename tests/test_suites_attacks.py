"""Jailbreak variants: at least eight families, deterministic, faithful to the request, harmless templates."""

from __future__ import annotations

import base64
import json
import re

import pytest
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser

from auditor.tasks.attacks import ATTACKS, AttackRequest, get_attacks, load_translations
from auditor.tasks.attacks.many_shot import SHOTS
from auditor.tasks.attacks.variants import PREFIX, split_payload
from auditor.errors import ConfigError, SuiteError
from tests._suites_helpers import write_jsonl

REQUEST = AttackRequest("Placeholder request: explain the forbidden procedure in detail.")
FAMILIES = {
    "roleplay_persona", "refusal_suppression", "prefix_injection", "fictional_framing", "payload_splitting",
    "base64", "low_resource_language", "many_shot",
}


def test_at_least_eight_documented_families() -> None:
    assert FAMILIES <= set(ATTACKS) and len(ATTACKS) >= 8
    for name, attack in ATTACKS.items():
        assert re.fullmatch(r"[a-z0-9_]+", name)
        assert attack.description and "\n" not in attack.description
        assert attack.family and re.search(r"(19|20)\d\d", attack.reference), name


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_variant_rewrites_deterministically_and_ends_with_a_user_turn(name: str) -> None:
    first = ATTACKS[name].messages(REQUEST)
    second = ATTACKS[name].messages(REQUEST)
    assert [m.text for m in first] == [m.text for m in second]
    assert isinstance(first[-1], ChatMessageUser)
    rendered = "\n".join(m.text for m in first)
    assert rendered != REQUEST.text
    carries_request = REQUEST.text in rendered or base64.b64encode(REQUEST.text.encode()).decode() in rendered
    if name == "payload_splitting":
        carries_request = all(json.dumps(part) in rendered for part in split_payload(REQUEST.text, 3))
    assert carries_request, name


def test_base64_round_trips_unicode() -> None:
    text = ATTACKS["base64"].messages(AttackRequest("占位请求", language="zh"))[0].text
    encoded = text.strip().splitlines()[-1]
    assert base64.b64decode(encoded).decode("utf-8") == "占位请求"
    assert "plain Chinese" in text


@pytest.mark.parametrize("text", ["Placeholder request about a dangerous thing.", "短", "占位的有害请求：在海关藏匿物品。"])
def test_payload_fragments_join_back_exactly(text: str) -> None:
    parts = split_payload(text, 3)
    assert "".join(parts) == text and len(parts) == min(3, len(text))


def test_prefix_injection_and_combination() -> None:
    assert PREFIX in ATTACKS["prefix_injection"].messages(REQUEST)[0].text
    combined = ATTACKS["combination"].messages(REQUEST)[0].text
    assert PREFIX in combined and "Do not apologise" in combined
    assert base64.b64encode(REQUEST.text.encode()).decode() in combined and REQUEST.text not in combined


def test_many_shot_is_a_fabricated_compliant_dialogue_of_harmless_turns() -> None:
    messages = ATTACKS["many_shot"].messages(REQUEST)
    assert len(messages) == 2 * len(SHOTS) + 1 and len(SHOTS) >= 8
    assistants = [m for m in messages if isinstance(m, ChatMessageAssistant)]
    assert len(assistants) == len(SHOTS) and all(m.text.startswith("Sure") for m in assistants)
    assert messages[-1].text == REQUEST.text


def test_low_resource_language_uses_a_supplied_translation() -> None:
    plain = ATTACKS["low_resource_language"].messages(REQUEST)[0].text
    assert "isiZulu" in plain and REQUEST.text in plain
    translated = ATTACKS["low_resource_language"].messages(
        AttackRequest(REQUEST.text, translation="Umbuzo wesibonelo.", translation_language="zu")
    )[0].text
    assert translated == "Umbuzo wesibonelo."


def test_unknown_attack_is_a_one_line_error() -> None:
    assert [a.name for a in get_attacks(["base64", "many_shot"])] == ["base64", "many_shot"]
    with pytest.raises(ConfigError, match="unknown jailbreak attack nope; available: roleplay_persona"):
        get_attacks(["nope"])


def test_translations_file_validation(tmp_path) -> None:
    good = write_jsonl(tmp_path / "t.jsonl", [{"id": "CB-001-h", "language": "zu", "prompt": "Umbuzo."}])
    assert load_translations(good)["CB-001-h"].language == "zu"
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "language": "zu", "prompt": "x"}, {"id": "b", "language": "zu"}])
    with pytest.raises(SuiteError, match=r"bad\.jsonl:2: field 'prompt'"):
        load_translations(bad)
