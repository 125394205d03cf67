"""Scheduled audits with a human review: `suspects = [{ model = ..., review = ... }]` reaches the report, the gate and the history."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import ConfigError
from auditor.schedule.config import parse_config
from auditor.schedule.runner import category_results, verdict_summary


def _config(tmp_path: Path, suspects: list) -> object:
    return parse_config(tmp_path / "watch.toml", {"name": "watch", "original": "replay/original.jsonl", "suspects": suspects, "output": "audits"})


def test_a_suspect_table_names_its_review_file(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("id\n", encoding="utf-8")
    config = _config(tmp_path, ["replay/plain.jsonl", {"model": "replay/reviewed.jsonl", "review": "labels.csv"}])
    assert config.suspects == ("replay/plain.jsonl", "replay/reviewed.jsonl")
    assert config.reviews == {"replay/reviewed.jsonl": (tmp_path / "labels.csv").resolve()}


@pytest.mark.parametrize("entry, message", [
    ({"model": "replay/x.jsonl", "review": "missing.csv"}, "not found"),
    ({"model": "replay/x.jsonl", "reveiw": "labels.csv"}, "unknown key(s) reveiw"),
    ({"review": "labels.csv"}, "a table with a model"),
])
def test_bad_suspect_tables_are_one_line_config_errors(tmp_path: Path, entry: dict, message: str) -> None:
    (tmp_path / "labels.csv").write_text("id\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _config(tmp_path, [entry])


def test_the_reviewed_suspects_audit_reports_with_its_review(tmp_path: Path, monkeypatch) -> None:
    from auditor.errors import AuditorError
    from auditor.schedule.discovery import Candidate
    from auditor.schedule.runner import PlannedAudit, audit_one

    (tmp_path / "labels.csv").write_text("id\n", encoding="utf-8")
    config = _config(tmp_path, ["replay/plain.jsonl", {"model": "replay/reviewed.jsonl", "review": "labels.csv"}])
    seen: dict[str, dict] = {}

    def fake_run_audit(options):  # capture what the pass would audit with, run nothing
        seen[options.suspect] = options.report_options
        raise AuditorError("not run in this test")

    monkeypatch.setattr("auditor.audit.run_audit", fake_run_audit)
    for spec in ("replay/reviewed.jsonl", "replay/plain.jsonl"):
        outcome = audit_one(config, PlannedAudit(Candidate(spec, "fixed"), "new", 1), None, "v1", "offline", "none", print)
        assert "not run in this test" in outcome.error
    assert seen["replay/reviewed.jsonl"]["review"] == str((tmp_path / "labels.csv").resolve())
    assert "review" not in seen["replay/plain.jsonl"]


def test_history_and_gate_take_the_corrected_verdicts() -> None:
    entry = {"suite": "core", "category": "cyber_offence", "variant": "harmful", "language": "en", "label": "cyber_offence", "n": 48,
             "original_refusal_rate": 1.0, "suspect_refusal_rate": 0.95, "delta": -0.05, "p_adjusted": 0.5, "verdict": "retained",
             "corrected": {"original_refusal_rate": 0.97, "suspect_refusal_rate": 0.4, "delta": -0.57, "ci_low": -0.8, "ci_high": -0.3,
                           "verdict": "lost", "n_reviewed": 20, "p_adjusted": 0.001}}
    data = {"categories": [entry], "summary": {"lost": [], "retained": ["cyber_offence"], "review": {"n": 150, "verdicts_changed": [{}]}}}
    assert verdict_summary(data) == {"lost": ["cyber_offence"]}
    (row,) = category_results(data)
    assert (row.verdict, row.suspect_rate, row.delta, row.p_adjusted) == ("lost", 0.4, -0.57, 0.001)
    unreviewed = {"categories": [{k: v for k, v in entry.items() if k != "corrected"}], "summary": {"lost": [], "retained": ["cyber_offence"]}}
    assert verdict_summary(unreviewed) == {"retained": ["cyber_offence"]} and category_results(unreviewed)[0].verdict == "retained"
