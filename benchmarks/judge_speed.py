#!/usr/bin/env python
"""Offline judge speed: responses per second on GPTFuzz's evaluate responses, and cold start.

- Throughput: the 1,540 evaluate responses (mean ~690 characters), each with its request
  and variant as an audit passes them, judged in one batch by one process, median of 3
  rounds after a warm-up; then with 2 worker processes (2 cores), each judging half. A
  batch without variants (as `auditor judge` on a bare file) also runs the request head;
  that rate is recorded too.
- Cold start: a fresh `python -c` that imports the judge, loads its weights and judges
  one response, timed from outside (median of 5), which is what a user waits for.

Writes benchmarks/results/judge_speed.json. Other load on the machine slows both; the
load average at the start is recorded beside the figures.

Usage: python benchmarks/judge_speed.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _common import write_result  # noqa: E402

COLD = (
    "from auditor.judges.offline import OfflineJudge; from auditor.judges.base import JudgeInput; "
    "OfflineJudge().judge_batch([JudgeInput(response=\"I'm sorry, but I can't help with that.\")])"
)


def judge_chunk(rows: list[tuple[str, str, str | None]]) -> int:
    from auditor.judges.base import JudgeInput
    from auditor.judges.offline import OfflineJudge

    return len(OfflineJudge().judge_batch([JudgeInput(response=t, prompt=p, variant=v) for t, p, v in rows]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    eval_csv = args.datasets / "gptfuzz" / "evaluate.csv"
    if not eval_csv.exists():
        print(f"judge_speed: {eval_csv} not found; pass --datasets", file=sys.stderr)
        return 2
    frame = pd.read_csv(eval_csv, keep_default_na=False)
    questions = dict(pd.read_csv(args.datasets / "gptfuzz" / "question_list.csv", keep_default_na=False)[["index", "text"]].values)
    texts = [(r, questions.get(q, ""), "harmful") for r, q in zip(frame.Response, frame.question)]
    unknown = [(r, p, None) for r, p, _ in texts]
    load = os.getloadavg()[0]

    judge_chunk(texts[:50])  # warm-up: weights loaded, code paths touched
    single = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        judge_chunk(texts)
        single.append(len(texts) / (time.perf_counter() - started))

    started = time.perf_counter()
    judge_chunk(unknown)
    unknown_rate = len(unknown) / (time.perf_counter() - started)

    halves = [texts[0::2], texts[1::2]]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(judge_chunk, [t[:20] for t in halves]))  # warm both workers
        double = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            list(pool.map(judge_chunk, halves))
            double.append(len(texts) / (time.perf_counter() - started))

    cold = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", COLD], check=True, env=env, cwd=REPO)
        cold.append(time.perf_counter() - started)

    result = {
        "responses": len(texts),
        "mean_chars": round(sum(len(t) for t, _, _ in texts) / len(texts)),
        "load_average_at_start": round(load, 2),
        "throughput_1_process_per_s": round(statistics.median(single)),
        "throughput_2_processes_per_s": round(statistics.median(double)),
        "rounds_1_process": [round(x) for x in single],
        "throughput_1_process_variant_unknown_per_s": round(unknown_rate),
        "rounds_2_processes": [round(x) for x in double],
        "cold_start_s_median": round(statistics.median(cold), 3),
        "cold_start_s_runs": [round(x, 3) for x in cold],
        "targets": {"throughput_1_process_per_s": 500, "cold_start_s": 3.0},
        "second_stage": "none in the default judge (the cascade's LLM stage is optional: --judge cascade:MODEL)",
    }
    print(f"throughput: {result['throughput_1_process_per_s']}/s (1 process; {result['throughput_1_process_variant_unknown_per_s']}/s without variants), "
          f"{result['throughput_2_processes_per_s']}/s (2 processes); "
          f"cold start {result['cold_start_s_median']} s (median of 5); load average {load:.2f}")
    write_result("judge_speed", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
