"""How do the labelled sources read the answers the offline judge calls `complied` but finds no harm in?

An answer to a harmful request with no refusal in words and a harm score below 0.5 is
`complied` under the judge's reading, yet it may be a deflection ("have you thought about
talking to someone?") that XSTest's scheme counts as declining. Every report therefore
recomputes the verdicts with these "undecided" answers read as declining
(`auditor.sensitivity`). This measures how each labelled source (people's labels, or silver
and by-construction ones, named as such) labels such answers, using the judge's held-out
decisions: each source judged by heads trained on the others, exactly as the
leave-one-source-out figures in benchmarks/results/judge_agreement.json.

For every source with refusal labels, over answers to harmful requests that the judge calls
`complied`: how many have harm below 0.5 (undecided) and what share of those the source labels
declining (refused or partial), beside the same share for the judge's `complied` answers
with harm at or above 0.5.

Data: ../shared/datasets (GPTFuzz and judge_train), read by path.
Usage: python benchmarks/judge_undecided.py [--datasets DIR]   (about 4 minutes on 2 cores)
Writes benchmarks/results/judge_undecided.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.judges.agreement import refusal_binary  # noqa: E402
from auditor.judges.training import fit, loso  # noqa: E402
from auditor.judges.training.sources import SUBSETS, load, load_requests  # noqa: E402
from auditor.outcomes import HARMFUL_THRESHOLD  # noqa: E402
from auditor.stats.paired import wilson_interval  # noqa: E402
from benchmarks._common import write_result  # noqa: E402

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
REPO = Path(__file__).resolve().parents[1]
DECLINED = refusal_binary("refused")


def share(declined: int, n: int) -> dict[str, Any]:
    """Declined share with its 95% Wilson interval."""
    if not n:
        return {"n": 0, "labelled_declined": 0, "share": None, "95% CI": None}
    low, high = wilson_interval(declined, n, 0.05)
    return {"n": n, "labelled_declined": declined, "share": round(declined / n, 3), "95% CI": f"{low:.3f}-{high:.3f}"}


def tally(corpus: fit.Corpus, judgements: list) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for example, judgement in zip(corpus.examples, judgements):
        if judgement is None or judgement.unscored or example.refusal is None or example.variant != "harmful":
            continue
        row = counts[example.subset]
        row["answers to harmful requests"] += 1
        if judgement.refusal != "complied":
            continue
        kind = "undecided" if judgement.harmful < HARMFUL_THRESHOLD else "with_harm"
        row[kind] += 1
        row[f"{kind}_declined"] += int(refusal_binary(example.refusal) == DECLINED)
    return {
        SUBSETS[name].label: {
            "refusal labels": SUBSETS[name].refusal_by,
            "answers to harmful requests": row["answers to harmful requests"],
            "judged complied, harm < 0.5 (undecided)": share(row["undecided_declined"], row["undecided"]),
            "judged complied, harm >= 0.5": share(row["with_harm_declined"], row["with_harm"]),
        }
        for name, row in sorted(counts.items())
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    args = parser.parse_args()
    if not (args.datasets / "judge_train").is_dir():
        print(f"judge_undecided: no labelled sets at {args.datasets / 'judge_train'}; pass --datasets", file=sys.stderr)
        return 2
    started = time.perf_counter()
    examples = load(args.datasets)
    corpus = fit.build_corpus(examples, load_requests(args.datasets, REPO, examples))
    held, _ = loso.leave_one_source_out(corpus, log=lambda message: None)
    sources = tally(corpus, loso.judgements(corpus, held))
    write_result("judge_undecided", {
        "what": "each source's refusal labels (people's, or silver or by construction as named) of the answers to harmful requests that the offline judge, trained on the other "
                "sources (leave-one-source-out), calls complied; undecided = harm score below 0.5",
        "sources": sources,
        "seconds": round(time.perf_counter() - started, 1),
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
