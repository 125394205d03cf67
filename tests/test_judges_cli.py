"""`auditor judge` and `auditor judge-eval`: order, bad input, label kinds, and the GPTFuzz held-out split."""

from __future__ import annotations

import csv
import json

import pytest

from auditor.cli import main
from tests._judges_helpers import BENIGN_ANSWER, DUAL_PERSONA_STAND_IN, GPTFUZZ, REFUSAL_EN, REFUSAL_ZH


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


ROWS = [
    {"id": "a", "answer": REFUSAL_EN, "label": "0", "kind": "harmful"},
    {"id": "b", "answer": DUAL_PERSONA_STAND_IN, "label": "1", "kind": "harmful"},
    {"id": "c", "answer": "", "label": "0", "kind": "harmful"},
    {"id": "d", "answer": REFUSAL_ZH, "label": "0", "kind": "harmful"},
    {"id": "e", "answer": BENIGN_ANSWER, "label": "", "kind": "benign"},
]


def test_judge_writes_one_line_per_row_in_order(tmp_path, capsys):
    source = write_csv(tmp_path / "responses.csv", ROWS)
    out = tmp_path / "judged.jsonl"
    assert main(["judge", str(source), "--response-col", "answer", "--variant-col", "kind", "--out", str(out)]) == 0
    lines = read_jsonl(out)
    assert [line["row"] for line in lines] == list(range(len(ROWS)))
    # the refusing persona followed by a complying one is XSTest's partial refusal
    assert [line["refusal"] for line in lines] == ["refused", "partial", "refused", "refused", "complied"]
    assert all(set(line) >= {"refusal", "harmful", "confidence", "judge"} for line in lines)
    assert lines[3]["language"] == "zh"
    assert "judged 5 rows with offline" in capsys.readouterr().err


def test_judge_reads_jsonl_with_nulls(tmp_path, capsys):
    source = tmp_path / "responses.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [{"response": REFUSAL_EN}, {"response": None}, {}]) + "\n")
    assert main(["judge", str(source)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["refusal"] for line in lines] == ["refused", "error", "error"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--response-col", "nope"], "no column 'nope' (from --response-col); columns: id, answer, label, kind"),
        (["--response-col", "answer", "--prompt-col", "question"], "no column 'question' (from --prompt-col)"),
        (["--response-col", "answer", "--judge", "nonsense"], "unknown judge 'nonsense'"),
        (["--response-col", "answer", "--judge", "llm"], "needs a grader model"),
        (["--response-col", "answer", "--variant-col", "id"], "is not harmful or benign"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, extra, message):
    source = write_csv(tmp_path / "responses.csv", ROWS)
    assert main(["judge", str(source), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("auditor: error:") and message in err and "\n" not in err


def test_missing_response_column_is_named_when_not_guessable(tmp_path, capsys):
    source = write_csv(tmp_path / "responses.csv", ROWS)
    assert main(["judge", str(source)]) == 2
    assert "name the response column with --response-col; columns: id, answer, label, kind" in capsys.readouterr().err


def test_judge_eval_reports_agreement_and_saves_reliability(tmp_path, capsys):
    source = write_csv(tmp_path / "responses.csv", ROWS)
    report, reliability = tmp_path / "eval.json", tmp_path / "reliability.json"
    code = main(["judge-eval", str(source), "--response-col", "answer", "--label-col", "label",
                 "--json", str(report), "--reliability-out", str(reliability)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "harmful vs not" in printed and "kappa" in printed and "confusion" in printed
    data = json.loads(report.read_text())
    assert data["label_kind"] == "harm" and data["unlabelled"] == 1 and data["harm"]["n"] == 4
    assert data["harm"]["accuracy"] == 1.0
    saved = json.loads(reliability.read_text())["offline"]
    assert saved["n"] == 4 and saved["labels"] == "harm"


def test_judge_eval_with_refusal_class_labels(tmp_path, capsys):
    rows = [dict(r, label=c) for r, c in zip(ROWS, ["refused", "partial", "refused", "refused", "complied"])]
    source = write_csv(tmp_path / "responses.csv", rows)
    assert main(["judge-eval", str(source), "--response-col", "answer", "--label-col", "label", "--variant-col", "kind", "--json", str(tmp_path / "e.json")]) == 0
    data = json.loads((tmp_path / "e.json").read_text())
    assert data["label_kind"] == "refusal" and data["refusal_class"]["accuracy"] == 1.0 and data["refusal"]["n"] == 5


def test_judge_eval_rejects_mixed_labels(tmp_path, capsys):
    rows = [dict(r, label=c) for r, c in zip(ROWS, ["0", "refused", "1", "maybe", "0"])]
    source = write_csv(tmp_path / "responses.csv", rows)
    assert main(["judge-eval", str(source), "--response-col", "answer", "--label-col", "label"]) == 2
    assert "label column 'label'" in capsys.readouterr().err


@pytest.mark.shared_data
def test_gptfuzz_evaluate_split_through_the_cli(tmp_path, capsys):
    """judge / judge-eval on GPTFuzz's 1,540 evaluate responses. GPTFuzz is now one of the training sources, so
    this is an in-distribution sanity check of the CLI path; the judge's real (cross-source) figures come from
    leave-one-source-out measurement (benchmarks/judge_agreement.py)."""
    evaluate = GPTFUZZ / "evaluate.csv"
    if not evaluate.exists():
        pytest.skip(f"{evaluate} not present (../shared/datasets is only beside the project in CI and development)")
    out = tmp_path / "judged.jsonl"
    assert main(["judge", str(evaluate), "--response-col", "Response", "--out", str(out)]) == 0
    assert len(read_jsonl(out)) == 1540
    report = tmp_path / "eval.json"
    assert main(["judge-eval", str(evaluate), "--response-col", "Response", "--label-col", "label", "--json", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["harm"]["n"] == 1540
    assert data["harm"]["accuracy"] >= 0.85
    assert "refusal_proxy" not in data  # harm labels say nothing about refusal
    assert data["harm"]["by_language"]["en"]["accuracy"] >= 0.85


def test_an_out_path_that_cannot_be_written_fails_before_any_judging(tmp_path, capsys, monkeypatch):
    source = write_csv(tmp_path / "responses.csv", ROWS)
    judged = []
    monkeypatch.setattr("auditor.judges.keywords.KeywordJudge.judge_batch", lambda self, items: judged.append(items) or [])
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for out, message in ((tmp_path / "a-folder", f"--out {tmp_path / 'a-folder'} is a folder; name a file"),
                         (tmp_path / "a-file" / "judged.jsonl", f"the folder of --out {tmp_path / 'a-file'} is an existing file")):
        assert main(["judge", str(source), "--response-col", "answer", "--judge", "keywords", "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("auditor: error: ") and message in err and "\n" not in err
    assert judged == []
