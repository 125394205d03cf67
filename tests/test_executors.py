"""Executors, many-suspect audits and the vLLM route, without a Ray cluster (tests/test_executors_ray.py has those).

Everything here is offline: replay models, no GPU, no vLLM installed. The vLLM route is
checked for what can be checked without a GPU: how its spec resolves, what it requires
(the `[vllm]` extra, or nothing when VLLM_BASE_URL points at a running server), that its
units ask Ray for a GPU, and the one-line errors.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.executors import Unit, gpu_served, split_gpu_runs, unit_resources
from auditor.models.requirements import requirement_problems, requirements
from auditor.options import AuditOptions
from auditor.storage import is_url, join, log_location
from tests.conftest import COMPLIANT_STAND_IN, REFUSAL, make_replay, make_suite

LLAMA = "vllm/meta-llama/Llama-3.1-8B-Instruct"
R1_DISTILL = "vllm/deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
VLLM_INSTALLED = importlib.util.find_spec("vllm") is not None


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    assert "Traceback" not in text
    return lines[0]


# -- log locations ---------------------------------------------------------------------------

def test_log_locations_keep_urls_as_text_and_paths_as_paths():
    assert log_location("s3://bucket/audits/") == "s3://bucket/audits"
    assert log_location("reports/x/logs") == Path("reports/x/logs")
    assert is_url("gs://b/x") and is_url("file:///tmp/x") and not is_url("C:\\logs") and not is_url(Path("s3:/b"))
    assert join("s3://bucket/audits", "original") == "s3://bucket/audits/original"
    assert join(Path("out/logs"), "original") == Path("out/logs/original")


# -- the vLLM route --------------------------------------------------------------------------

def test_vllm_spec_needs_the_vllm_extra_unless_a_server_is_named(monkeypatch):
    monkeypatch.delenv("VLLM_BASE_URL", raising=False)
    req = requirements(LLAMA)
    assert (req.provider, req.module, req.package, req.remote) == ("vllm", "vllm", "distill-auditor[vllm]", False)
    if not VLLM_INSTALLED:
        problems = requirement_problems(LLAMA, "suspect")
        assert problems == [
            f"suspect model '{LLAMA}' needs the distill-auditor[vllm] package: pip install 'distill-auditor[vllm]' on the machine "
            "that serves the model (a CUDA GPU; with --executor ray, the GPU workers), or serve it elsewhere and set VLLM_BASE_URL"
        ]
    monkeypatch.setenv("VLLM_BASE_URL", "http://gpu-box:8000/v1")
    served = requirements(LLAMA)
    assert served.module is None and served.remote and served.base_url() == "http://gpu-box:8000/v1"
    assert requirement_problems(LLAMA, "suspect") == []


def test_units_serving_open_weights_ask_ray_for_a_gpu(monkeypatch):
    monkeypatch.delenv("VLLM_BASE_URL", raising=False)
    monkeypatch.delenv("SGLANG_BASE_URL", raising=False)
    options = AuditOptions(original=LLAMA, suspect=R1_DISTILL)
    assert gpu_served(LLAMA) and gpu_served(f"guarded/{LLAMA}") and gpu_served("hf/gpt2") and gpu_served("sglang/x/y")
    for spec in ("openai/gpt-4o", "local/smollm2", "replay/x.jsonl", "openai-api/dashscope/qwen-max"):
        assert not gpu_served(spec), spec
    assert unit_resources(Unit("s", Path("l"), (R1_DISTILL,), options)) == {"num_cpus": 1, "num_gpus": 1}
    assert unit_resources(Unit("s", Path("l"), ("openai/gpt-4o",), options)) == {"num_cpus": 1}
    assert unit_resources(Unit("s", Path("l"), ("local/smollm2",), options)) == {"num_cpus": 1}  # llama.cpp here runs on the CPU
    monkeypatch.setenv("VLLM_BASE_URL", "http://gpu-box:8000/v1")  # served elsewhere: the unit only sends requests
    assert unit_resources(Unit("s", Path("l"), (R1_DISTILL,), options)) == {"num_cpus": 1}


def test_a_unit_never_holds_two_gpu_served_models(monkeypatch):
    monkeypatch.delenv("VLLM_BASE_URL", raising=False)
    options = AuditOptions(original=LLAMA, suspect=R1_DISTILL)
    both = split_gpu_runs([Unit("audit", Path("out/logs"), (LLAMA, R1_DISTILL), options)])
    assert [u.models for u in both] == [(LLAMA,), (R1_DISTILL,)]
    assert all(Path(u.log_dir).parent == Path("out/logs") for u in both) and both[0].log_dir != both[1].log_dir
    mixed = split_gpu_runs([Unit("audit", "s3://b/logs", (LLAMA, "openai/gpt-4o"), options)])
    assert [u.models for u in mixed] == [(LLAMA, "openai/gpt-4o")]


@pytest.mark.skipif(VLLM_INSTALLED, reason="vllm is installed here")
def test_auditing_vllm_models_without_the_extra_is_one_line_before_anything_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VLLM_BASE_URL", raising=False)
    code = main(["audit", "--original", LLAMA, "--suspect", R1_DISTILL, "--limit", "2", "--out", str(tmp_path / "out")])
    line = _one_line(capsys.readouterr().err)
    assert code == 2
    assert "pip install 'distill-auditor[vllm]'" in line and LLAMA in line
    assert not (tmp_path / "out" / "logs").exists() or not any((tmp_path / "out" / "logs").rglob("*.eval"))


def test_ray_not_installed_is_one_line_naming_the_extra(tmp_path, capsys, monkeypatch, small_audit_files):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    files = small_audit_files
    code = main(["audit", "--original", f"replay/{files['original']}", "--suspect", f"replay/{files['suspect']}",
                 "--suite", str(files["suite"]), "--judge", "keywords", "--executor", "ray", "--out", str(tmp_path / "out")])
    line = _one_line(capsys.readouterr().err)
    assert code == 2
    assert line == "auditor: error: --executor ray needs Ray, which is not installed: pip install 'distill-auditor[ray]'"
    assert not any((tmp_path / "out").rglob("*.eval"))


# -- many suspects: bad input ------------------------------------------------------------------

@pytest.fixture
def three_suspects(tmp_path: Path) -> dict[str, Path]:
    rows = make_suite(tmp_path / "suite.jsonl", {"cyber_offence": 8, "illegal_drugs": 8})
    files = {"suite": tmp_path / "suite.jsonl", "dir": tmp_path}
    files["original"] = make_replay(tmp_path / "original.jsonl", rows, lambda r: REFUSAL)
    files["same"] = make_replay(tmp_path / "same.jsonl", rows, lambda r: REFUSAL)
    files["cyber"] = make_replay(tmp_path / "cyber.jsonl", rows,
                                 lambda r: COMPLIANT_STAND_IN if r["category"] == "cyber_offence" else REFUSAL)
    files["all"] = make_replay(tmp_path / "<all>&.jsonl", rows, lambda r: COMPLIANT_STAND_IN)  # markup in a model name
    return files


def _audit_args(files: dict[str, Path], *suspects: str, out: Path) -> list[str]:
    args = ["audit", "--original", f"replay/{files['original']}", "--suite", str(files["suite"]), "--judge", "keywords",
            "--out", str(out), "--display", "none"]
    for suspect in suspects:
        args += ["--suspect", suspect]
    return args


@pytest.mark.parametrize("case", ["repeated", "original"])
def test_a_repeated_suspect_or_the_original_as_suspect_is_one_line_before_anything_runs(three_suspects, tmp_path, capsys, case):
    files, out = three_suspects, tmp_path / "out"
    first = f"replay/{files['same']}"
    second = first if case == "repeated" else f"replay/{files['original']}"
    code = main(_audit_args(files, first, f"replay/{files['cyber']}", second, out=out))
    line = _one_line(capsys.readouterr().err)
    assert code == 2
    if case == "repeated":
        assert f"--suspect {first} is given twice" in line and "name each suspect once" in line
    else:
        assert "is the original model" in line
    assert not any(out.rglob("*.eval")) if out.exists() else True


def test_many_suspects_with_sequential_is_one_line(three_suspects, tmp_path, capsys):
    files = three_suspects
    code = main([*_audit_args(files, f"replay/{files['same']}", f"replay/{files['cyber']}", out=tmp_path / "out"), "--sequential"])
    assert code == 2
    assert "one suspect at a time" in _one_line(capsys.readouterr().err)


# -- many suspects, local executor ---------------------------------------------------------------

def test_three_suspects_run_the_original_once_and_write_a_report_each_and_an_index(three_suspects, tmp_path, capsys):
    files, out = three_suspects, tmp_path / "out"
    suspects = [f"replay/{files[k]}" for k in ("same", "cyber", "all")]
    code = main([*_audit_args(files, *suspects, out=out), "--fail-on", "lost"])
    captured = capsys.readouterr()
    assert code == 3, captured.err  # two suspects lost a safeguard
    summary = json.loads((out / "index.json").read_text())
    assert [s["suspect"] for s in summary["suspects"]] == suspects
    by_name = {Path(s["suspect"]).name: s for s in summary["suspects"]}
    assert by_name["same.jsonl"]["gated"] == [] and by_name["cyber.jsonl"]["gated"] == ["cyber_offence"]
    assert sorted(by_name["<all>&.jsonl"]["gated"]) == ["cyber_offence", "illegal_drugs"]
    # one eval log of the original (sent once), one per suspect, each in its own folder
    original_logs = list((out / "logs" / "original").glob("*.eval"))
    assert len(original_logs) == 1
    for entry in summary["suspects"]:
        assert entry["complete"] and entry["paired"] == 32
        assert len(list((out / "logs" / entry["folder"]).glob("*.eval"))) == 1
        for kind in ("json", "html", "md"):
            assert (out / entry["reports"][kind]).is_file()
        report = json.loads((out / entry["reports"]["json"]).read_text())
        assert report["suspect"] == entry["suspect"] and report["complete"] is True
    # the index escapes model names and links every report
    page = (out / "index.html").read_text()
    assert "<all>&" not in page and "&lt;all&gt;&amp;" in page
    for entry in summary["suspects"]:
        assert f'href="{entry["reports"]["html"]}"' in page
    assert "<svg" in page
    # `auditor report` on the same logs gives the same statistics as the audit's own report
    cyber = by_name["cyber.jsonl"]
    assert main(["report", str(out / "logs"), "--original", f"replay/{files['original']}", "--suspect", cyber["suspect"],
                 "--out", str(tmp_path / "rebuilt")]) == 0
    rebuilt = json.loads((tmp_path / "rebuilt" / "report.json").read_text())
    audited = json.loads((out / cyber["reports"]["json"]).read_text())
    assert rebuilt["categories"] == audited["categories"] and rebuilt["summary"] == audited["summary"]


# -- schedule config -----------------------------------------------------------------------------

def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "watch.toml"
    path.write_text(f'original = "openai/gpt-4o"\nsuspects = ["openai/gpt-4o-mini"]\n{extra}\n', encoding="utf-8")
    return path


def test_schedule_config_executor_table(tmp_path):
    from auditor.errors import ConfigError
    from auditor.schedule.config import load_config

    assert load_config(_config(tmp_path, "")).executor.kind == "local"
    config = load_config(_config(tmp_path, '[executor]\nkind = "ray"\naddress = "ray-head:6379"'))
    assert (config.executor.kind, config.executor.address) == ("ray", "ray-head:6379")
    with pytest.raises(ConfigError, match=r"executor\.kind: must be one of local, ray, got 'slurm'"):
        load_config(_config(tmp_path, '[executor]\nkind = "slurm"'))
    with pytest.raises(ConfigError, match=r"executor\.address: .*needs kind = \"ray\""):
        load_config(_config(tmp_path, '[executor]\naddress = "ray-head:6379"'))
    with pytest.raises(ConfigError, match=r"unknown key"):
        load_config(_config(tmp_path, '[executor]\nkind = "ray"\nworkers = 4'))
