"""Throughput of the embedded model (`local/smollm2`) on core-suite prompts.

What the offline default audit spends its time on: SmolLM2-135M-Instruct (Q4_1) in
llama.cpp, answering core-suite prompts through the auditor's `local/` provider (the
same code path an audit uses: Inspect `get_model` -> `LocalModelAPI.generate`), greedy,
one answer at a time. Reported per llama.cpp thread count: model load time, generated
tokens per second, samples per second, and generated tokens per CPU second (less
sensitive to other load on a shared machine).

The prompts are one harmful/benign pair per category (the default run's selection),
repeated in order until N prompts, answered at the offline run's cap of 128 tokens:

    python benchmarks/models_local_throughput.py [--samples 26] [--max-tokens 128] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def measure(prompts: list[str], threads: int, max_tokens: int) -> dict[str, Any]:
    from inspect_ai.model import GenerateConfig, get_model

    model = get_model("local/smollm2", n_threads=threads)
    started = time.perf_counter()
    model.api.loaded()  # type: ignore[attr-defined]
    load_seconds = time.perf_counter() - started
    config = GenerateConfig(max_tokens=max_tokens, temperature=0.0, seed=0)

    async def run_all() -> list[tuple[int, int]]:
        counts = []
        for prompt in prompts:
            output = await model.generate(prompt, config=config)
            usage = output.usage
            counts.append((usage.input_tokens if usage else 0, usage.output_tokens if usage else 0))
        return counts

    asyncio.run(model.generate("Hello", config=GenerateConfig(max_tokens=2)))  # warm-up (not timed)
    load_start = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    counts = asyncio.run(run_all())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    generated = sum(c[1] for c in counts)
    result = {
        "threads": threads,
        "load_seconds": round(load_seconds, 2),
        "wall_seconds": round(wall, 2),
        "generated_tokens": generated,
        "prompt_tokens": sum(c[0] for c in counts),
        "generated_tokens_per_second": round(generated / wall, 1),
        "samples_per_second": round(len(prompts) / wall, 3),
        "seconds_per_sample": round(wall / len(prompts), 2),
        "cpu_seconds": round(cpu, 2),
        "generated_tokens_per_cpu_second": round(generated / cpu, 1),
        "load_average_1min_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }
    print(result, flush=True)
    return result


def core_prompts(samples: int) -> list[str]:
    """One harmful/benign pair per core category (the default run's selection), repeated in order to `samples` prompts."""
    from auditor.models.defaults import one_pair_per_category
    from auditor.suites.loader import load_suite

    records = {r.id: r for r in load_suite("core")}
    ids = one_pair_per_category("core") or list(records)
    return [records[ids[i % len(ids)]].prompt for i in range(samples)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=26)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    prompts = core_prompts(args.samples)
    runs = [measure(prompts, threads, args.max_tokens) for threads in args.threads]
    write_result(
        "models_local_throughput",
        {
            "model": "local/smollm2 (SmolLM2-135M-Instruct Q4_1, llama.cpp)",
            "samples": len(prompts),
            "max_tokens": args.max_tokens,
            "runs": runs,
            "how": "sequential Inspect generate() calls through the local/ provider, greedy, after one warm-up call; "
            "tokens per second = completion tokens / wall time (prompt processing included); per CPU second = "
            "completion tokens / CPU time of all the process's threads",
        },
    )


if __name__ == "__main__":
    main()
