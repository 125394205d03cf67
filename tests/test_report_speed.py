"""The report-build shortcuts give the same numbers and samples as the slow paths they replace.

- Wilson intervals, exact McNemar p-values and Holm/BH adjustment are statsmodels'
  formulas written out (to keep scipy.stats and statsmodels out of a report's start-up):
  checked against statsmodels itself;
- `sample_json` parses an `.eval` sample without its transcript: checked against a full
  parse, including samples whose metadata or events hold the byte strings it cuts at;
- report.json is written by pydantic-core: same content as the standard library's encoder.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from auditor.report.writer import report_json
from auditor.results import SKIPPED_SAMPLE_FIELDS, sample_json
from auditor.stats.multiplicity import adjust_pvalues
from auditor.stats.paired import PairedCounts, mcnemar_exact_p, mcnemar_exact_p_arrays, wilson_interval


def test_wilson_matches_statsmodels():
    for n in range(1, 40):
        for k in range(n + 1):
            for alpha in (0.01, 0.05, 0.2):
                assert wilson_interval(k, n, alpha) == pytest.approx(proportion_confint(k, n, alpha=alpha, method="wilson"), abs=1e-12)
    low, high = wilson_interval(np.array([0, 3, 10]), np.array([4, 10, 10]))
    ref = proportion_confint(np.array([0, 3, 10]), np.array([4, 10, 10]), method="wilson")
    assert np.allclose(low, ref[0]) and np.allclose(high, ref[1])


def test_exact_mcnemar_matches_statsmodels():
    b, c = np.meshgrid(np.arange(30), np.arange(30))
    ours = mcnemar_exact_p_arrays(b.ravel(), c.ravel())
    ref = [mcnemar([[5, x], [y, 5]], exact=True).pvalue for x, y in zip(b.ravel(), c.ravel())]
    assert np.allclose(ours, ref, rtol=1e-12, atol=1e-15)
    assert mcnemar_exact_p(PairedCounts(4, 0, 0, 6)) == 1.0
    assert mcnemar_exact_p(PairedCounts(0, 15, 0, 0)) == pytest.approx(mcnemar([[0, 15], [0, 0]], exact=True).pvalue)


@pytest.mark.parametrize("method, reference", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjustment_matches_statsmodels(method, reference):
    rng = np.random.default_rng(1)
    for _ in range(200):
        p = list(rng.random(rng.integers(1, 25)) ** rng.uniform(1, 5))
        assert np.allclose(adjust_pvalues(p, method), multipletests(p, method=reference)[1], atol=1e-15)
    assert adjust_pvalues([0.01, None, float("nan"), 0.04], method) == pytest.approx(
        [multipletests([0.01, 0.04], method=reference)[1][0], None, None, multipletests([0.01, 0.04], method=reference)[1][1]]
    )


def _sample(events, metadata, tail_extra=None) -> bytes:
    sample = {
        "id": "x-1", "epoch": 1, "input": "prompt, \"events\": [1]", "target": "",
        "messages": [{"role": "user", "content": "hi ],\"model_usage\": no"}],
        "output": {"completion": "attachment://abc", "choices": [{"stop_reason": "stop"}]},
        "scores": {"judge": {"value": 1, "metadata": {"refusal": "refused"}}},
        "metadata": metadata, "store": {}, "events": events,
        "model_usage": {"m": {"input_tokens": 3}}, "uuid": "u", "error": None,
        "attachments": {"abc": "the full answer"}, **(tail_extra or {}),
    }
    return json.dumps(sample, separators=(",", ":")).encode()


@pytest.mark.parametrize("metadata, events", [
    ({"category": "cyber"}, [{"event": "model", "output": {"x": [1, 2]}}]),
    ({"events": [1, 2], "nested": {"a": [3], "model_usage": 4}}, [{"event": "model", "model_usage": {"k": [1]}}]),
    ({"category": "c"}, [{"list": [1], "model_usage": {"k": 1}}, {"events": [{"model_usage": [2]}]}]),
    ({}, []),
])
def test_sample_json_equals_a_full_parse_without_the_transcript(metadata, events):
    raw = _sample(events, metadata)
    full = json.loads(raw)
    fast = sample_json(raw)
    for key in SKIPPED_SAMPLE_FIELDS:
        full.pop(key, None)
        fast.pop(key, None)
    assert fast == full


def test_sample_json_falls_back_on_an_unexpected_layout():
    raw = json.dumps({"id": 1, "events": [{"a": 1}], "scores": {}}, separators=(",", ":")).encode()
    assert sample_json(raw) == json.loads(raw)
    raw = b'{"id":1,"events":[],"attachments":{}}'
    assert sample_json(raw) == json.loads(raw)


def test_report_json_same_content_as_the_standard_encoder():
    data = {"a": [1, 2.5, None, "é ü 中文"], "b": {"c": True, "nan": math.nan}, "n": np.int64(3), "f": np.float64(0.1)}
    text = report_json(data)
    loaded = json.loads(text)
    assert math.isnan(loaded["b"].pop("nan"))  # as json.dumps writes it
    assert loaded == {"a": [1, 2.5, None, "é ü 中文"], "b": {"c": True}, "n": "3", "f": 0.1}
    assert "中文" in text and text.startswith("{\n  ")
