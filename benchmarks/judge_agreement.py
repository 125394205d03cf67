#!/usr/bin/env python
"""Judge agreement with human labels on held-out data, beside published figures for other judges.

Measures the `offline` and `keywords` judges on GPTFuzz's evaluate split (1,540
hand-labelled responses to 20 questions, none of them in the offline judge's training
split), overall and by language, and prints them next to the agreement figures other
judges have published (on other data; labelled as such). Writes
benchmarks/results/judge_agreement.json.

Usage: python benchmarks/judge_agreement.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _common import write_result  # noqa: E402

from auditor.judges.agreement import agreement, harm_label  # noqa: E402
from auditor.judges.base import JudgeInput  # noqa: E402
from auditor.judges.cascade import DEFAULT_THRESHOLD  # noqa: E402
from auditor.judges.features import language_of  # noqa: E402
from auditor.judges.keywords import KeywordJudge  # noqa: E402
from auditor.judges.measure import evaluate  # noqa: E402
from auditor.judges.offline import OfflineJudge  # noqa: E402
from auditor.judges.reliability import judge_reliability  # noqa: E402

# Published, not measured here: HarmBench (Mazeika et al., 2024, arXiv:2402.04249), Table 1,
# agreement with human majority labels on HarmBench's own manually labelled validation set
# (standard + contextual behaviours, average). A different data set from GPTFuzz's.
PUBLISHED = {
    "source": "Mazeika et al. 2024, HarmBench (arXiv:2402.04249), Table 1: agreement with human labels on HarmBench's validation set (not GPTFuzz)",
    "agreement_percent": {
        "HarmBench classifier (Llama-2-13B)": 93.19,
        "GPT-4 judge (PAIR prompt, Chao et al. 2023)": 88.37,
        "GPTFuzz RoBERTa judge": 75.42,
        "AdvBench refusal-string matching": 69.93,
        "Llama-Guard": 66.94,
        "ChatGLM judge (Shen et al. 2023)": 64.29,
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    args = parser.parse_args()
    eval_csv, train_csv = args.datasets / "gptfuzz" / "evaluate.csv", args.datasets / "gptfuzz" / "train.csv"
    if not eval_csv.exists():
        print(f"judge_agreement: {eval_csv} not found; pass --datasets", file=sys.stderr)
        return 2
    frame = pd.read_csv(eval_csv, keep_default_na=False)
    responses = frame.Response.tolist()
    labels = ["harmful" if v == 1 else "not_harmful" for v in frame.label]
    languages = [language_of(r) for r in responses]
    seen = set(pd.read_csv(train_csv, keep_default_na=False).Response) if train_csv.exists() else set()
    unseen = [i for i, r in enumerate(responses) if r not in seen]

    results = {}
    for judge in (OfflineJudge(), KeywordJudge()):
        judgements = judge.judge_batch([JudgeInput(response=r) for r in responses])
        result = evaluate(judgements, labels, "harm", languages)
        predicted = [harm_label(j.harmful) for j in judgements]
        result["harm_without_exact_training_duplicates"] = agreement([labels[i] for i in unseen], [predicted[i] for i in unseen], ["not_harmful", "harmful"])
        if judge.name == "offline":
            sure = [i for i, j in enumerate(judgements) if j.confidence >= DEFAULT_THRESHOLD]
            result["cascade_routing"] = {
                "threshold": DEFAULT_THRESHOLD,
                "share_sent_to_llm": round(1 - len(sure) / len(judgements), 4),
                "offline_accuracy_on_kept": agreement([labels[i] for i in sure], [predicted[i] for i in sure], ["not_harmful", "harmful"])["accuracy"],
            }
            shipped = judge_reliability("offline") or {}
            result["zh_grouped_cv"] = shipped.get("zh_grouped_cv")
        results[judge.name] = result

    print("\n| judge | data | n | accuracy (95% CI) | kappa | refused-vs-complied (proxy) | en | zh |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        h, p = r["harm"], r["refusal_proxy"]
        by = h["by_language"]
        cell = lambda b: f"{b['accuracy']:.3f} (n={b['n']}, {b['accuracy_ci95'][0]:.2f}-{b['accuracy_ci95'][1]:.2f})"  # noqa: E731
        print(f"| {name} (measured) | GPTFuzz evaluate, held out | {h['n']} | {h['accuracy']:.3f} ({h['accuracy_ci95'][0]:.3f}-{h['accuracy_ci95'][1]:.3f}) "
              f"| {h['kappa']:.3f} | {p['accuracy']:.3f} | {cell(by['en'])} | {cell(by['zh']) if 'zh' in by else '-'} |")
    for name, value in PUBLISHED["agreement_percent"].items():
        print(f"| {name} (published) | HarmBench validation set | - | {value / 100:.3f} | - | - | - | - |")
    print(f"\nPublished figures: {PUBLISHED['source']}")
    zh_cv = results["offline"].get("zh_grouped_cv")
    if zh_cv:
        print(f"offline, Chinese grouped CV over all {zh_cv['n']} Chinese GPTFuzz rows: accuracy {zh_cv['accuracy']} (95% CI {zh_cv['accuracy 95% CI']})")
    routing = results["offline"]["cascade_routing"]
    print(f"cascade at confidence < {routing['threshold']}: {routing['share_sent_to_llm']:.1%} of answers go to the LLM judge; "
          f"offline accuracy on the rest {routing['offline_accuracy_on_kept']:.3f}")

    write_result("judge_agreement", {
        "dataset": "GPTFuzz datasets/responses_labeled/evaluate.csv (1,540 hand-labelled responses; 20 questions disjoint from train.csv)",
        "labels": "1 = the response carries out the (harmful) request; 0 = refused or harmless. Refused-vs-complied uses label 0 as 'did not comply' (a proxy: every GPTFuzz request is harmful).",
        "languages": "zh = the response contains Han characters; Chinese rows are few (n=9), so read the interval and the grouped CV",
        "results": results,
        "published_other_data": PUBLISHED,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
