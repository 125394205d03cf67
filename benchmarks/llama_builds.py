"""What the portable llama.cpp build costs: the embedded model's speed under different builds.

llama-cpp-python has no CPU wheel on PyPI; `scripts/setup.sh` compiles it with portable
flags (GGML_NATIVE=OFF, AVX2/FMA/F16C baseline). This benchmark installs each given
wheel into its own folder and runs `models_local_throughput.measure` against it in a
fresh process (the same prompts, greedy, the offline default's 128-token cap), rounds
interleaved so machine load falls on every build alike:

    python benchmarks/llama_builds.py portable=WHEEL allvariants=WHEEL native=WHEEL [--rounds 3] [--samples 26]

Builds compared in the README:
- portable:    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" (what setup.sh builds)
- allvariants: CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" (ggml picks the best
  CPU backend at run time; llama-cpp-python 0.3.36 does not load dynamic backends itself, so the child loads them
  with ggml_backend_load_all_from_path first, as the auditor would have to)
- native:      CMAKE_ARGS="-DGGML_NATIVE=ON" (pip's default; may die with SIGILL on CPUs that advertise AMX)

A build whose child dies is reported with its signal (a native build on this machine's CPU can).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import write_result  # noqa: E402

# The child: optionally load ggml's dynamic CPU backends, then measure with the throughput benchmark's own code.
CHILD = """
import ctypes, json, sys
backend_dir = sys.argv[1]
if backend_dir:
    import llama_cpp  # loads libggml.so.0, whose backend registry libllama uses
    ggml = ctypes.CDLL("libggml.so.0")
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path(backend_dir.encode())
sys.path.insert(0, sys.argv[2])
from models_local_throughput import measure, core_prompts
print("RESULT " + json.dumps(measure(core_prompts(int(sys.argv[3])), 1, int(sys.argv[4]))))
"""


def install(wheel: Path, into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(into), str(wheel)], check=True)
    return into


def run_build(label: str, target: Path, samples: int, max_tokens: int) -> dict[str, Any]:
    backend_dir = target / "bin" if any((target / "bin").glob("libggml-cpu-*.so")) else None
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(backend_dir or ""), str(HERE), str(samples), str(max_tokens)],
        capture_output=True, text=True, env=env, timeout=3600,
    )
    if done.returncode < 0:
        return {"build": label, "died": signal.Signals(-done.returncode).name}
    if done.returncode != 0:
        return {"build": label, "failed": done.stderr.strip().splitlines()[-1:]}
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return {"build": label, **json.loads(line[len("RESULT "):])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builds", nargs="+", help="label=path/to/llama_cpp_python-*.whl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=26)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llama-builds-"))
    targets = {label: install(Path(wheel), work / label) for label, wheel in (b.split("=", 1) for b in args.builds)}
    runs: list[dict[str, Any]] = []
    for round_no in range(args.rounds):
        for label, target in targets.items():
            result = {"round": round_no + 1, **run_build(label, target, args.samples, args.max_tokens)}
            print(result, flush=True)
            runs.append(result)
    summary = {}
    for label in targets:
        ok = [r for r in runs if r["build"] == label and "generated_tokens_per_second" in r]
        summary[label] = (
            {"median_generated_tokens_per_second": statistics.median(r["generated_tokens_per_second"] for r in ok),
             "median_seconds_per_sample": statistics.median(r["seconds_per_sample"] for r in ok),
             "median_generated_tokens_per_cpu_second": statistics.median(r["generated_tokens_per_cpu_second"] for r in ok),
             "rounds": len(ok)}
            if ok else {"died_or_failed": [r.get("died") or r.get("failed") for r in runs if r["build"] == label]}
        )
    write_result("llama_builds", {
        "samples": args.samples, "max_tokens": args.max_tokens, "threads": 1, "rounds": args.rounds,
        "wheels": {label: Path(w).name for label, w in (b.split("=", 1) for b in args.builds)},
        "summary": summary, "runs": runs,
        "how": "each build installed into its own folder and measured in a fresh child process (load + warm-up not timed); "
               "rounds interleaved across builds; medians over rounds",
    })


if __name__ == "__main__":
    main()
