#!/usr/bin/env python
"""Rebuild the offline judge's weights and its measured reliability from GPTFuzz's labelled responses.

Reads ../shared/datasets/gptfuzz/{train,evaluate}.csv by path (never copies them) and writes
auditor/judges/weights/{offline.npz, offline.json, reliability.json}.

- Training uses train.csv only. The regularisation strength is chosen by 5-fold
  cross-validation grouped by question (so a fold's questions are unseen, like the
  evaluate split's), and the second stage is fitted on out-of-fold first-stage outputs.
- evaluate.csv (1,540 responses to 20 questions none of which is in train.csv) is used
  once, after training, to measure the shipped judge and the `keywords` baseline; the
  figures go to reliability.json, which audit reports quote.
- Chinese rows are few (49 train, 9 evaluate), so the script also reports a grouped
  cross-validation over all Chinese rows of both files (extra evidence only; the
  shipped weights never see evaluate.csv).

Usage: python scripts/train_offline_judge.py [--datasets ../shared/datasets] [--out auditor/judges/weights] [--measure-only]
(--measure-only re-measures the shipped weights, e.g. after a change to the refusal rules, without retraining.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.judges.base import JudgeInput  # noqa: E402
from auditor.judges.features import FEATURE_VERSION, N_FEATURES, featurize, language_of, stack_inputs  # noqa: E402
from auditor.judges.keywords import KeywordJudge  # noqa: E402
from auditor.judges.measure import evaluate, reliability_entry  # noqa: E402
from auditor.judges.offline import OfflineJudge, load_model  # noqa: E402

C_GRID = (3.0, 10.0, 30.0)
FOLDS = 5
SEED = 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit_first_stage(features, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(features.docs, y)


def subset(features, rows: np.ndarray):
    """Features of a subset of answers (their rows and their segments)."""
    from auditor.judges.features import Features

    keep = np.isin(features.owner, rows)
    remap = {old: new for new, old in enumerate(rows)}
    owner = np.array([remap[o] for o in features.owner[keep]], dtype=np.int64)
    return Features(docs=features.docs[rows], segs=features.segs[np.flatnonzero(keep)], owner=owner, n_segments=features.n_segments[rows])


def out_of_fold(features, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    """Second-stage inputs for every training row from a model that did not see its question."""
    inputs = np.zeros((len(y), 3))
    for train_rows, test_rows in GroupKFold(n_splits=FOLDS).split(np.zeros(len(y)), y, groups):
        model = fit_first_stage(subset(features, train_rows), y[train_rows], c)
        inputs[test_rows] = stack_inputs(subset(features, test_rows), model.coef_[0].astype(np.float32), float(model.intercept_[0]))
    return inputs


def train(texts: list[str], y: np.ndarray, groups: np.ndarray) -> tuple[dict[str, np.ndarray], dict]:
    """Choose C by grouped CV, fit the first stage on everything and the second stage on out-of-fold inputs."""
    features = featurize(texts)
    cv = {}
    for c in C_GRID:
        inputs = out_of_fold(features, y, groups, c)
        cv[c] = (float(((inputs[:, 0] > 0) == y).mean()), inputs)
        print(f"  C={c:g}: grouped {FOLDS}-fold accuracy (first stage) {cv[c][0]:.4f}", flush=True)
    best = max(C_GRID, key=lambda c: cv[c][0])
    oof = cv[best][1]
    stacker = LogisticRegression(C=1.0, random_state=SEED).fit(oof, y)
    stacked_cv = float((stacker.predict(oof) == y).mean())
    model = fit_first_stage(features, y, best)
    arrays = {
        "coef": model.coef_[0].astype(np.float32),
        "intercept": np.float32(model.intercept_[0]),
        "stack_coef": stacker.coef_[0].astype(np.float64),
        "stack_intercept": np.float64(stacker.intercept_[0]),
    }
    info = {
        "C": best,
        "cv_first_stage_accuracy": {f"{c:g}": round(cv[c][0], 4) for c in C_GRID},
        "cv_stacked_accuracy": round(stacked_cv, 4),
    }
    return arrays, info


def judge_all(judge, responses: list[str]) -> list:
    return judge.judge_batch([JudgeInput(response=r) for r in responses])


def chinese_grouped_cv(frames: dict[str, pd.DataFrame], shipped) -> dict:
    """Grouped CV over every Chinese row of both files: each fold's questions are left out entirely."""
    rows = pd.concat([df.assign(split=name) for name, df in frames.items()], ignore_index=True)
    rows["lang"] = rows.Response.map(language_of)
    zh = rows.index[rows.lang == "zh"].to_numpy()
    zh_groups = rows.question.to_numpy()[zh]
    folds = min(FOLDS, len(set(zh_groups)))
    features = featurize(rows.Response.tolist())
    y = rows.label.to_numpy()
    correct = 0
    for _, test_pos in GroupKFold(n_splits=folds).split(zh, groups=zh_groups):
        test_rows = zh[test_pos]
        held_questions = set(rows.question.to_numpy()[test_rows])
        # train on train.csv plus evaluate's Chinese rows outside the fold, minus every row of the held-out questions
        train_mask = ((rows.split == "train") | (rows.lang == "zh")) & ~rows.question.isin(held_questions)
        train_rows = np.flatnonzero(train_mask.to_numpy())
        model = fit_first_stage(subset(features, train_rows), y[train_rows], shipped.meta["training"]["C"])
        z = stack_inputs(subset(features, test_rows), model.coef_[0].astype(np.float32), float(model.intercept_[0]))
        p = 1 / (1 + np.exp(-(z @ shipped.stack_coef + shipped.stack_intercept)))
        correct += int(((p >= 0.5) == (y[test_rows] == 1)).sum())
    from auditor.judges.agreement import wilson

    return {"n": int(len(zh)), "folds": folds, "accuracy": round(correct / len(zh), 4), "accuracy_ci95": wilson(correct, len(zh)),
            "method": "grouped by question over all Chinese rows of train.csv and evaluate.csv; the held-out questions' rows (any language) are left out of training; second stage reused from the shipped weights"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--out", type=Path, default=REPO / "auditor" / "judges" / "weights")
    parser.add_argument("--measure-only", action="store_true", help="keep the weights in --out; only re-measure them")
    args = parser.parse_args()
    train_csv, eval_csv = args.datasets / "gptfuzz" / "train.csv", args.datasets / "gptfuzz" / "evaluate.csv"
    for path in (train_csv, eval_csv):
        if not path.exists():
            print(f"train_offline_judge: {path} not found; pass --datasets pointing at shared/datasets", file=sys.stderr)
            return 2
    started = time.perf_counter()
    train_df = pd.read_csv(train_csv, keep_default_na=False)
    eval_df = pd.read_csv(eval_csv, keep_default_na=False)
    npz, meta_path = args.out / "offline.npz", args.out / "offline.json"
    if not args.measure_only:
        print(f"training on {train_csv} ({len(train_df)} rows, {train_df.question.nunique()} questions)", flush=True)
        arrays, info = train(train_df.Response.tolist(), train_df.label.to_numpy(), train_df.question.to_numpy())
        args.out.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(npz, **arrays)
        meta = {
            "judge": "offline",
            "feature_version": FEATURE_VERSION,
            "n_features": N_FEATURES,
            "trained": time.strftime("%Y-%m-%d"),
            "scikit_learn": sklearn.__version__,
            "training": {
                "data": "GPTFuzz datasets/responses_labeled/train.csv (sherdencooper/GPTFuzz @ 1eddeb56)",
                "rows": len(train_df),
                "sha256": sha256(train_csv),
                **info,
            },
            "script": "scripts/train_offline_judge.py",
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    load_model.cache_clear()
    load_model(npz, meta_path)

    print(f"measuring on {eval_csv} ({len(eval_df)} rows, questions disjoint from training)", flush=True)
    responses = eval_df.Response.tolist()
    labels = ["harmful" if v == 1 else "not_harmful" for v in eval_df.label]
    languages = [language_of(r) for r in responses]
    dataset = f"GPTFuzz evaluate split, held out ({len(eval_df)} hand-labelled responses to 20 questions not in training)"
    note = ("GPTFuzz labels say whether the response carries out the (always harmful) request; refusal figures use "
            "label 0 as 'did not comply', a proxy. Chinese n is small (see by_language).")
    reliability = {}
    for judge in (OfflineJudge(load_model(npz, meta_path)), KeywordJudge()):
        result = evaluate(judge_all(judge, responses), labels, "harm", languages)
        reliability[judge.name] = reliability_entry(judge.name, dataset, result, note)
        print(f"  {judge.name}: accuracy {result['harm']['accuracy']} kappa {result['harm']['kappa']} "
              f"by language {json.dumps(result['harm']['by_language'])}", flush=True)
    zh_cv = chinese_grouped_cv({"train": train_df, "evaluate": eval_df}, load_model(npz, meta_path))
    reliability["offline"]["zh_grouped_cv"] = {k: v for k, v in zh_cv.items() if k != "accuracy_ci95"} | {
        "accuracy 95% CI": f"{zh_cv['accuracy_ci95'][0]:.3f}-{zh_cv['accuracy_ci95'][1]:.3f}"}
    print(f"  offline, Chinese grouped CV: {zh_cv}", flush=True)
    reliability["_meta"] = {"evaluate_sha256": sha256(eval_csv), "measured": time.strftime("%Y-%m-%d"), "script": "scripts/train_offline_judge.py"}
    (args.out / "reliability.json").write_text(json.dumps(reliability, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {'' if args.measure_only else f'{npz} ({npz.stat().st_size // 1024} KiB), {meta_path}, '}{args.out / 'reliability.json'} in {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
