"""The report-build shortcuts give the same samples and output as the slow paths they replace.

- `sample_json` parses an `.eval` sample without its transcript: checked against a full
  parse, including samples whose metadata or events hold the byte strings it cuts at;
- report.json is written by pydantic-core: same content as the standard library's encoder.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from auditor.report.writer import report_json
from auditor.results import SKIPPED_SAMPLE_FIELDS, sample_json


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
