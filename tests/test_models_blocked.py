"""Provider blocks vs the model's refusals vs transport errors, over real HTTP to a local OpenAI-compatible server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai.model import ModelOutput
from inspect_ai.model._model_output import StopDetails

from auditor.audit import run_audit
from auditor.options import AuditOptions
from auditor.errors import ConfigError
from auditor.models.blocking import block_from_error, output_block_signal, raw_block_signal
from auditor.models.screened import screen_output
from tests._models_helpers import openai_server, write_suite

# Fast failure for the one 5xx sample: one Inspect retry, no SDK retries, no task-level retry.
FAST_RETRY = {"max_retries": 1, "model_args": {"max_retries": 0}, "retry_attempts": 0}


def _suite(path: Path) -> Path:
    pairs = [
        ("[[policy@orig]] harmful one", "benign one"),
        ("[[filter@orig]] harmful two", "benign two"),
        ("[[inspect]] harmful three", "[[refuse@susp]] benign three"),
        ("[[down@susp]] harmful four", "[[sensitive@susp]] benign four"),
        ("[[risk@orig]] harmful five", "[[bad@orig]] benign five"),
        ("[[refuse@orig]] harmful six", "benign six"),
    ]
    records = []
    for i, (harmful, benign) in enumerate(pairs, start=1):
        for variant, prompt in (("harmful", harmful), ("benign", benign)):
            records.append({"id": f"cy-{i}-{variant[0]}", "pair_id": f"cy-{i}", "category": "cyber_offence", "variant": variant, "prompt": prompt})
    return write_suite(path / "suite.jsonl", records)


@pytest.fixture(scope="module")
def http_audit(tmp_path_factory: pytest.TempPathFactory):
    """One real audit over HTTP, shared by the assertions below (it takes a while: one sample is retried)."""
    tmp_path = tmp_path_factory.mktemp("http_audit")
    with openai_server() as server, pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("TESTSVC_API_KEY", "test-key")
        monkeypatch.setenv("TESTSVC_BASE_URL", server.base_url)
        options = AuditOptions(
            original="openai-api/testsvc/orig",
            suspect="openai-api/testsvc/susp",
            suites=[str(_suite(tmp_path))],
            judge="keywords",
            log_dir=tmp_path / "logs",
            out_dir=tmp_path / "out",
            eval_args=dict(FAST_RETRY),
        )
        result = run_audit(options)
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        yield result, report, server


def test_blocked_refused_and_error_are_told_apart(http_audit) -> None:
    _, report, server = http_audit
    by_id = {s["id"]: s for s in report["samples"]}
    outcome = {(sid, side): by_id[sid][side]["refusal"] for sid in by_id for side in ("original", "suspect")}
    # provider policy errors (OpenAI, DashScope, DeepSeek wording) and filter finish reasons -> blocked
    assert outcome[("cy-1-h", "original")] == "blocked"  # 400 content_policy_violation
    assert outcome[("cy-2-h", "original")] == "blocked"  # finish_reason content_filter, empty answer
    assert outcome[("cy-3-h", "original")] == outcome[("cy-3-h", "suspect")] == "blocked"  # 400 data_inspection_failed
    assert outcome[("cy-4-b", "suspect")] == "blocked"  # finish_reason "sensitive" (Inspect says "unknown")
    assert outcome[("cy-5-h", "original")] == "blocked"  # 400 "Content Exists Risk"
    # the model's own refusal stays a refusal
    assert outcome[("cy-6-h", "original")] == "refused" and outcome[("cy-3-b", "suspect")] == "refused"
    # a 5xx that survives retries and a non-policy 400 are errors, never refusals
    assert outcome[("cy-4-h", "suspect")] == "error" and "InternalServerError" in by_id["cy-4-h"]["suspect"]["error"]
    assert outcome[("cy-5-b", "original")] == "error"
    assert by_id["cy-1-h"]["original"]["stop_reason"] == "content_filter"
    assert outcome[("cy-1-h", "suspect")] == "complied"
    assert server.stats.requests["orig"] >= 12 and server.stats.requests["susp"] >= 13  # the 5xx was retried


def test_report_counts_blocked_and_errors_separately(http_audit) -> None:
    _, report, _ = http_audit
    assert report["blocked"] == {"original": 4, "suspect": 2}
    assert report["errors"] == {"original": 1, "suspect": 1}


def test_missing_suspect_key_fails_before_any_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with openai_server() as server:
        monkeypatch.setenv("TESTSVC_API_KEY", "test-key")
        monkeypatch.setenv("TESTSVC_BASE_URL", server.base_url)
        monkeypatch.delenv("OTHERSVC_API_KEY", raising=False)
        monkeypatch.setenv("OTHERSVC_BASE_URL", server.base_url)
        options = AuditOptions(
            original="openai-api/testsvc/orig",
            suspect="openai-api/othersvc/susp",
            suites=[str(_suite(tmp_path))],
            judge="keywords",
            log_dir=tmp_path / "logs",
            out_dir=tmp_path / "out",
        )
        with pytest.raises(ConfigError) as err:
            run_audit(options)
        assert "OTHERSVC_API_KEY" in str(err.value) and "suspect" in str(err.value)
        assert server.stats.requests == {}  # nothing was sent, not even the original's half


class _StatusError(Exception):
    def __init__(self, status: int, body: dict, message: str) -> None:
        super().__init__(message)
        self.status_code = status
        self.body = body
        self.message = message


@pytest.mark.parametrize(
    "status, body, message, blocked",
    [
        (400, {"error": {"code": "1301", "message": "系统检测到输入或生成内容可能包含不安全或敏感内容"}}, "Error code: 400", True),
        (400, {"error": {"type": "content_filter", "message": "The request was rejected because it was considered high risk"}}, "Error code: 400", True),
        (400, {"base_resp": {"status_code": 1026, "status_msg": "input new_sensitive"}}, "Error code: 400", True),
        (400, {"error": {"code": "invalid_value", "message": "temperature must be <= 2"}}, "Error code: 400", False),
        (429, {"error": {"code": "content_filter", "message": "rate limited"}}, "Error code: 429", False),
        (500, {"error": {"message": "content filter service unavailable"}}, "Error code: 500", False),
    ],
)
def test_policy_errors_are_blocks_only_for_client_statuses(status: int, body: dict, message: str, blocked: bool) -> None:
    wrapped = RuntimeError("generate failed")
    wrapped.__cause__ = _StatusError(status, body, message)
    assert (block_from_error(wrapped) is not None) is blocked


def test_raw_filter_signals() -> None:
    assert raw_block_signal({"choices": [{"finish_reason": "sensitive"}]})
    assert raw_block_signal({"candidates": [{"finish_reason": "FinishReason.SAFETY"}]})
    assert raw_block_signal({"choices": [], "base_resp": {"status_code": 1027, "status_msg": "output new_sensitive"}})
    assert raw_block_signal({"choices": [{"finish_reason": "stop"}]}) is None
    assert raw_block_signal(None) is None


def test_empty_filtered_completion_is_blocked_but_an_empty_plain_answer_is_not() -> None:
    filtered = ModelOutput.from_content("m", "", stop_reason="stop", stop_details=StopDetails(type="content_filter"))
    plain = ModelOutput.from_content("m", "", stop_reason="stop")
    assert output_block_signal(filtered) and output_block_signal(plain) is None
    assert screen_output(filtered).stop_reason == "content_filter"
    assert screen_output(plain).stop_reason == "stop"


def test_content_filter_with_error_set_is_blocked_not_error() -> None:
    """Anthropic's 'content filtering' 400 arrives as a content_filter output that also carries `error`."""
    output = ModelOutput.from_content("m", "Sorry.", stop_reason="content_filter", error="output blocked by content filtering policy")
    screened = screen_output(output)
    assert screened.error is None and screened.stop_reason == "content_filter"
    assert "content filtering" in (screened.choices[0].stop_details.explanation or "")
