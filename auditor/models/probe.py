"""Probe a local (llama.cpp) model in a child process before an audit sends anything.

Native code fails in ways Python cannot catch: llama.cpp built for instructions the CPU
cannot run dies with SIGILL, a corrupt model file can end in SIGSEGV, a model too large
for memory gets the kernel's SIGKILL. Any of these inside the audit process would end
it with a bare exit code (132, 139, 137) and no message. So before the first request
the model is loaded and asked for a few tokens in a child process; if the child dies,
the audit stops with one line naming the signal, its likely cause and the fix, and
exits 2, having computed nothing that could be lost. Results are cached per process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import ConfigError

# Build flags that run on any x86-64 CPU with AVX2 (Intel Haswell, 2013; AMD Excavator, 2015, and later).
PORTABLE_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
REINSTALL = (
    f"rerun `bash scripts/setup.sh --rebuild-llama`, or: CMAKE_ARGS=\"{PORTABLE_CMAKE_ARGS}\" "
    "pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python"
)
PROBE_TIMEOUT_S = 300.0
PROBE_TOKENS = 4

# The child: load the model with the audit's settings and generate a few tokens.
_CHILD = """
import os, sys
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import llama_cpp
path, threads, n_ctx, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    llm = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False)
    llm.create_chat_completion(messages=[{"role": "user", "content": "Say OK."}], max_tokens=tokens, temperature=0.0)
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
    sys.exit(3)
print("probe ok")
"""


@dataclass(frozen=True)
class ProbeResult:
    """How the child ended: `ok`, else the signal that killed it or its last error line."""

    ok: bool
    signal_name: str | None = None
    message: str = ""


def _memory_available() -> int | None:
    """Bytes the kernel says can be allocated without swapping (Linux); None where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def check_memory(gguf: Path, overhead: float = 1.2) -> None:
    """A one-line error when the model file (plus working memory) cannot fit in free memory."""
    available = _memory_available()
    if available is None:
        return
    needed = gguf.stat().st_size * overhead
    if needed > available:
        raise ConfigError(
            f"local model {gguf} needs about {_gib(needed)} of memory and only {_gib(available)} is free; "
            "use a smaller quantisation of the model (e.g. Q4_K_M), free memory, or run it on a larger machine"
        )


def explain(result: ProbeResult, gguf: Path) -> str:
    """The one line a person can act on, for a failed probe."""
    name = result.signal_name
    if name == "SIGILL":
        return (
            f"llama.cpp died with SIGILL (illegal instruction) running {gguf}: it was built for instructions "
            f"this CPU cannot run (a native build using AVX-512/AMX, say); reinstall it portably: {REINSTALL}"
        )
    if name in ("SIGSEGV", "SIGBUS"):
        return (
            f"llama.cpp crashed with {name} loading or running {gguf}: the file may be corrupt or truncated "
            "(download it again and compare its checksum), or the llama-cpp-python build is broken "
            f"({REINSTALL})"
        )
    if name == "SIGKILL":
        return (
            f"loading {gguf} was killed (SIGKILL), most likely by the kernel for running out of memory "
            f"(file {_gib(gguf.stat().st_size)}, {_gib(_memory_available() or 0)} free now); "
            "use a smaller quantisation or a machine with more memory"
        )
    if name == "timeout":
        return f"llama.cpp did not load and answer with {gguf} within {PROBE_TIMEOUT_S:.0f} s; check the machine's load and memory"
    if name is not None:
        return f"llama.cpp died with {name} running {gguf}: {result.message or 'no message'}; {REINSTALL}"
    detail = (result.message or "no message").replace(str(gguf), "the file")
    if "load" in detail.lower():
        return (
            f"llama.cpp could not load {gguf} ({detail}): the file may be corrupt or truncated, or made for a "
            "newer llama.cpp; download it again or upgrade llama-cpp-python"
        )
    return f"local model {gguf} failed its start-up check: {detail}"


def run_probe(gguf: Path, n_threads: int, n_ctx: int = 512, timeout: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Load `gguf` and generate a few tokens in a child Python; report how the child ended."""
    command = [sys.executable, "-c", _CHILD, str(gguf), str(n_threads), str(n_ctx), str(PROBE_TOKENS)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return ProbeResult(False, "timeout")
    last_line = next((line.strip() for line in reversed(done.stderr.splitlines()) if line.strip()), "")
    if done.returncode == 0:
        return ProbeResult(True)
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return ProbeResult(False, name, last_line)
    return ProbeResult(False, None, last_line)


_CACHE: dict[tuple[str, int, int, int], ProbeResult] = {}
_LOCK = threading.Lock()


def probe_local_model(gguf: Path, n_threads: int) -> None:
    """Raise a one-line ConfigError unless `gguf` loads and generates in a child process (cached per process)."""
    check_memory(gguf)
    stat = gguf.stat()
    key = (str(gguf), stat.st_size, stat.st_mtime_ns, n_threads)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = run_probe(gguf, n_threads)
        result = _CACHE[key]
    if not result.ok:
        raise ConfigError(explain(result, gguf))
