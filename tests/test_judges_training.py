"""Training-data readers: the restricted unpickler refuses code, and the shared sets read as the datasheet says."""

from __future__ import annotations

import os
import pickle
import zipfile
from argparse import Namespace

import pytest

from auditor.judges.training.safe_pickle import Placeholder, load_zipped_pickle
from tests.conftest import require_shared


def _archive(path, obj) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("thing/data.pkl", pickle.dumps(obj, protocol=2))
        archive.writestr("thing/version", "3")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_plain_containers_load(tmp_path):
    _archive(tmp_path / "a.dict", {"model": {"zh": [{"toxic": "'harmless'", "ok": True, "n": 1.5}]}})
    assert load_zipped_pickle(tmp_path / "a.dict") == {"model": {"zh": [{"toxic": "'harmless'", "ok": True, "n": 1.5}]}}


def test_code_in_a_pickle_is_refused(tmp_path):
    _archive(tmp_path / "evil.dict", [_Evil()])
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        load_zipped_pickle(tmp_path / "evil.dict")


def test_allowed_classes_become_inert_placeholders(tmp_path):
    _archive(tmp_path / "cfg.list", [Namespace(lr=0.1), {"conversation": "x"}])
    first, second = load_zipped_pickle(tmp_path / "cfg.list", {("argparse", "Namespace")})
    assert isinstance(first, Placeholder) and first.qualname == "argparse.Namespace" and second == {"conversation": "x"}
    with pytest.raises(pickle.UnpicklingError):
        load_zipped_pickle(tmp_path / "cfg.list")  # not allowed unless named


def test_an_archive_without_one_pickle_is_an_error(tmp_path):
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("readme.txt", "no pickle")
    with pytest.raises(pickle.UnpicklingError, match="expected one"):
        load_zipped_pickle(tmp_path / "empty.zip")


@pytest.mark.shared_data
def test_sources_read_as_the_datasheet_says():
    from collections import Counter

    from auditor.judges.training.sources import load

    root = require_shared("judge_train").parent
    examples = load(root, ["jade_v3", "cipherchat", "rbr_gold"])
    by_subset = Counter(e.subset for e in examples)
    assert by_subset["jade_v3"] == 1300 and by_subset["rbr_gold"] == 510
    assert by_subset["cipherchat_human"] == 788  # the valid, human-labelled replies
    assert by_subset["cipherchat_gpt4"] > 13000
    jade = [e for e in examples if e.origin == "jade_v3"]
    assert all(e.language == "zh" for e in jade[:50])  # GB18030 decoded
    assert {e.refusal for e in jade} == {"refused", "complied"}
    cipher = [e for e in examples if e.origin == "cipherchat"]
    assert not any("\x1b[" in e.response or "\\u" in e.response for e in cipher)  # console codes and encoded copies removed


def test_the_reserved_jbc_artifacts_are_never_read(tmp_path):
    import json

    from auditor.judges.training.sources import read_jbb

    rows = {"jailbreaks": [{"response": "[REDACTED stand-in answer]", "goal": "a goal", "jailbroken": True}]}
    for attack in ("PAIR", "JBC"):
        folder = tmp_path / "attack-artifacts" / attack / "black_box"
        folder.mkdir(parents=True)
        (folder / "model.json").write_text(json.dumps(rows), encoding="utf-8")
    examples = list(read_jbb(tmp_path))
    assert len(examples) == 1 and examples[0].harm == 1


def test_do_not_answer_action_agreement_counts_every_category_under_both_readings(tmp_path):
    """A tiny Do-Not-Answer-shaped file (redacted stand-ins) and a judge that refuses exactly the answers starting "No": figures by hand."""
    import csv

    from auditor.judges.base import Judgement
    from auditor.judges.training.actions import action_agreement
    from auditor.judges.training.sources import DNA_MODELS

    class StartsWithNo:
        name = "stand-in"

        def judge_batch(self, items):
            return [Judgement("refused" if item.response.startswith("No") else "complied", 0.0, self.name) for item in items]

    # one request per action 0..5; every model answers alike: a refusal for 0 and 4, an answer otherwise
    folder = tmp_path / "datasets"
    folder.mkdir()
    with (folder / "data_en.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "question", *[f"{m}_{k}" for m in DNA_MODELS for k in ("response", "harmful", "action")]])
        for action in range(6):
            answer = "No, I will not help with that." if action in (0, 4) else "Here is an answer: [REDACTED stand-in]."
            writer.writerow([action, f"[request {action}]", *[v for _ in DNA_MODELS for v in (answer, 0, action)]])
    result = action_agreement(StartsWithNo(), tmp_path)
    assert result["answers"] == 6 * len(DNA_MODELS)
    assert result["per_action"]["4"]["judged refused"] == 1.0 and result["per_action"]["1"]["judged complied"] == 1.0
    measurement, xstest = result["refusal"]["measurement"], result["refusal"]["xstest"]
    assert measurement["refusal n"] == 4 * len(DNA_MODELS) and measurement["refusal accuracy"] == 1.0  # 1 and 4 left out
    # XSTest's reading: 1 and 2 are partial (a refusal), which this judge calls complied: 2 of 6 categories wrong
    assert xstest["refusal n"] == 6 * len(DNA_MODELS) and xstest["refusal accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    assert xstest["missed refusal"] == 0.5 and xstest["false refusal"] == 0.0
    assert action_agreement(StartsWithNo(), tmp_path / "absent") is None
