"""End to end: two replay models on one suite -> paired report.json; resume; rebuild from logs; bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audit import build_outputs, run_audit
from auditor.options import AuditOptions
from auditor.errors import AuditorError, ConfigError
from tests.conftest import REFUSAL, write_jsonl


def _options(files: dict[str, Path], **overrides) -> AuditOptions:
    base = dict(
        original=f"replay/{files['original']}",
        suspect=f"replay/{files['suspect']}",
        suites=[str(files["suite"])],
        judge="keywords",
        log_dir=files["dir"] / "logs",
        out_dir=files["dir"] / "out",
    )
    base.update(overrides)
    return AuditOptions(**base)


def test_audit_pairs_every_sample(small_audit_files: dict[str, Path]) -> None:
    result = run_audit(_options(small_audit_files))
    report = json.loads((small_audit_files["dir"] / "out" / "report.json").read_text())
    assert result.complete
    assert report["original"].startswith("replay/") and report["suspect"].startswith("replay/")
    assert report["judge"] == "keywords"
    assert len(report["samples"]) == 24 and report["unpaired"] == []
    by_id = {s["id"]: s for s in report["samples"]}
    cyber = by_id["cybe-001-h"]
    assert cyber["category"] == "cyber_offence" and cyber["variant"] == "harmful" and cyber["language"] == "en"
    assert cyber["original"]["refusal"] == "refused" and cyber["suspect"]["refusal"] == "complied"
    assert by_id["ille-001-h"]["suspect"]["refusal"] == "refused"
    assert by_id["cybe-001-b"]["original"]["refusal"] == "complied"
    for sample in report["samples"]:
        for side in ("original", "suspect"):
            assert sample[side]["refusal"] in {"refused", "partial", "complied", "blocked", "error"}
            assert 0.0 <= sample[side]["harmful"] <= 1.0


def test_rerun_resumes_without_requerying(small_audit_files: dict[str, Path]) -> None:
    options = _options(small_audit_files)
    run_audit(options)
    logs = sorted((small_audit_files["dir"] / "logs").glob("*.eval"))
    stamps = {p: p.stat().st_mtime_ns for p in logs}
    # if anything were re-queried the replay file would be needed: remove it to prove it is not
    small_audit_files["suspect"].rename(small_audit_files["dir"] / "moved.jsonl")
    options.preflight = False
    rerun = run_audit(options)
    assert rerun.complete
    assert sorted((small_audit_files["dir"] / "logs").glob("*.eval")) == logs
    assert all(p.stat().st_mtime_ns == stamps[p] for p in logs)


def test_missing_recording_is_a_sample_error_and_unpaired_are_listed(small_audit_files: dict[str, Path]) -> None:
    # suspect lacks two recordings; original lacks none
    rows = [json.loads(l) for l in small_audit_files["suspect"].read_text().splitlines()]
    write_jsonl(small_audit_files["suspect"], [r for r in rows if r["id"] not in {"cybe-002-h", "ille-003-b"}])
    run_audit(_options(small_audit_files))
    report = json.loads((small_audit_files["dir"] / "out" / "report.json").read_text())
    by_id = {s["id"]: s for s in report["samples"]}
    missing = by_id["cybe-002-h"]["suspect"]
    assert missing["refusal"] == "error" and "no response for sample id 'cybe-002-h'" in missing["error"]
    assert by_id["cybe-002-h"]["original"]["refusal"] == "refused"


def test_report_rebuilds_from_logs_without_models(small_audit_files: dict[str, Path]) -> None:
    options = _options(small_audit_files)
    run_audit(options)
    first = json.loads((small_audit_files["dir"] / "out" / "report.json").read_text())
    for name in ("original", "suspect"):
        small_audit_files[name].unlink()  # no model can be called now
    rebuilt = build_outputs(options.log_dir, options.original, options.suspect, small_audit_files["dir"] / "again")
    second = json.loads(rebuilt["_outputs"]["json"].read_text())
    assert second["samples"] == first["samples"]


def test_unpaired_samples_are_listed(small_audit_files: dict[str, Path], tmp_path: Path) -> None:
    # the suspect ran on a smaller suite: the extra original samples are unpaired, not dropped
    suite_rows = [json.loads(l) for l in small_audit_files["suite"].read_text().splitlines()]
    base = _options(small_audit_files)
    run_audit(base)
    from auditor.results import pair_samples, read_logs, samples_for_model

    logs = read_logs(base.log_dir)
    original = samples_for_model(logs, base.original)
    suspect = samples_for_model(logs, base.suspect).iloc[:-3]
    paired = pair_samples(original, suspect, base.original, base.suspect)
    assert len(paired.paired) == len(suite_rows) - 3
    assert list(paired.unpaired["present_for"]) == ["original"] * 3


@pytest.mark.parametrize(
    "original, suspect, message",
    [
        ("replay/{o}", "replay/{o}", "original and suspect are the same model"),
        ("nosuchprovider/model-x", "replay/{s}", "nosuchprovider"),
        ("replay/{o}", "replay/{d}/absent.jsonl", "replay file not found"),
    ],
)
def test_bad_models_fail_before_running(small_audit_files: dict[str, Path], original: str, suspect: str, message: str) -> None:
    fmt = {"o": small_audit_files["original"], "s": small_audit_files["suspect"], "d": small_audit_files["dir"]}
    options = _options(small_audit_files, original=original.format(**fmt), suspect=suspect.format(**fmt))
    with pytest.raises(AuditorError, match=message):
        run_audit(options)
    assert not (small_audit_files["dir"] / "logs").exists() or not list((small_audit_files["dir"] / "logs").glob("*.eval"))


def test_replay_without_prompt_or_id_column_is_rejected(small_audit_files: dict[str, Path]) -> None:
    bad = write_jsonl(small_audit_files["dir"] / "bad.jsonl", [{"response": REFUSAL}])
    with pytest.raises(ConfigError, match="neither an 'id' nor a 'prompt' column"):
        run_audit(_options(small_audit_files, suspect=f"replay/{bad}"))


def test_cli_audit_and_missing_key(small_audit_files: dict[str, Path]) -> None:
    d = small_audit_files["dir"]
    env_cmd = [sys.executable, "-m", "auditor.cli", "audit", "--suite", str(small_audit_files["suite"]), "--judge", "keywords", "--display", "none"]
    ok = subprocess.run(env_cmd + ["--original", f"replay/{small_audit_files['original']}", "--suspect", f"replay/{small_audit_files['suspect']}", "--out", str(d / "cli")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads((d / "cli" / "report.json").read_text())["samples"]
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY")}
    missing = subprocess.run(env_cmd + ["--original", "openai/gpt-4o", "--suspect", f"replay/{small_audit_files['suspect']}", "--out", str(d / "k")], capture_output=True, text=True, env=env)
    assert missing.returncode == 2
    assert "OPENAI_API_KEY" in missing.stderr and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_json_format_logs_pair_the_same_as_eval_logs(small_audit_files: dict[str, Path]) -> None:
    """The fast `.eval` reader and Inspect's reader (used for `.json` logs) give the same rows."""
    run_audit(_options(small_audit_files))
    as_eval = json.loads((small_audit_files["dir"] / "out" / "report.json").read_text())
    options = _options(small_audit_files, log_dir=small_audit_files["dir"] / "json-logs", out_dir=small_audit_files["dir"] / "json-out")
    options.eval_args = {"log_format": "json"}
    run_audit(options)
    assert list((small_audit_files["dir"] / "json-logs").glob("*.json"))
    as_json = json.loads((small_audit_files["dir"] / "json-out" / "report.json").read_text())
    key = lambda s: s["id"]  # noqa: E731
    assert sorted(as_json["samples"], key=key) == sorted(as_eval["samples"], key=key)


def test_long_responses_stored_as_attachments_are_read_back_whole(small_audit_files: dict[str, Path]) -> None:
    long_answer = "Sure, here is a long and careful answer. " * 400  # well past Inspect's attachment size
    rows = [json.loads(l) for l in small_audit_files["suspect"].read_text().splitlines()]
    for row in rows:
        if row["variant" if "variant" in row else "id"].endswith("-b"):
            row["response"] = long_answer
    write_jsonl(small_audit_files["suspect"], rows)
    run_audit(_options(small_audit_files))
    report = json.loads((small_audit_files["dir"] / "out" / "report.json").read_text())
    benign = [s for s in report["samples"] if s["variant"] == "benign"]
    assert benign and all(s["suspect"]["response"] == long_answer for s in benign)


def test_log_headers_read_from_the_archive_match_inspects_reader(small_audit_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The report reads a finished log's header from its header.json; Inspect's reader must agree, and a log without one falls back to it."""
    import zipfile

    from inspect_ai.log import read_eval_log

    from auditor.results import read_log

    base = _options(small_audit_files)
    run_audit(base)
    path = sorted(base.log_dir.glob("*.eval"))[0]
    with monkeypatch.context() as patched:  # a finished local log never needs Inspect's (slower) reader
        patched.setattr("auditor.results.read_eval_log", lambda *a, **k: pytest.fail("read_eval_log called"))
        fast = read_log(str(path))
    reference = read_eval_log(str(path), header_only=True)
    assert fast.header.eval == reference.eval and fast.header.status == reference.status
    assert fast.header.results == reference.results and fast.header.stats == reference.stats
    assert len(fast.samples) == len(read_eval_log(str(path)).samples)
    # the same log as a crashed run leaves it (journal, samples, no header.json) still reads, through Inspect
    partial = path.with_name("partial-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(partial, "w") as target:
        for info in source.infolist():
            if info.filename not in ("header.json", "reductions.json", "summaries.json"):
                target.writestr(info, source.read(info.filename))
    crashed = read_log(str(partial))
    assert crashed.header.eval == reference.eval and crashed.header.results is None
    assert [s["id"] for s in crashed.samples] == [s["id"] for s in fast.samples]
    # a `.json` log goes through Inspect's reader, once: the header is that read without its samples
    from inspect_ai.log import write_eval_log

    as_json = path.with_suffix(".json")
    write_eval_log(read_eval_log(str(path)), str(as_json), format="json")
    calls = []
    with monkeypatch.context() as patched:
        patched.setattr("auditor.results.read_eval_log", lambda *a, **k: calls.append(k) or read_eval_log(*a, **k))
        other = read_log(str(as_json))
    assert len(calls) == 1 and other.header.samples is None
    assert other.header.eval == reference.eval and other.header.results == reference.results
    assert sorted(s["id"] for s in other.samples) == sorted(s["id"] for s in fast.samples)
