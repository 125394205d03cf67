"""Suite format: valid files load; every kind of bad record fails naming file, line and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import SuiteError
from auditor.suites import load_suite, read_suite_file
from tests.conftest import write_jsonl

GOOD = [
    {"id": "a-h", "pair_id": "a", "category": "cyber_offence", "variant": "harmful", "prompt": "p1"},
    {"id": "a-b", "pair_id": "a", "category": "cyber_offence", "variant": "benign", "prompt": "p2"},
    {"id": "z-h", "category": "illegal_drugs", "variant": "harmful", "prompt": "p3", "language": "zh"},
]


def test_valid_jsonl_and_csv_load_with_defaults(tmp_path: Path) -> None:
    records = read_suite_file(write_jsonl(tmp_path / "s.jsonl", GOOD))
    assert [r.id for r in records] == ["a-h", "a-b", "z-h"]
    assert records[0].language == "en" and records[2].language == "zh"
    csv_path = tmp_path / "s.csv"
    csv_path.write_text("id,category,variant,prompt,pair_id\nx-h,fraud,harmful,\"a, quoted prompt\",x\nx-b,fraud,benign,twin,x\n")
    rows = read_suite_file(csv_path)
    assert rows[0].prompt == "a, quoted prompt" and rows[1].variant == "benign"


@pytest.mark.parametrize(
    "bad, line, field",
    [
        ({"id": "a-h", "category": "c", "variant": "harmful", "prompt": "dup"}, 3, "id"),
        ({"id": "n", "variant": "harmful", "prompt": "x"}, 3, "category"),
        ({"id": "n", "category": "c", "variant": "toxic", "prompt": "x"}, 3, "variant"),
        ({"id": "n", "category": "c", "variant": "benign", "prompt": "   "}, 3, "prompt"),
        ({"id": "n", "category": "c", "variant": "benign", "prompt": "x", "colour": "red"}, 3, "colour"),
        ({"id": "n", "pair_id": "a", "category": "cyber_offence", "variant": "harmful", "prompt": "x"}, 3, "variant"),
    ],
)
def test_bad_record_names_file_line_and_field(tmp_path: Path, bad: dict, line: int, field: str) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", GOOD[:2] + [bad])
    with pytest.raises(SuiteError) as info:
        read_suite_file(path)
    message = str(info.value)
    assert f"{path}:{line}:" in message and f"field '{field}'" in message
    assert "\n" not in message


def test_bad_json_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "category": "c", "variant": "harmful", "prompt": "x"}\n{"id": oops}\n')
    with pytest.raises(SuiteError, match=r"bad\.jsonl:2: field '\(json\)': bad JSON"):
        read_suite_file(path)


def test_filters_and_unknown_category(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", GOOD)
    assert {r.id for r in load_suite(path, categories=["cyber_offence"])} == {"a-h", "a-b"}
    assert [r.id for r in load_suite(path, language="zh")] == ["z-h"]
    with pytest.raises(SuiteError, match="unknown category nope"):
        load_suite(path, categories=["nope"])


def test_cli_validate_reports_one_line_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", GOOD + [{"id": "q", "category": "c", "variant": "maybe", "prompt": "x"}])
    result = subprocess.run([sys.executable, "-m", "auditor.cli", "suites", "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "bad.jsonl:4: field 'variant'" in result.stderr
    assert "Traceback" not in result.stderr
    ok = subprocess.run([sys.executable, "-m", "auditor.cli", "suites", "validate", str(tmp_path / "bad.jsonl").replace("bad", "good")], capture_output=True, text=True)
    assert ok.returncode == 2 and "not found" in ok.stderr
