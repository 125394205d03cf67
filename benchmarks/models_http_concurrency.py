"""How an audit's throughput scales with Inspect's connection limit against an HTTP endpoint.

A full `run_audit` (both models through Inspect's real `openai-api/<service>/<model>`
provider, judged, paired, reports written) against the tests' local OpenAI-compatible
server on 127.0.0.1, which answers every request after a fixed delay standing in for a
provider's latency. For each `--max-connections` value it reports samples per second
(both models' samples / the eval's wall time) and the most requests the server saw in
flight at once. The judge is `keywords` so the figure is about request concurrency, not
judging cost.

    python benchmarks/models_http_concurrency.py [--samples 200] [--latency 0.25] [--connections 1 4 16 64]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="samples per model")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the server waits before answering")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 16, 64])
    args = parser.parse_args()

    from auditor.audit import run_audit
    from auditor.options import AuditOptions
    from tests._models_helpers import openai_server, write_suite

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = [
            {"id": f"bench-{i}-{v[0]}", "pair_id": f"bench-{i}", "category": "cyber_offence", "variant": v, "prompt": f"Benchmark prompt {i} ({v})."}
            for i in range(args.samples // 2)
            for v in ("harmful", "benign")
        ]
        suite = write_suite(folder / "suite.jsonl", records)
        with openai_server(delay=args.latency) as server:
            os.environ["BENCHSVC_API_KEY"] = "bench"
            os.environ["BENCHSVC_BASE_URL"] = server.base_url
            for connections in args.connections:
                server.stats.requests.clear()
                server.stats.max_in_flight = 0
                options = AuditOptions(
                    original="openai-api/benchsvc/orig",
                    suspect="openai-api/benchsvc/susp",
                    suites=[str(suite)],
                    judge="keywords",
                    log_dir=folder / f"logs-{connections}",
                    out_dir=folder / f"out-{connections}",
                    max_connections=connections,
                )
                started = time.perf_counter()
                result = run_audit(options)
                wall = time.perf_counter() - started
                total = 2 * len(records)
                runs.append(
                    {
                        "max_connections": connections,
                        "samples": total,
                        "wall_seconds": round(wall, 2),
                        "samples_per_second": round(total / wall, 2),
                        "max_requests_in_flight": server.stats.max_in_flight,
                        "complete": result.complete,
                    }
                )
                print(runs[-1], flush=True)
    write_result(
        "models_http_concurrency",
        {
            "server_latency_seconds": args.latency,
            "samples_per_model": len(records),
            "runs": runs,
            "how": "run_audit (eval_set over both models, keywords judge, reports) against a local OpenAI-compatible "
            "HTTP server on 127.0.0.1 that answers each request after a fixed delay; wall time includes judging, "
            "pairing and writing the reports",
        },
    )


if __name__ == "__main__":
    main()
