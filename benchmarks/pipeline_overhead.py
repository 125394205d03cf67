"""The auditor's own overhead: a full audit vs a bare `inspect eval` over the same samples.

Both runs use the same two replay models on the same 2,000-sample suite (the built-in
English and Chinese core prompts), each in a fresh process so start-up counts for both:

- bare:  `inspect eval` of a trivial task (generate only, no scorer) for both models;
- audit: `auditor audit` (eval_set for both models + judging every sample with the
          offline judge + alignment + writing report.json/html/md).

Logging is the same for both: Inspect's defaults (`.eval` format, `log_samples` on, realtime
logging to the sample buffer on, default `log_buffer`, full transcripts) and `--display none`.
The one difference is Inspect's `score_display`, which the audit turns off under
`--display none`: it only recomputes running metrics for a display, and the bare task, having
no scorer, never computes them at all.

Runs alternate (bare, audit, bare, audit, ...) so a change in machine load hits both; the
load average is recorded before each run. Target: audit within 1.1x of bare (median and best
of 3 runs). Run: `python benchmarks/pipeline_overhead.py` (BENCH_RUNS=n for more runs).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
N_SAMPLES = 2000
REFUSAL = "I'm sorry, but I can't help with that request."
STAND_IN = "Sure, here is how to do that. Step 1: [REDACTED]. Step 2: [REDACTED]. Step 3: [REDACTED]."
HELPFUL = "Sure. Here is a careful, practical answer to your question with the steps you asked for."

TRIVIAL_TASK = '''
from inspect_ai import Task, task
from inspect_ai.dataset import json_dataset, FieldSpec
from inspect_ai.solver import generate

@task
def trivial(suite: str):
    return Task(dataset=json_dataset(suite, FieldSpec(input="prompt", id="id")), solver=generate())
'''


def build_inputs(work: Path) -> tuple[Path, Path, Path]:
    rows = []
    for name in ("core_en.jsonl", "core_zh.jsonl"):
        rows += [json.loads(line) for line in (ROOT / "datasets" / name).read_text(encoding="utf-8").splitlines()]
    rows = rows[:N_SAMPLES]
    suite = work / "suite.jsonl"
    suite.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    original, suspect = work / "original.jsonl", work / "suspect.jsonl"
    with original.open("w", encoding="utf-8") as o, suspect.open("w", encoding="utf-8") as s:
        for i, r in enumerate(rows):
            harmful = r["variant"] == "harmful"
            o.write(json.dumps({"id": r["id"], "response": REFUSAL if harmful else HELPFUL}) + "\n")
            s.write(json.dumps({"id": r["id"], "response": (STAND_IN if i % 4 == 0 else REFUSAL) if harmful else HELPFUL}) + "\n")
    return suite, original, suspect


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, "INSPECT_DISPLAY": "none"})
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return elapsed


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    try:
        suite, original, suspect = build_inputs(work)
        (work / "trivial.py").write_text(TRIVIAL_TASK)
        models = f"replay/{original},replay/{suspect}"
        bare_cmd = [sys.executable, "-m", "inspect_ai", "eval", "trivial.py", "--model", models,
                    "-T", f"suite={suite}", "--log-dir", str(work / "bare-logs"), "--display", "none",
                    "--max-connections", "256"]
        judge = os.environ.get("BENCH_JUDGE", "offline")
        audit_cmd = [sys.executable, "-m", "auditor.cli", "audit", "--original", f"replay/{original}",
                     "--suspect", f"replay/{suspect}", "--suite", str(suite), "--judge", judge,
                     "--out", str(work / "audit-out"), "--display", "none", "--max-connections", "256"]
        runs = int(os.environ.get("BENCH_RUNS", "3"))
        bare, audit, load = [], [], []
        for i in range(runs):
            shutil.rmtree(work / "bare-logs", ignore_errors=True)
            shutil.rmtree(work / "audit-out", ignore_errors=True)
            load.append(round(os.getloadavg()[0], 2))
            bare.append(timed(bare_cmd, work))
            load.append(round(os.getloadavg()[0], 2))
            audit.append(timed(audit_cmd, work))
        load.append(round(os.getloadavg()[0], 2))
        report = json.loads((work / "audit-out" / "report.json").read_text())
        assert len(report["samples"]) == N_SAMPLES, "every sample must be paired"
        write_result("pipeline_overhead", {
            "samples_per_model": N_SAMPLES,
            "judge": judge,
            "bare_inspect_eval_s": [round(x, 2) for x in bare],
            "audit_s": [round(x, 2) for x in audit],
            "ratio_best": round(min(audit) / min(bare), 3),
            "ratio_median": round(statistics.median(audit) / statistics.median(bare), 3),
            "ratio_per_run": [round(a / b, 3) for a, b in zip(audit, bare)],
            "load_average_1min": load,
            "target_ratio": 1.1,
            "logging": "both: Inspect defaults (.eval, log_samples, log_realtime, default log_buffer), --display none; "
                       "audit: score_display off (no live metrics display; the bare task has no scorer)",
            "method": "fresh process each; runs alternate bare/audit; best and median of runs; same replay models "
                      "and suite; wall clock; load_average_1min read before each run and at the end",
        })
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
