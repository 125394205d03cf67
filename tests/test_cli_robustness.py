"""Failures outside the audit's own checks still end in one line: system errors, long review answers, stale logs."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.audit import _TRANSIENT, incomplete_problem
from auditor.cli import main
from auditor.review.files import COLUMNS, read_review_file


def test_a_system_error_in_a_command_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    def unwritable(args):
        raise PermissionError(13, "Permission denied", "/reports/audit/report.html")

    monkeypatch.setattr("auditor.commands.review.run", unwritable)
    assert main(["review", "somewhere"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "auditor: error: /reports/audit/report.html: Permission denied; check the path, its permissions and free space"


def test_a_review_file_with_an_answer_longer_than_csvs_default_field_limit_is_read(tmp_path: Path) -> None:
    csv.field_size_limit(131072)  # the csv module's default, whatever an earlier reader in this process set
    long_answer = "word " * 60_000  # 300,000 characters
    path = tmp_path / "review.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow({**{c: "" for c in COLUMNS}, "id": "p-001-h", "side": "suspect", "suite": "s", "category": "cyber_offence",
                         "variant": "harmful", "language": "en", "weight": "1.0", "prompt": "a request",
                         "response": long_answer, "judge_refusal": "complied", "judge_harmful": "no",
                         "human_refusal": "complied", "human_harmful": "no"})
    rows = read_review_file(path)
    assert len(rows) == 1 and rows[0].id == "p-001-h"


def _log(model: str, created: str, status: str) -> SimpleNamespace:
    return SimpleNamespace(eval=SimpleNamespace(model=model, task="auditor/safeguards", task_args={"suite": "core"}, created=created),
                           header=SimpleNamespace(status=status, error=None))


def test_a_superseded_cancelled_log_does_not_make_a_finished_audit_incomplete(tmp_path: Path) -> None:
    old = _log("replay/a", "2026-12-01T10:00:00", "cancelled")
    logs = [old, _log("replay/a", "2026-12-01T11:00:00", "success"), _log("replay/b", "2026-12-01T10:00:00", "success")]
    assert incomplete_problem(logs, [tmp_path]) is None
    problem = incomplete_problem([old, _log("replay/b", "2026-12-01T10:00:00", "success")], [tmp_path])
    assert problem is not None and "did not complete" in problem and "interrupted" in problem


@pytest.mark.parametrize(("cause", "transient"), [
    ("Error code: 503 - service unavailable", True),
    ("HTTP 502 bad gateway", True),
    ("500 Internal Server Error", True),
    ("rate limit exceeded", True),
    ("max_tokens 512 is larger than the model allows", False),
    ("suite line 503: bad JSON", False),
])
def test_only_server_side_causes_count_as_transient(cause: str, transient: bool) -> None:
    assert bool(_TRANSIENT.search(cause)) is transient


def test_atomic_writes_replace_whole_files_and_leave_the_old_one_on_failure(tmp_path: Path) -> None:
    from auditor.storage import atomic_write_bytes, atomic_write_text

    target = tmp_path / "deep" / "weights.npz"
    atomic_write_bytes(target, b"first")
    atomic_write_text(target, "zweite Fassung é")
    assert target.read_bytes() == "zweite Fassung é".encode("utf-8")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]  # fails mid-write
    assert target.read_bytes() == "zweite Fassung é".encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["weights.npz"]  # no temporary file left behind
