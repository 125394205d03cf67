"""Throughput of the embedded model (`local/smollm2`) on core-suite prompts.

What the offline default audit spends its time on: SmolLM2-135M-Instruct (Q4_1) in
llama.cpp, answering core-suite prompts through the auditor's `local/` provider (the
same code path an audit uses: Inspect `get_model` -> `LocalModelAPI.generate`), greedy,
one answer at a time. Reported: model load time, generated tokens per second, prompt
tokens per second, and samples per second, at the default answer cap of the offline run.

The prompts are one harmful/benign pair per category (the default run's selection),
repeated in order until N prompts. Run it on an otherwise idle machine; the thread
count defaults to 2 (the README's "2 cores" figure):

    python benchmarks/models_local_throughput.py [--samples 26] [--max-tokens 128] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=26)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ["AUDITOR_LOCAL_THREADS"] = str(args.threads)

    from inspect_ai.model import GenerateConfig, get_model

    from auditor.models.defaults import one_pair_per_category
    from auditor.suites.loader import load_suite

    records = {r.id: r for r in load_suite("core")}
    ids = one_pair_per_category("core") or list(records)
    prompts = [records[ids[i % len(ids)]].prompt for i in range(args.samples)]
    load_avg_start = os.getloadavg()

    model = get_model("local/smollm2")
    started = time.perf_counter()
    model.api.loaded()  # type: ignore[attr-defined]
    load_seconds = time.perf_counter() - started
    config = GenerateConfig(max_tokens=args.max_tokens, temperature=0.0, seed=0)

    async def run_all() -> list[tuple[float, int, int]]:
        timings = []
        for prompt in prompts:
            t0 = time.perf_counter()
            output = await model.generate(prompt, config=config)
            usage = output.usage
            timings.append((time.perf_counter() - t0, usage.input_tokens if usage else 0, usage.output_tokens if usage else 0))
        return timings

    asyncio.run(model.generate("Hello", config=GenerateConfig(max_tokens=2)))  # warm-up (not timed)
    started, cpu_started = time.perf_counter(), time.process_time()
    timings = asyncio.run(run_all())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    generated = sum(t[2] for t in timings)
    prompt_tokens = sum(t[1] for t in timings)
    write_result(
        "models_local_throughput",
        {
            "model": "local/smollm2 (SmolLM2-135M-Instruct Q4_1, llama.cpp)",
            "threads": args.threads,
            "samples": len(prompts),
            "max_tokens": args.max_tokens,
            "load_seconds": round(load_seconds, 2),
            "wall_seconds": round(wall, 2),
            "generated_tokens": generated,
            "prompt_tokens": prompt_tokens,
            "generated_tokens_per_second": round(generated / wall, 1),
            "samples_per_second": round(len(prompts) / wall, 3),
            "seconds_per_sample": round(wall / len(prompts), 2),
            "cpu_seconds": round(cpu, 2),
            "generated_tokens_per_cpu_second": round(generated / cpu, 1),
            "load_average_at_start": [round(x, 2) for x in load_avg_start],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "how": "sequential Inspect generate() calls through the local/ provider, greedy, after one warm-up call; "
            "generated tokens per second = completion tokens / wall time (prompt processing included); "
            "per CPU second = completion tokens / process CPU time of all threads (less sensitive to other load on the machine)",
        },
    )


if __name__ == "__main__":
    main()
