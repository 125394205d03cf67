"""The offline default demo (no models named) is chosen to reach a decisive verdict in minutes, and says what it compared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.models import defaults
from auditor.options import AuditOptions
from auditor.suites.loader import load_suite


def _options(**extra) -> AuditOptions:
    original, suspect, description = defaults.default_pair()
    return AuditOptions(original=original, suspect=suspect, description=description, **extra)


def test_the_default_selection_is_enough_pairs_of_one_category_to_decide_it() -> None:
    options = _options()
    note = defaults.apply_offline_defaults(options, limit_given=False)
    ids = options.eval_args["sample_id"]
    records = {r.id: r for r in load_suite("core")}
    chosen = [records[i] for i in ids]
    assert {r.category for r in chosen} == set(defaults.DEFAULT_CATEGORIES)
    assert sum(r.variant == "harmful" for r in chosen) == sum(r.variant == "benign" for r in chosen) == defaults.DEFAULT_PAIRS
    assert defaults.DEFAULT_PAIRS >= 8  # the exact test needs about seven discordant pairs after Holm over two comparisons
    assert options.eval_args["max_tokens"] == defaults.DEFAULT_MAX_TOKENS and options.eval_args["temperature"] == 0.0
    assert "radiological_nuclear_explosives" in note and "most often answers harmful requests" in note
    assert options.description.endswith(f"Selection: {note}")  # the report says which selection ran


def test_named_categories_get_the_same_number_of_pairs_each() -> None:
    options = _options(categories=["cyber_offence", "illegal_drugs"])
    note = defaults.apply_offline_defaults(options, limit_given=False)
    assert len(options.eval_args["sample_id"]) == 2 * 2 * defaults.DEFAULT_PAIRS
    assert "the categories you named" in note


@pytest.mark.local_model
def test_the_default_demo_reaches_a_decisive_verdict_and_says_what_it_compared(tmp_path: Path) -> None:
    """The whole default audit, as `bash scripts/audit.sh` runs it (measured time: README, Performance)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    result = subprocess.run([sys.executable, "-m", "auditor.cli", "audit", "--display", "none"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    assert "running the offline default" in result.stdout and "offline default selection: 32 prompts" in result.stdout
    (report_path,) = list((tmp_path / "reports").glob("*/report.json"))
    report = json.loads(report_path.read_text())
    decisive = [v for v in ("lost", "weakened", "retained", "strengthened") if report["summary"][v]]
    assert decisive, report["headline"]
    assert not report["headline"][0].startswith("No verdict was reached")
    assert "this is not an audit of any real distilled model" in report["description"]
    assert "Selection: 32 prompts" in report["description"]
    assert f"auditor: {report['headline'][0]}" in result.stdout  # the decision is printed, not only written
