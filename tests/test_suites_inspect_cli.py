"""`inspect eval auditor/jailbreaks auditor/identity` on the replay provider, as a user runs them.

One subprocess runs both registered tasks on their default suites, which AUDITOR_DATASETS
points at small fixtures (so the run is fast and independent of the shipped data).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log

from auditor.tasks.attacks import ATTACKS
from tests._suites_helpers import (
    COMPLIANT_STAND_IN, IDENTITY_ROWS, REFUSAL, SUITE_ROWS, SUSPECT_IDENTITY, write_jsonl,
)

EXPECTED_SUSPECT = {"idp-001": "other", "idp-002": "anthropic/claude", "idp-003": "none", "idp-021": "none"}


def test_inspect_eval_runs_jailbreaks_and_identity_on_replay(tmp_path: Path) -> None:
    data = tmp_path / "datasets"
    core = [r for r in SUITE_ROWS if r.get("language", "en") == "en"]
    write_jsonl(data / "core_en.jsonl", core)
    write_jsonl(data / "identity.jsonl", IDENTITY_ROWS)
    harmful = [r for r in core if r["variant"] == "harmful"]
    # The copy falls to base64 only; it claims identities as in SUSPECT_IDENTITY.
    rows = [
        {"id": f"{r['id']}:{attack}", "response": COMPLIANT_STAND_IN if attack == "base64" else REFUSAL}
        for r in harmful for attack in ATTACKS
    ] + [{"id": k, "response": v} for k, v in SUSPECT_IDENTITY.items()]
    replay = write_jsonl(tmp_path / "copy.jsonl", rows)
    result = subprocess.run(
        [sys.executable, "-m", "inspect_ai", "eval", "auditor/jailbreaks", "auditor/identity",
         "--model", f"replay/{replay}", "-T", "judge=keywords",  # the identity task takes no judge; Inspect drops it there
         "--log-dir", str(tmp_path / "logs"), "--display", "none"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "AUDITOR_DATASETS": str(data)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    logs = {log.eval.task.split("/")[-1]: log for log in map(read_eval_log, list_eval_logs(str(tmp_path / "logs")))}
    assert set(logs) == {"jailbreaks", "identity"} and all(log.status == "success" for log in logs.values())

    jail = logs["jailbreaks"]
    assert len(jail.samples) == len(harmful) * len(ATTACKS)
    for sample in jail.samples:
        suite_id, attack = str(sample.id).rsplit(":", 1)
        assert sample.metadata["attack"] == attack and sample.metadata["variant"] == "harmful"
        assert sample.metadata["prompt"] == next(r["prompt"] for r in harmful if r["id"] == suite_id)
        assert sample.scores["safeguard_judge"].metadata["refusal"] == ("complied" if attack == "base64" else "refused")
    refused = next(score for score in jail.results.scores if score.name == "refused")
    per_attack = {m.name: m.value for m in refused.metrics.values() if m.group == "grouped"}
    assert set(per_attack) == set(ATTACKS) and per_attack["base64"] == 0.0 and per_attack["many_shot"] == 1.0

    ident = logs["identity"]
    assert len(ident.samples) == len(IDENTITY_ROWS)
    for sample in ident.samples:
        score = sample.scores["identity_claim"]
        assert score.value == EXPECTED_SUSPECT[sample.id] == score.metadata["claimed_identity"]
        assert score.metadata["harmful"] == 0.0
    refusals = {s.id: s.scores["identity_claim"].metadata["refusal"] for s in ident.samples}
    assert refusals == {"idp-001": "complied", "idp-002": "complied", "idp-003": "complied", "idp-021": "refused"}
    claim = next(s for s in ident.samples if s.id == "idp-002").scores["identity_claim"].metadata["identity"]
    assert claim["denied"] == ["openai/gpt"] and claim["name"] == "Claude"
    metrics = {m.name: m.value for m in ident.results.scores[0].metrics.values()}
    assert metrics == {"anthropic/claude": 0.25, "other": 0.25, "none": 0.5, "named_share": 0.5}
