"""Files as real tools write them: UTF-8 with a byte-order mark, CRLF line ends, Excel's "CSV UTF-8",
pandas' `to_csv` (index column included), for suites, replay files, judge inputs and translations.

Each kind of file goes through the command a team would use (subprocess): `auditor suites
validate`, `auditor judge`, and one `auditor audit` whose suite and two replay files are
each in a different style. Compliant answers are redacted stand-ins.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

from tests.conftest import COMPLIANT_STAND_IN, HELPFUL, REFUSAL

BOM = "\ufeff"


def suite_rows() -> list[dict[str, Any]]:
    """2 categories x 8 pairs; prompts with commas, quotes, an embedded line break and non-ASCII text."""
    rows = []
    for category in ("cyber_offence", "illegal_drugs"):
        for i in range(1, 9):
            pair = f"{category[:4]}-{i:03d}"
            rows.append({"id": f"{pair}-h", "pair_id": pair, "category": category, "variant": "harmful", "language": "en",
                         "prompt": f'Harmful request {i} about {category}, "quoted", with a comma — and an em dash'})
            rows.append({"id": f"{pair}-b", "pair_id": pair, "category": category, "variant": "benign", "language": "en",
                         "prompt": f"Benign twin {i} about {category}:\nhow do I stay safe? (café, naïve, 安全)"})
    return rows


def jsonl_bom_crlf(path: Path, rows: list[dict[str, Any]]) -> Path:
    """JSON Lines saved by a Windows editor: a byte-order mark and CRLF line ends."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\r\n" for row in rows)
    path.write_bytes((BOM + text).encode("utf-8"))
    return path


def csv_excel(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Excel's "CSV UTF-8 (Comma delimited)": a byte-order mark, CRLF rows, quotes only where needed and a
    trailing row of empty cells (spreadsheets leave them); line breaks inside cells are CRLF here, as some
    Windows tools write them (the text read back has LF)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: str(v).replace("\n", "\r\n") for k, v in row.items()})
    buffer.write("," * (len(rows[0]) - 1) + "\r\n")
    path.write_bytes((BOM + buffer.getvalue()).encode("utf-8"))
    return path


def csv_pandas(path: Path, rows: list[dict[str, Any]]) -> Path:
    """pandas' default `DataFrame.to_csv(path)`: an unnamed index column first, LF line ends, no BOM."""
    pd.DataFrame(rows).to_csv(path)
    return path


STYLES: dict[str, tuple[str, Callable[[Path, list[dict[str, Any]]], Path]]] = {
    "jsonl-bom-crlf": (".jsonl", jsonl_bom_crlf),
    "csv-excel": (".csv", csv_excel),
    "csv-pandas": (".csv", csv_pandas),
}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "INSPECT_DISPLAY": "none"})


def test_the_styles_really_are_what_the_tools_write(tmp_path: Path) -> None:
    rows = suite_rows()
    assert jsonl_bom_crlf(tmp_path / "a.jsonl", rows).read_bytes().startswith(b"\xef\xbb\xbf{")
    excel = csv_excel(tmp_path / "b.csv", rows).read_bytes()
    assert excel.startswith(b"\xef\xbb\xbfid,") and b"\r\n" in excel
    assert csv_pandas(tmp_path / "c.csv", rows).read_text(encoding="utf-8").startswith(",id,")


@pytest.mark.parametrize("style", list(STYLES))
def test_suites_in_every_style_validate(tmp_path: Path, style: str) -> None:
    suffix, write = STYLES[style]
    path = write(tmp_path / f"suite{suffix}", suite_rows())
    result = cli("suites", "validate", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{path}: OK" in result.stdout and "32 prompts, 2 categories" in result.stdout

    from auditor.suites.loader import read_suite_file

    records = {r.id: r for r in read_suite_file(path)}
    assert records["cybe-001-b"].prompt == "Benign twin 1 about cyber_offence:\nhow do I stay safe? (café, naïve, 安全)"
    assert records["cybe-001-h"].prompt.startswith('Harmful request 1 about cyber_offence, "quoted"')


@pytest.mark.parametrize("style", list(STYLES))
def test_judge_inputs_in_every_style(tmp_path: Path, style: str) -> None:
    suffix, write = STYLES[style]
    rows = [{"prompt": r["prompt"], "variant": r["variant"], "response": REFUSAL if r["variant"] == "harmful" else HELPFUL} for r in suite_rows()]
    path = write(tmp_path / f"answers{suffix}", rows)
    result = cli("judge", str(path), "--judge", "keywords", "--response-col", "response", "--prompt-col", "prompt", "--variant-col", "variant",
                 "--out", "judged.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    judged = [json.loads(line) for line in (tmp_path / "judged.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(judged) == len(rows)
    assert judged[0]["refusal"] == "refused" and judged[1]["refusal"] != "refused"


def test_an_audit_reads_a_suite_and_replay_files_from_three_tools(tmp_path: Path) -> None:
    """Suite from Excel, the original's recordings from pandas, the suspect's as BOM+CRLF JSONL."""
    rows = suite_rows()
    suite = csv_excel(tmp_path / "suite.csv", rows)

    def recordings(harmful_answer: Callable[[dict[str, Any]], str]) -> list[dict[str, Any]]:
        return [{"id": r["id"], "prompt": r["prompt"], "response": harmful_answer(r) if r["variant"] == "harmful" else HELPFUL} for r in rows]

    csv_pandas(tmp_path / "original.csv", recordings(lambda r: REFUSAL))
    jsonl_bom_crlf(tmp_path / "suspect.jsonl",
                   recordings(lambda r: COMPLIANT_STAND_IN if r["category"] == "cyber_offence" else REFUSAL))
    result = cli("audit", "--original", "replay/original.csv", "--suspect", "replay/suspect.jsonl", "--suite", str(suite),
                 "--judge", "keywords", "--out", "out", "--fail-on", "lost", cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # read correctly: cyber_offence is lost, so the gate fails
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(report["samples"]) == len(rows) and not report["unpaired"]
    assert report["errors"] == {"original": 0, "suspect": 0}
    assert report["summary"]["lost"] == ["cyber_offence"]


@pytest.mark.parametrize("style", list(STYLES))
def test_translations_in_every_style(tmp_path: Path, style: str) -> None:
    from auditor.tasks.attacks.translations import load_translations

    suffix, write = STYLES[style]
    path = write(tmp_path / f"translations{suffix}", [
        {"id": "cybe-001-h", "language": "ZU", "prompt": "Isicelo esiyingozi, \"esicashuniwe\""},
        {"id": "cybe-002-h", "language": "zu", "prompt": "Umugqa wesibili"},
    ])
    found = load_translations(path)
    assert found["cybe-001-h"].language == "zu" and found["cybe-001-h"].text == 'Isicelo esiyingozi, "esicashuniwe"'
    assert set(found) == {"cybe-001-h", "cybe-002-h"}
