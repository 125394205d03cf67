#!/usr/bin/env python
"""Rebuild the offline judge's weights and its measured reliability from the labelled sets in ../shared/datasets.

Reads GPTFuzz and the ten judge_train sources by path (never copying them; datasheet in
../shared/datasets/judge_train/README.md), and writes:

- auditor/judges/weights/offline.npz, offline.json: the three heads trained on every
  source whose licence allows shipping (MIT, Apache, BSD; Do-Not-Answer and Safety-Tuned
  LLaMAs are non-commercial and are only ever measured on);
- auditor/judges/weights/reliability.json: what every report's "Judge reliability" shows
  (key names documented in auditor/judges/reliability.py);
- benchmarks/results/judge_agreement.json: every figure, per source and per language.

The headline is leave-one-source-out (auditor/judges/training/loso.py); the in-distribution
random split is kept as a labelled secondary line. Everything is deterministic (fixed
seeds, sorted file order), so rerunning on the same files gives the same weights.

Usage: python scripts/train_offline_judge.py [--datasets ../shared/datasets] [--out auditor/judges/weights]
       [--results benchmarks/results/judge_agreement.json] [--skip-in-distribution]
About 15 minutes on 2 cores (13 fits of three logistic heads over ~39,000 answers).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.errors import AuditorError  # noqa: E402
from auditor.judges.agreement import harm_label, refusal_binary  # noqa: E402
from auditor.judges.base import JudgeInput  # noqa: E402
from auditor.judges.cascade import DEFAULT_THRESHOLD  # noqa: E402
from auditor.judges.features import FEATURE_VERSION, N_FEATURES  # noqa: E402
from auditor.judges.keywords import KeywordJudge  # noqa: E402
from auditor.judges.signals import NAMES as SIGNAL_NAMES  # noqa: E402
from auditor.judges.signals import N_SIGNALS  # noqa: E402
from auditor.judges.offline import OfflineJudge, load_model  # noqa: E402
from auditor.judges.training import fit, loso  # noqa: E402
from auditor.judges.training.actions import action_agreement  # noqa: E402
from auditor.judges.training.sources import ORIGINS, SUBSETS, fingerprint, load, load_requests  # noqa: E402
from auditor.storage import atomic_write_bytes, atomic_write_text  # noqa: E402

RELIABILITY_KEYS_DOC = "auditor/judges/reliability.py"


DATASET = ("GPTFuzz and ten further public labelled sets (Do-Not-Answer, CoCoNot, LLM self-defense, OpenAI RBR gold, "
           "Safety-Tuned LLaMAs, JADE v3, AISafetyLab, CipherChat, refusal direction, JailbreakBench artifacts), each held out in turn")


def titled(sources: dict[str, Any]) -> dict[str, Any]:
    """Per-source rows keyed by their readable titles (what reports show), without the internal origin id."""
    return {SUBSETS[name].label: {k: v for k, v in row.items() if k != "source"} for name, row in sources.items()}


def headline(name: str, by_id: dict[str, Any], pooled: dict[str, Any], method: str, secondary: dict[str, Any] | None,
             every_action: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reliability.json entry of one judge (flat scalars first, then tables)."""
    sources = titled(by_id)
    everything = pooled["all"]
    worst_harm, worst_refusal = loso.worst(sources, "harm"), loso.worst(sources, "refusal")
    human = {k: v for k, v in sources.items() if loso.label_kind(v.get("harm labels")) in loso.HUMAN_KINDS}
    worst_human_harm = loso.worst(human, "harm")
    met = loso.targets(sources)

    def worst_text(w: dict[str, Any] | None) -> str | None:
        return None if w is None else f"{w['source']}: {w['accuracy']:.3f} ({w['95% CI']}), n = {w['n']:,}"

    def target_text(question: str) -> str:
        t = met[question]
        total = len(t["met"]) + len(t["not_met"])
        return f"met on {len(t['met'])} of {total}" + (f"; not met: {', '.join(t['not_met'])}" if t["not_met"] else "")

    summary = (
        f"On sources it never saw ({method.split(':')[0]}), the harm label agreed with human or by-construction labels on "
        f"{everything.get('harm accuracy', 0) * 100:.1f}% of "
        f"{everything.get('harm n', 0):,} answers (Cohen's kappa {everything.get('harm kappa') or 0:.2f}); refusal label on "
        f"{everything.get('refusal accuracy', 0) * 100:.1f}% of {everything.get('refusal n', 0):,}. Worst source for harm: "
        f"{worst_text(worst_harm)}; for refusal: {worst_text(worst_refusal)}."
    )
    entry: dict[str, Any] = {
        "judge": name,
        "dataset": DATASET,
        "method": method,
        "summary": summary,
        "n": everything.get("harm n"),
        "accuracy": everything.get("harm accuracy"),
        "accuracy_ci95": everything.get("harm 95% CI"),
        "kappa": everything.get("harm kappa"),
        "missed_harm_rate": everything.get("missed harm"),
        "false_harm_rate": everything.get("false harm"),
        "refusal_n": everything.get("refusal n"),
        "refusal_accuracy": everything.get("refusal accuracy"),
        "refusal_accuracy_ci95": everything.get("refusal 95% CI"),
        "refusal_kappa": everything.get("refusal kappa"),
        "missed_refusal_rate": everything.get("missed refusal"),
        "false_refusal_rate": everything.get("false refusal"),
        "worst_harm_source": worst_text(worst_harm),
        "worst_harm_source_labelled_by_people": worst_text(worst_human_harm),
        "worst_refusal_source": worst_text(worst_refusal),
        f"harm_target (>= {loso.TARGET_HARM} on every source with >= {loso.MIN_ROWS} rows)": target_text("harm"),
        f"refusal_target (>= {loso.TARGET_REFUSAL} where refusal labels exist)": target_text("refusal"),
    }
    if secondary:
        entry["in_distribution (secondary: random 5-fold over the pooled training sources; overstates)"] = (
            f"harm {secondary.get('harm accuracy')}, refusal {secondary.get('refusal accuracy')}"
        )
    xstest = (every_action or {}).get("refusal", {}).get("xstest")
    if xstest and xstest.get("refusal n"):
        entry["Do-Not-Answer, every answer (secondary: XSTest's reading of all six action categories; its source row leaves out 'refutes the premise' and 'cannot answer')"] = (
            f"refusal {xstest['refusal accuracy']:.3f} ({xstest['refusal 95% CI']}), n = {xstest['refusal n']:,}; "
            f"missed refusal {xstest['missed refusal']:.3f}, false refusal {xstest['false refusal']:.3f}"
        )
    entry["by_language"] = {k: v for k, v in pooled.items() if k != "all"}
    entry["sources"] = sources
    return entry


def cascade_routing(corpus: fit.Corpus, judgements: list) -> dict[str, Any]:
    """Share of held-out answers the cascade would send to its LLM stage, and the offline judge's accuracy on the rest."""
    kept_harm = kept_refusal = right_harm = right_refusal = routed = scored = 0
    for example, judgement in zip(corpus.examples, judgements):
        if judgement is None or judgement.unscored:
            continue
        scored += 1
        if judgement.confidence < DEFAULT_THRESHOLD and "rule" not in judgement.details:
            routed += 1
            continue
        if example.harm is not None:
            kept_harm += 1
            right_harm += harm_label(judgement.harmful) == ("harmful" if example.harm else "not_harmful")
        if example.refusal is not None:
            kept_refusal += 1
            right_refusal += refusal_binary(judgement.refusal) == refusal_binary(example.refusal)
    return {"threshold": DEFAULT_THRESHOLD, "share_sent_to_llm": round(routed / scored, 4) if scored else None,
            "offline_harm_accuracy_on_kept": round(right_harm / kept_harm, 4) if kept_harm else None,
            "offline_refusal_accuracy_on_kept": round(right_refusal / kept_refusal, 4) if kept_refusal else None,
            "note": "all held-out answers, every source (silver included)"}


def measure(args: argparse.Namespace, corpus: fit.Corpus, held: "loso.HeldOut", secondary: "loso.HeldOut | None", sha256: dict[str, str]) -> None:
    """Every figure from held-out probabilities: benchmarks/results/judge_agreement.json and reliability.json."""
    method = (f"leave-one-source-out: for each of {len(ORIGINS)} sources, trained on the other trainable sources and judged "
              "on it; pooled figures count subsets labelled by people or by construction only; subsets labelled by "
              "another classifier (silver) are listed on their own")
    held_out = loso.judgements(corpus, held)
    sources = loso.per_source(corpus, held_out)
    examples = corpus.examples
    keyword_judgements = KeywordJudge().judge_batch([JudgeInput(response=e.response, prompt=e.prompt, variant=e.variant) for e in examples])
    results = {
        "benchmark": "judge_agreement",
        "method": method,
        "offline": {"pooled": loso.pooled(corpus, held_out), "sources": sources, "sources_by_language": loso.per_source_language(corpus, held_out),
                    "targets": loso.targets(sources),
                    "in_distribution_secondary": loso.pooled(corpus, loso.judgements(corpus, secondary))["all"] if secondary is not None else None,
                    "cascade_routing": cascade_routing(corpus, held_out),
                    # the weights just written, on every Do-Not-Answer answer (auditor.judges.training.actions)
                    "do_not_answer_every_action": action_agreement(
                        OfflineJudge(load_model(args.out / "offline.npz", args.out / "offline.json")), args.datasets / "judge_train" / "do_not_answer")},
        "keywords": {"pooled": loso.pooled(corpus, keyword_judgements), "sources": loso.per_source(corpus, keyword_judgements),
                     "sources_by_language": loso.per_source_language(corpus, keyword_judgements)},
        "datasets_sha256": sha256,
        "date": time.strftime("%Y-%m-%d"),
        "script": "scripts/train_offline_judge.py",
    }
    atomic_write_text(args.results, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_reliability(args.out / "reliability.json", results)
    for name, row in sources.items():
        print(f"  {name:28s} harm {row.get('harm accuracy')} (n={row.get('harm n')})  refusal {row.get('refusal accuracy')} (n={row.get('refusal n')})")


def write_reliability(path: Path, results: dict[str, Any]) -> None:
    """reliability.json (what reports show) from the measurement results."""
    offline, keywords = results["offline"], results["keywords"]
    reliability = {
        "offline": headline("offline", offline["sources"], offline["pooled"], results["method"], offline.get("in_distribution_secondary"),
                            offline.get("do_not_answer_every_action")),
        "keywords": headline("keywords", keywords["sources"], keywords["pooled"],
                             "every source, no training (string matching): pooled over subsets labelled by people or by construction", None),
        "_meta": {"measured": results["date"], "script": "scripts/train_offline_judge.py", "keys": RELIABILITY_KEYS_DOC,
                  "datasets_sha256": results.get("datasets_sha256")},
    }
    atomic_write_text(path, json.dumps(reliability, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--out", type=Path, default=REPO / "auditor" / "judges" / "weights")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results" / "judge_agreement.json")
    parser.add_argument("--skip-in-distribution", action="store_true", help="skip the secondary random-split figure (saves 5 fits)")
    parser.add_argument("--save-probabilities", type=Path, default=None,
                        help="also save every held-out probability here (a folder), so decision rules can be re-measured without refitting")
    parser.add_argument("--from-probabilities", type=Path, default=None,
                        help="no fitting: re-measure from probabilities saved by --save-probabilities (weights in --out untouched)")
    parser.add_argument("--from-results", action="store_true",
                        help="no training: rewrite reliability.json in --out from the measurements already in --results")
    args = parser.parse_args()
    if args.from_results:
        write_reliability(args.out / "reliability.json", json.loads(args.results.read_text(encoding="utf-8")))
        print(f"wrote {args.out / 'reliability.json'} from {args.results}")
        return 0
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f}s] {message}", flush=True)

    try:
        examples = load(args.datasets)
    except (AuditorError, OSError) as exc:
        print(f"train_offline_judge: {exc}", file=sys.stderr)
        return 2
    requests = load_requests(args.datasets, REPO, examples)
    log(f"read {len(examples):,} labelled answers from {len(ORIGINS)} sources and {len(requests):,} requests")
    corpus = fit.build_corpus(examples, requests)
    log("featurised")
    if args.from_probabilities:
        held = loso.HeldOut.load(args.from_probabilities / "held_out.npz")
        secondary = loso.HeldOut.load(args.from_probabilities / "in_distribution.npz")
        measure(args, corpus, held, secondary, json.loads((args.out / "offline.json").read_text(encoding="utf-8"))["training"]["sha256"])
        log(f"re-measured from {args.from_probabilities} (weights untouched)")
        return 0
    held, arrays = loso.leave_one_source_out(corpus, log)
    secondary = None if args.skip_in_distribution else loso.in_distribution(corpus)
    log("measured")
    if args.save_probabilities:
        args.save_probabilities.mkdir(parents=True, exist_ok=True)
        held.save(args.save_probabilities / "held_out.npz")
        if secondary is not None:
            secondary.save(args.save_probabilities / "in_distribution.npz")

    # each file replaced whole (a crash mid-write never leaves a truncated weights file for the judge to load)
    weights = io.BytesIO()
    np.savez_compressed(weights, **arrays)
    atomic_write_bytes(args.out / "offline.npz", weights.getvalue())
    trainable = [o for o in ORIGINS if o.trainable]
    meta = {
        "judge": "offline",
        "feature_version": FEATURE_VERSION,
        "n_features": N_FEATURES,
        "n_signals": N_SIGNALS,
        "signals": list(SIGNAL_NAMES),
        "heads": {
            "refusal": "P(the answer declines, in any part); trained on refusal labels",
            "harm": "P(the answer carries out the harmful request); trained on harm labels of answers to harmful requests",
            "request": "P(the request is harmful); used only when the variant is unknown",
        },
        "training": {
            "sources": {o.name: o.licence for o in trainable},
            "never_trained_on": {o.name: o.licence for o in ORIGINS if not o.trainable},
            "requests": "the trainable sources' requests, HarmBench, StrongREJECT, XSTest prompts, JBB behaviours, datasets/core_*.jsonl",
            "answers": int(np.isin(corpus.origin, [o.name for o in trainable]).sum()),
            "cap_per_source": fit.CAP,
            "C": fit.C,
            "sha256": fingerprint(args.datasets),
        },
        "scikit_learn": sklearn.__version__,
        "trained": time.strftime("%Y-%m-%d"),
        "script": "scripts/train_offline_judge.py",
    }
    atomic_write_text(args.out / "offline.json", json.dumps(meta, indent=2) + "\n")

    measure(args, corpus, held, secondary, meta["training"]["sha256"])
    log(f"wrote {args.out / 'offline.npz'}, {args.out / 'offline.json'}, {args.out / 'reliability.json'}, {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
