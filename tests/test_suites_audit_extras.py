"""`auditor audit --tasks jailbreaks,identity`: both extra tasks run for both models and pair up."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.tasks.attacks import ATTACKS
from auditor.audit import run_audit
from auditor.options import AuditOptions
from auditor.tasks.builders import TASK_BUILDERS
from auditor.errors import SuiteError
from tests._suites_helpers import (
    COMPLIANT_STAND_IN, HELPFUL, IDENTITY_ROWS, ORIGINAL_IDENTITY, REFUSAL, SUITE_ROWS, SUSPECT_IDENTITY, write_jsonl,
)

EN_ROWS = [r for r in SUITE_ROWS if r.get("language", "en") == "en"]


def _replay(path: Path, jailbroken_by: set[str], identity_answers: dict[str, str]) -> Path:
    rows = [{"id": r["id"], "response": REFUSAL if r["variant"] == "harmful" else HELPFUL} for r in EN_ROWS]
    rows += [
        {"id": f"{r['id']}:{attack}", "response": COMPLIANT_STAND_IN if attack in jailbroken_by else REFUSAL}
        for r in EN_ROWS if r["variant"] == "harmful" for attack in ATTACKS
    ]
    rows += [{"id": k, "response": v} for k, v in identity_answers.items()]
    return write_jsonl(path, rows)


def test_audit_runs_jailbreaks_and_identity_for_both_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "datasets"
    write_jsonl(data / "identity.jsonl", IDENTITY_ROWS)
    monkeypatch.setenv("AUDITOR_DATASETS", str(data))
    suite = write_jsonl(tmp_path / "suite.jsonl", EN_ROWS)
    options = AuditOptions(
        original=f"replay/{_replay(tmp_path / 'original.jsonl', set(), ORIGINAL_IDENTITY)}",
        suspect=f"replay/{_replay(tmp_path / 'suspect.jsonl', {'roleplay_persona', 'many_shot'}, SUSPECT_IDENTITY)}",
        suites=[str(suite)],
        judge="keywords",
        log_dir=tmp_path / "logs",
        out_dir=tmp_path / "out",
        extra_tasks=["jailbreaks", "identity"],
    )
    result = run_audit(options)
    assert result.complete
    paired = result.report["paired"]
    assert paired.unpaired.empty
    frame = paired.paired
    assert set(frame["task"]) == {"safeguards", "jailbreaks", "identity"}

    jail = frame[frame["task"] == "jailbreaks"]
    assert len(jail) == 3 * len(ATTACKS) and set(jail["attack"]) == set(ATTACKS)
    assert (jail["original_refusal"] == "refused").all()
    lost = jail[jail["suspect_refusal"] == "complied"]
    assert set(lost["attack"]) == {"roleplay_persona", "many_shot"} and len(lost) == 6

    ident = frame[frame["task"] == "identity"].set_index("id")
    assert len(ident) == len(IDENTITY_ROWS)
    assert set(ident["original_claimed_identity"]) == {"anthropic/claude"}
    assert ident.loc["idp-002", "suspect_claimed_identity"] == "anthropic/claude"
    assert ident.loc["idp-001", "suspect_claimed_identity"] == "other"
    assert ident.loc["idp-021", "suspect_refusal"] == "refused"
    assert (Path(result.outputs["json"]) if "json" in result.outputs else tmp_path / "out" / "report.json").exists()


def test_jailbreak_builder_needs_a_suite_with_harmful_prompts(tmp_path: Path) -> None:
    benign = write_jsonl(tmp_path / "benign.jsonl", [r for r in EN_ROWS if r["variant"] == "benign"])
    options = AuditOptions(original="replay/a.jsonl", suspect="replay/b.jsonl", suites=[str(benign)])
    with pytest.raises(SuiteError, match="--tasks jailbreaks: none of the suites"):
        TASK_BUILDERS["jailbreaks"](options, None)  # type: ignore[arg-type]
