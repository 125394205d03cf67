"""The local-model probe: a native crash is a one-line error before the audit sends anything.

The crashes are real signals raised by a stand-in `llama_cpp` module placed on the
child's PYTHONPATH (the probe runs `import llama_cpp` in a child process), so the
test exercises the same path a SIGILL from a mis-built llama.cpp takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import ConfigError
from auditor.models import probe
from auditor.models.probe import ProbeResult, check_memory, explain, run_probe

FAKE_LLAMA = """
import os, signal
class Llama:
    def __init__(self, **kwargs):
        how = os.environ.get("FAKE_LLAMA_DIES", "SIGILL")
        if how == "error":
            raise ValueError("Failed to load model from file: " + kwargs["model_path"])
        if how != "none":
            os.kill(os.getpid(), getattr(signal, how))
    def create_chat_completion(self, **kwargs):
        return {"choices": [{"message": {"content": "OK"}, "finish_reason": "stop"}], "usage": {}}
"""


@pytest.fixture
def fake_llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GGUF-shaped file and a stand-in llama_cpp that dies as FAKE_LLAMA_DIES says."""
    package = tmp_path / "fake" / "llama_cpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(FAKE_LLAMA)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(package.parent), os.environ.get("PYTHONPATH", "")]))
    gguf = tmp_path / "suspect.gguf"
    gguf.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)
    probe._CACHE.clear()
    return gguf


@pytest.mark.parametrize(
    ("dies", "signal_name", "says"),
    [
        ("SIGILL", "SIGILL", "built for instructions this CPU cannot run"),
        ("SIGSEGV", "SIGSEGV", "corrupt or truncated"),
        ("SIGKILL", "SIGKILL", "out of memory"),
        ("SIGABRT", "SIGABRT", "died with SIGABRT"),
    ],
)
def test_each_native_crash_is_named_with_its_likely_cause(
    fake_llama: Path, monkeypatch: pytest.MonkeyPatch, dies: str, signal_name: str, says: str
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_DIES", dies)
    result = run_probe(fake_llama, 1)
    assert result == ProbeResult(False, signal_name, result.message)
    message = explain(result, fake_llama)
    assert says in message and str(fake_llama) in message and "\n" not in message


def test_sigill_names_the_portable_reinstall(fake_llama: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_DIES", "SIGILL")
    message = explain(run_probe(fake_llama, 1), fake_llama)
    assert "-DGGML_NATIVE=OFF" in message and "--no-cache-dir" in message


def test_a_load_error_is_reported_as_a_bad_file(fake_llama: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_DIES", "error")
    result = run_probe(fake_llama, 1)
    assert not result.ok and result.signal_name is None
    assert "could not load" in explain(result, fake_llama) and "corrupt or truncated" in explain(result, fake_llama)


def test_a_healthy_model_passes_and_the_result_is_cached(fake_llama: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLAMA_DIES", "none")
    probe.probe_local_model(fake_llama, 1)
    monkeypatch.setenv("FAKE_LLAMA_DIES", "SIGILL")  # the cached success is reused: no second child
    probe.probe_local_model(fake_llama, 1)


def test_a_model_larger_than_free_memory_fails_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gguf = tmp_path / "big.gguf"
    gguf.write_bytes(b"GGUF" + b"\x00" * 4096)
    monkeypatch.setattr(probe, "_memory_available", lambda: 1024)
    with pytest.raises(ConfigError, match=r"needs about .* of memory and only .* is free; use a smaller quantisation"):
        check_memory(gguf)


def test_audit_with_a_crashing_local_model_exits_2_with_one_line_and_sends_nothing(
    fake_llama: Path, small_audit_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_DIES", "SIGILL")
    out = small_audit_files["dir"] / "out"
    done = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "audit", "--original", f"local/{fake_llama}",
         "--suspect", f"replay/{small_audit_files['suspect']}", "--suite", str(small_audit_files["suite"]),
         "--out", str(out), "--display", "none"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SIGILL" in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert not (out / "logs").exists() or not any((out / "logs").iterdir())  # nothing was sent or logged


@pytest.mark.local_model
def test_a_truncated_real_gguf_is_a_one_line_error_before_any_request(
    tmp_path: Path, small_audit_files: dict[str, Path]
) -> None:
    from auditor.providers.local import resolve_gguf

    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(resolve_gguf("smollm2").read_bytes()[:4_000_000])  # the header survives, the tensors do not
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "audit", "--original", f"replay/{small_audit_files['original']}",
         "--suspect", f"local/{truncated}", "--suite", str(small_audit_files["suite"]), "--out", str(out), "--display", "none"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "could not load" in lines[0] and str(truncated) in lines[0], done.stderr
    assert not (out / "report.json").exists()
