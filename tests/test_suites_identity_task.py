"""The `identity` task definition and the built-in probes (the run itself is in test_suites_inspect_cli)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.tasks.identity import identity
from auditor.suites.builtin import builtin_suites
from auditor.suites.loader import read_suite_file
from tests._suites_helpers import IDENTITY_ROWS, write_jsonl


def test_language_filter_and_task_metadata(tmp_path: Path) -> None:
    suite = write_jsonl(tmp_path / "identity.jsonl", IDENTITY_ROWS)
    task = identity(suite=str(suite), language="zh")
    assert [s.id for s in task.dataset] == ["idp-021"]
    assert task.metadata == {"auditor_task": "identity", "suite": "identity"}
    assert task.epochs_reducer is not None  # label values need the mode reducer, not the mean


def test_builtin_identity_suite_has_30_plus_probes_in_english_and_chinese() -> None:
    path = builtin_suites()["identity"]
    if not path.exists():
        pytest.skip("the built-in identity suite is not in this checkout")
    records = read_suite_file(path)
    assert len(records) >= 30 and {r.language for r in records} >= {"en", "zh"}
    assert all(r.variant == "benign" and r.category == "identity" for r in records)
