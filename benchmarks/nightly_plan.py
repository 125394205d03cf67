"""The README's plan for a nightly watch of 50 models x 3 suites: requests, hours, dollars, Ray workers.

Requests and prompt tokens are counted from the real tasks (the built-in `core` and
`core-zh` suites and the identity probes, offline judge: no grader requests); answer
length, per-request latency and per-model concurrency are stated assumptions (flags).
Dollars use the price table (`auditor/data/prices.json`) through the same estimate as
`auditor doctor`: the original once (its answers are cached for every suspect), and each
of the 50 suspects at the table's median suspect price (min and max shown too).

    python benchmarks/nightly_plan.py [--models 50] [--latency 8] [--connections 8] [--hours 6]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=50, help="suspects audited in one night (worst case: all new)")
    parser.add_argument("--original", default="anthropic/claude-sonnet-4-5")
    parser.add_argument("--latency", type=float, default=8.0, help="assumed mean seconds per answer (about 500 tokens)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent requests per model (the example config's max_connections)")
    parser.add_argument("--output-tokens", type=int, default=500, help="assumed answer length (auditor doctor's default)")
    parser.add_argument("--hours", type=float, default=6.0, help="the night's window")
    args = parser.parse_args()

    from auditor.models.costs import estimate_costs, load_prices, workload_from_tasks
    from auditor.options import AuditOptions, choose_judge
    from auditor.tasks.builders import build_tasks

    options = AuditOptions(original=args.original, suspect="x/y", suites=["core", "core-zh"], extra_tasks=["identity"])
    judge = choose_judge("keywords")  # counting prompts only: any offline judge sends no grader requests
    workload = workload_from_tasks(build_tasks(options, judge))
    prices = load_prices()
    originals = {"openai", "anthropic", "google"}
    suspect_prices = {spec: p for spec, p in prices.items() if spec.split("/", 1)[0] not in originals}
    per_suspect = {
        spec: estimate_costs({"suspect": spec}, workload, prices, output_tokens=args.output_tokens)[0].dollars
        for spec in suspect_prices
    }
    original = estimate_costs({"original": args.original}, workload, prices, output_tokens=args.output_tokens)[0]
    median = statistics.median(per_suspect.values())
    unit_hours = workload.samples * args.latency / args.connections / 3600
    sequential_hours = args.models * unit_hours + unit_hours  # the original's unit once, then every suspect
    # each worker runs one unit (one model's audit) at a time: units run in waves of `workers`
    waves_in_window = max(1, math.floor(args.hours / unit_hours))
    workers = math.ceil((args.models + 1) / waves_in_window)
    waves = math.ceil((args.models + 1) / workers)
    plan = {
        "suites": "core (1,248 prompts) + core-zh (1,248) + identity probes (40), offline judge",
        "requests_per_model": workload.samples,
        "prompt_tokens_per_model": workload.prompt_tokens,
        "requests_total": workload.samples * (args.models + 1),
        "assumptions": {"latency_seconds": args.latency, "connections_per_model": args.connections,
                        "output_tokens": args.output_tokens, "window_hours": args.hours},
        "hours_per_model": round(unit_hours, 2),
        "hours_one_after_another": round(sequential_hours, 1),
        "ray_workers_for_window": workers,
        "hours_with_those_workers": round(waves * unit_hours, 1),
        "concurrent_requests_with_those_workers": workers * args.connections,
        "dollars": {
            "original_once": round(original.dollars or 0.0, 2),
            "per_suspect_min": round(min(per_suspect.values()), 2),
            "per_suspect_median": round(median, 2),
            "per_suspect_max": round(max(per_suspect.values()), 2),
            "night_at_median": round((original.dollars or 0.0) + args.models * median, 2),
            "priced_suspects": len(per_suspect),
        },
    }
    write_result("nightly_plan", plan)


if __name__ == "__main__":
    main()
