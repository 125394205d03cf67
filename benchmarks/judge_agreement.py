#!/usr/bin/env python
"""Judge agreement, measured leave-one-source-out, and a check that the shipped weights are reproducible.

Runs scripts/train_offline_judge.py into a temporary folder (so the shipped weights are
not touched): it trains every leave-one-source-out fold, measures the `offline` and
`keywords` judges on every source they did not see, and writes
benchmarks/results/judge_agreement.json. Then it compares the freshly trained weights with
the shipped ones (they must be equal: training is deterministic) and prints the per-source
table the README quotes, beside published figures of other judges on other data (for scale,
not comparison).

Usage: python benchmarks/judge_agreement.py [--datasets ../shared/datasets]   (about 15 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "judge_agreement.json"
SHIPPED = REPO / "auditor" / "judges" / "weights" / "offline.npz"

# Published, not measured here: HarmBench (Mazeika et al., 2024, arXiv:2402.04249), Table 1,
# agreement with human majority labels on HarmBench's own validation set. Different data.
PUBLISHED = {
    "source": "Mazeika et al. 2024, HarmBench (arXiv:2402.04249), Table 1: agreement with human labels on HarmBench's validation set",
    "agreement_percent": {
        "HarmBench classifier (Llama-2-13B)": 93.19,
        "GPT-4 judge (PAIR prompt)": 88.37,
        "GPTFuzz RoBERTa judge": 75.42,
        "AdvBench refusal-string matching": 69.93,
        "Llama-Guard": 66.94,
    },
}


def _cell(row: dict, question: str) -> str:
    if not row.get(f"{question} n"):
        return "–"
    return f"{row[f'{question} accuracy']:.3f} ({row[f'{question} 95% CI']}), κ {row[f'{question} kappa'] if row[f'{question} kappa'] is not None else '–'}, n = {row[f'{question} n']:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, str(REPO / "scripts" / "train_offline_judge.py"), "--datasets", str(args.datasets),
                              "--out", tmp, "--results", str(RESULTS)], cwd=REPO)
        if run.returncode:
            return run.returncode
        with np.load(Path(tmp) / "offline.npz") as fresh, np.load(SHIPPED) as shipped:
            same = set(fresh.files) == set(shipped.files) and all(np.array_equal(fresh[k], shipped[k]) for k in fresh.files)
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    data["shipped_weights_reproduced"] = same
    data["published_other_data"] = PUBLISHED
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"\nshipped weights reproduced exactly: {same}")
    print("\n| source | labels (harm; refusal) | harm: accuracy (95% CI), kappa, n | refusal: accuracy (95% CI), kappa, n |")
    print("|---|---|---|---|")
    for name, row in data["offline"]["sources"].items():
        print(f"| {name} | {row['harm labels']}; {row['refusal labels'] or '–'} | {_cell(row, 'harm')} | {_cell(row, 'refusal')} |")
    for key, row in data["offline"]["pooled"].items():
        print(f"| pooled ({key}) | people or construction | {_cell(row, 'harm')} | {_cell(row, 'refusal')} |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
