"""Speed of the suite importers and the identity-claim extractor.

Importers: each ../shared/datasets file imported, written and re-validated (best of 3).
Extractor: claims read from real model responses (the GPTFuzz labelled responses, many
long, several in Chinese), to show the scorer adds nothing noticeable to an audit.
Also renders every jailbreak variant over the built-in core suite's harmful prompts.

Run: python benchmarks/suites_extras.py   (writes benchmarks/results/suites_extras.json)
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402

from auditor.tasks.attacks import ATTACKS, AttackRequest  # noqa: E402
from auditor.tasks.identity_claims import extract_identity  # noqa: E402
from auditor.suites.builtin import builtin_suites  # noqa: E402
from auditor.suites.importers import import_to_file  # noqa: E402
from auditor.suites.loader import read_suite_file  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
SOURCES = {
    "harmbench": SHARED / "harmbench" / "harmbench_behaviors_text_all.csv",
    "strongreject": SHARED / "strongreject" / "strongreject_dataset.csv",
    "xstest": SHARED / "xstest" / "xstest_prompts.csv",
    "jbb": SHARED / "jbb" / "harmful-behaviors.csv",
}


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    results: dict[str, object] = {}
    importers: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, path in SOURCES.items():
            if not path.exists():
                continue
            out = Path(tmp) / f"{kind}.jsonl"
            seconds = best_of(3, lambda: import_to_file(kind, path, out))
            importers[kind] = {"records": len(read_suite_file(out)), "seconds": round(seconds, 4)}
    results["importers"] = importers or "skipped: ../shared/datasets absent"

    responses_file = SHARED / "gptfuzz" / "evaluate.csv"
    if responses_file.exists():
        with responses_file.open(encoding="utf-8", newline="") as handle:
            responses = [row["Response"] for row in csv.DictReader(handle)]
        seconds = best_of(3, lambda: [extract_identity(r) for r in responses])
        results["identity_extraction"] = {
            "responses": len(responses),
            "mean_chars": round(sum(map(len, responses)) / len(responses)),
            "seconds": round(seconds, 4),
            "per_response_ms": round(1000 * seconds / len(responses), 4),
        }

    core = builtin_suites()["core"]
    if core.exists():
        harmful = [r for r in read_suite_file(core) if r.variant == "harmful"]
        requests = [AttackRequest(r.prompt, r.language) for r in harmful]
        seconds = best_of(3, lambda: [a.messages(q) for q in requests for a in ATTACKS.values()])
        results["jailbreak_rendering"] = {
            "samples": len(requests) * len(ATTACKS),
            "seconds": round(seconds, 4),
        }
    write_result("suites_extras", results)


if __name__ == "__main__":
    main()
