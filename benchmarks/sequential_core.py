"""Sequential audits of the built-in `core` suite against a local OpenAI-compatible server: queries and verdicts.

The issue's target: on `core` (13 categories x 48 pairs), a copy that complies where
the original refuses is found `lost` in every category with at most 30% of the
fixed-sample audit's queries; a copy identical to the original is `retained` or
`inconclusive` in every category (never `lost`/`weakened`) with at most 60%.

The server is the scheduled-audit tests' fake provider (tests/_schedule_helpers.py),
real HTTP on 127.0.0.1, told which prompts are the suite's harmful ones: `orig-model`
refuses every harmful prompt and answers every benign one; `copy-lost` answers
everything (a redacted stand-in for compliance); `copy-same` answers exactly as the
original does. The server counts every request, so "queries used" is what was actually
sent, not what the report says. Each audit is a real `run_audit(..., sequential=True)`
(eval_set rounds, the keywords judge, pairing, statistics, report.json/html/md) in a
fresh log folder. `--fixed` also runs the fixed-sample audits for comparison.

Run: `python benchmarks/sequential_core.py [--fixed]`; results in
benchmarks/results/sequential_core.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import write_result  # noqa: E402

import tests._schedule_helpers as fake  # noqa: E402
from auditor.suites.loader import load_suite  # noqa: E402

ORIGINAL = "openai-api/local/orig-model"
COPIES = {"copy-lost": "complies", "copy-same": "refuses"}
TARGETS = {"copy-lost": ("lost", 0.30), "copy-same": ("retained or inconclusive", 0.60)}


def serve_core() -> set[str]:
    """Teach the fake provider which prompts are harmful (its own rule only knows the tests' suites)."""
    harmful = {r.prompt for r in load_suite("core") if r.variant == "harmful"}
    plain = fake._answer

    def answer(behaviour: str, prompt: str) -> str:
        if prompt in harmful:
            return fake.COMPLIANT_STAND_IN if behaviour == "complies" else fake.REFUSAL
        if prompt.startswith("Harmful request"):
            return plain(behaviour, prompt)
        return fake.HELPFUL

    fake._answer = answer
    return harmful


def audit(work: Path, copy: str, state: fake.ServerState, sequential: bool) -> dict:
    from auditor.audit import run_audit
    from auditor.options import AuditOptions

    before = state.total()
    before_by_model = {m: state.total(m) for m in ("orig-model", copy)}
    options = AuditOptions(
        original=ORIGINAL, suspect=f"openai-api/local/{copy}", suites=["core"], judge="keywords",
        log_dir=work / "logs", out_dir=work / "report", max_connections=32, display="none",
        sequential=sequential, preflight=False,
    )
    started = time.perf_counter()
    result = run_audit(options)
    seconds = time.perf_counter() - started
    data = result.report["data"]
    harmful = [c for c in data["categories"] if c["variant"] == "harmful"]
    verdicts: dict[str, int] = {}
    for c in harmful:
        verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
    out = {
        "complete": result.complete,
        "seconds": round(seconds, 1),
        "verdicts": verdicts,
        "requests_sent": state.total() - before,
        "requests_by_model": {m: state.total(m) - n for m, n in before_by_model.items()},
        "repeated_requests": sum(n - 1 for (_, _), n in state.chat_counts.items() if n > 1),
    }
    seq = data.get("sequential")
    if seq:
        out.update({
            "queries_used": seq["queries_used"],
            "queries_fixed": seq["queries_fixed"],
            "share_of_fixed": round(seq["share_of_fixed"], 4),
            "rounds": seq["rounds"],
            "decided_at_round": sorted({(c.get("decided_at") or {}).get("round") or 0 for c in harmful}),
            "pairs_per_category": sorted({c["sequential"]["pairs_sent"] for c in harmful}),
        })
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixed", action="store_true", help="also run the fixed-sample audits")
    args = parser.parse_args()
    serve_core()
    results: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix="auditor-seq-core-"))
    state = fake.ServerState(models={"orig-model": "refuses", **COPIES})
    try:
        with fake.FakeProvider(state) as server:
            os.environ.update(fake.provider_env(server.base_url))
            for copy in COPIES:
                state.chat_counts.clear()
                results[copy] = {"sequential": audit(work / f"{copy}-sequential", copy, state, True)}
                if args.fixed:
                    state.chat_counts.clear()
                    results[copy]["fixed"] = audit(work / f"{copy}-fixed", copy, state, False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    met = {}
    for copy, (wanted, share) in TARGETS.items():
        seq = results[copy]["sequential"]
        ok_verdicts = set(seq["verdicts"]) == {"lost"} if copy == "copy-lost" else set(seq["verdicts"]) <= {"retained", "inconclusive"}
        met[copy] = {"verdicts": wanted, "verdicts_met": ok_verdicts, "share_target": share, "share": seq["share_of_fixed"], "share_met": seq["share_of_fixed"] <= share}
    write_result("sequential_core", {
        "suite": "core (13 categories x 48 pairs, English)",
        "judge": "keywords (the answers are fixed texts, so the judge does not matter here)",
        "results": results,
        "targets": met,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "note": "a 'retained' verdict at the 5% level needs 0.9^n <= 0.05 (n >= 29 of 48 pairs = 60.4%) even for a copy that agrees on every pair, so the 60% target is out of reach of any valid test at the default alpha 0.05 and retain margin 10 points",
    })


if __name__ == "__main__":
    main()
