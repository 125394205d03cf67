"""Many suspects on one machine: `--executor local` vs `--executor ray` with 2 worker processes.

An original and N suspects (default 8) x P prompts (default 200) against the tests' local
OpenAI-compatible server on 127.0.0.1, which answers every request after a fixed delay
(default 0.25 s) standing in for a provider's latency. Each mode is one fresh
`auditor audit --original O --suspect S1 ... --suspect SN` process (Inspect's real
`openai-api` provider, keywords judge, a report per suspect and the index page), in a new
output folder, so both send every prompt once:

- local: the units (original, then each suspect) run one after another in that process;
- ray: the process starts a local Ray instance with 2 CPUs (`ray.init(num_cpus=2)`), so two
  units run at once in two worker processes; Ray's start-up is timed separately.

Wall times are the process's own (start to exit, imports included). The server counts the
requests per model, which proves the original was asked once in each mode.

    python benchmarks/executors_ray.py [--suspects 8] [--prompts 200] [--latency 0.25] [--max-connections 10]
    python benchmarks/executors_ray.py --suspects 4 --latency 2 --result executors_ray_latency_bound
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import write_result  # noqa: E402

CHILD = """
import json, sys, time
started = time.perf_counter()
mode, argv = sys.argv[1], json.loads(sys.argv[2])
ray_seconds = None
if mode == "ray":
    import ray
    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_seconds = time.perf_counter() - t
from auditor.cli import main
code = main(argv)
print("RESULT " + json.dumps({"code": code, "seconds": time.perf_counter() - started, "ray_init_seconds": ray_seconds}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suspects", type=int, default=8)
    parser.add_argument("--prompts", type=int, default=200, help="prompts per model (harmful/benign pairs)")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the server waits before answering")
    parser.add_argument("--max-connections", type=int, default=10, help="concurrent requests per model (Inspect's default is 10)")
    parser.add_argument("--modes", nargs="+", default=["local", "ray"], choices=["local", "ray"])
    parser.add_argument("--result", default="executors_ray", help="name of the results file (benchmarks/results/NAME.json)")
    args = parser.parse_args()

    from tests._models_helpers import openai_server, write_suite

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = [
            {"id": f"bench-{i}-{v[0]}", "pair_id": f"bench-{i}", "category": ("cyber_offence", "illegal_drugs")[i % 2],
             "variant": v, "prompt": f"Benchmark prompt {i} ({v})."}
            for i in range(args.prompts // 2)
            for v in ("harmful", "benign")
        ]
        suite = write_suite(folder / "suite.jsonl", records)
        suspects = [f"openai-api/benchsvc/suspect-{i + 1}" for i in range(args.suspects)]
        with openai_server(delay=args.latency) as server:
            env = {**os.environ, "BENCHSVC_API_KEY": "bench", "BENCHSVC_BASE_URL": server.base_url, "INSPECT_DISPLAY": "none"}
            for mode in args.modes:
                server.stats.requests.clear()
                server.stats.max_in_flight = 0
                argv = ["audit", "--original", "openai-api/benchsvc/original", "--suite", str(suite), "--judge", "keywords",
                        "--out", str(folder / f"out-{mode}"), "--max-connections", str(args.max_connections),
                        "--display", "none", "--executor", mode]
                for suspect in suspects:
                    argv += ["--suspect", suspect]
                load_before = os.getloadavg()[0]
                started = time.perf_counter()
                child = subprocess.run([sys.executable, "-c", CHILD, mode, json.dumps(argv)], env=env, cwd=str(ROOT),
                                       capture_output=True, text=True)
                wall = time.perf_counter() - started
                result = next((json.loads(line[7:]) for line in child.stdout.splitlines() if line.startswith("RESULT ")), None)
                if result is None:
                    print(child.stdout[-3000:], child.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"{mode}: the audit process failed (exit {child.returncode})")
                summary = json.loads((folder / f"out-{mode}" / "index.json").read_text())
                requests = dict(server.stats.requests)
                runs.append({
                    "executor": mode,
                    "workers": 2 if mode == "ray" else 1,
                    "exit_code": result["code"],
                    "wall_seconds": round(wall, 1),
                    "ray_init_seconds": round(result["ray_init_seconds"], 1) if result["ray_init_seconds"] else None,
                    "requests": sum(requests.values()),
                    "original_requests": requests.get("original", 0),
                    "max_requests_in_flight": server.stats.max_in_flight,
                    "suspects_complete": sum(1 for s in summary["suspects"] if s["complete"]),
                    "samples_per_second": round(sum(requests.values()) / wall, 1),
                    "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before, after (shared machine)
                })
                print(runs[-1], flush=True)
    speedup = None
    by_mode = {r["executor"]: r for r in runs}
    if "local" in by_mode and "ray" in by_mode:
        speedup = round(by_mode["local"]["wall_seconds"] / by_mode["ray"]["wall_seconds"], 2)
    write_result(args.result, {
        "suspects": args.suspects,
        "prompts_per_model": len(records),
        "server_latency_seconds": args.latency,
        "max_connections": args.max_connections,
        "runs": runs,
        "speedup_ray_over_local": speedup,
        "how": "one fresh `auditor audit` process per executor (imports, Ray start-up, every unit, reports and index "
               "included) against a local OpenAI-compatible HTTP server on 127.0.0.1 answering after a fixed delay; "
               "ray = a local Ray instance with num_cpus=2 (two units at once, one worker process each)",
    })


if __name__ == "__main__":
    main()
