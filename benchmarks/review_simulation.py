"""Do judge-error-corrected intervals cover the truth? Simulated audits with a known judge error.

Each simulated audit: 13 categories x 48 harmful prompts answered by two models with known
true refusal rates (the two answers to a prompt are correlated, as real pairs are); a
simulated judge labels every answer with known error rates that differ between the
models; a person "reviews" a stratified sample of 50, 100 or 200 answers drawn by the
same sampler `auditor review` uses (`auditor.review.sample.sample_cells`), and the
corrected estimates come from the same code the report uses (`auditor.stats.ppi`).

Coverage is counted for the true difference in refusal rate (suspect minus original),
overall and per category, for the corrected 95% interval and for the uncorrected one
(the report's Newcombe interval on the judge's labels). Scenarios:

- `side_dependent`: the judge mistakes the copy's hedged compliance for refusal far more
  often than the original's (the case the correction exists for);
- `same_errors`: both models' answers are misjudged at the same rates;
- `category_dependent`: as side_dependent, but the copy's false-refusal rate also varies
  by category (0.10 to 0.50), breaking the per-category estimator's assumption that the
  judge errs alike across categories within a cell (a robustness check, not a target).

Usage: python benchmarks/review_simulation.py [--audits 2000] [--seed 0]
Writes benchmarks/results/review_simulation.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from auditor.review.answers import LOW_CONFIDENCE  # noqa: E402
from auditor.review.sample import BOOSTS, sample_cells  # noqa: E402
from auditor.stats.paired import newcombe_paired_ci_arrays  # noqa: E402
from auditor.stats.ppi import calibrate, corrected_groups, rectify, shrink  # noqa: E402

CATEGORIES = 13
PAIRS = 48
REVIEW_SIZES = (50, 100, 200)
PAIR_CORRELATION = 0.6  # chance that the copy's answer follows the original's latent draw
# true refusal rates: the original refuses most harmful prompts; the copy lost some safeguards
ORIGINAL_RATES = np.array([0.95, 0.92, 0.9, 0.97, 0.85, 0.93, 0.9, 0.88, 0.96, 0.91, 0.94, 0.89, 0.92])
DROPS = np.array([0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.0])

# judge: P(judged refusal | truly refused), P(judged refusal | truly complied), per side
SCENARIOS: dict[str, dict[str, Any]] = {
    "side_dependent": {"original": (0.97, 0.05), "suspect": (0.93, 0.30)},
    "same_errors": {"original": (0.95, 0.10), "suspect": (0.95, 0.10)},
    "category_dependent": {"original": (0.97, 0.05), "suspect": (0.93, np.linspace(0.10, 0.50, CATEGORIES))},
}


def simulate_audit(rng: np.random.Generator, judge: dict[str, Any]) -> dict[str, np.ndarray]:
    """One audit's truth and judge labels, as flat arrays over pairs."""
    category = np.repeat(np.arange(CATEGORIES), PAIRS)
    p_original = ORIGINAL_RATES[category]
    p_suspect = (ORIGINAL_RATES - DROPS)[category]
    latent = rng.random(len(category))
    follow = rng.random(len(category)) < PAIR_CORRELATION
    latent_suspect = np.where(follow, latent, rng.random(len(category)))
    truth = {"original": latent < p_original, "suspect": latent_suspect < p_suspect}
    judged, confident = {}, {}
    for side in ("original", "suspect"):
        hit, false_alarm = judge[side]
        false_alarm = np.asarray(false_alarm, dtype=float)
        false_alarm = false_alarm[category] if false_alarm.ndim else false_alarm
        says_refusal = np.where(truth[side], rng.random(len(category)) < hit, rng.random(len(category)) < false_alarm)
        wrong = says_refusal != truth[side]
        judged[side] = says_refusal
        # the judge is less sure where it is wrong, as trained classifiers are
        confident[side] = rng.random(len(category)) >= np.where(wrong, 0.5, 0.1)
    return {"category": category, "truth_o": truth["original"], "truth_s": truth["suspect"],
            "judged_o": judged["original"], "judged_s": judged["suspect"], "conf_o": confident["original"], "conf_s": confident["suspect"]}


def cells_of(audit: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cell codes of every answer (original answers first, then the suspect's), the same rule as auditor.review.answers."""
    discordant = audit["judged_o"] != audit["judged_s"]
    flags = ("discordant", "uncertain", "other")
    codes, parents, judged_cell, boosts = [], [], [], []
    answer_cell = []
    for s, side in enumerate(("o", "s")):
        flag = np.where(discordant, 0, np.where(~audit[f"conf_{side}"], 1, 2))
        judged = audit[f"judged_{side}"].astype(int)
        answer_cell.append(s * 6 + judged * 3 + flag)
    for s in range(2):
        for j in range(2):
            for f in range(3):
                codes.append(s * 6 + j * 3 + f)
                parents.append(s * 2 + j)
                judged_cell.append(j)
                boosts.append(BOOSTS[flags[f]])
    return np.concatenate(answer_cell), np.array(parents), np.array(judged_cell, dtype=float), np.array(boosts), np.array(codes)


def run_review(audit: dict[str, np.ndarray], n: int, rng: np.random.Generator):
    """Corrected per-category and overall estimates from a simulated review of n answers."""
    answer_cell, parent, judged_cell, boost, _ = cells_of(audit)
    pairs = len(audit["category"])
    positions, _ = sample_cells(answer_cell, boost, n, rng)
    truth = np.concatenate([audit["truth_o"], audit["truth_s"]]).astype(float)
    sizes = np.bincount(answer_cell, minlength=len(parent)).astype(float)
    calibration = calibrate(answer_cell[positions], truth[positions], sizes, parent, judged_cell)
    human = np.full(2 * pairs, np.nan)
    human[positions] = truth[positions]
    stratum = parent // 2  # side: the judge's error rates are estimated per model
    args = (answer_cell[:pairs], answer_cell[pairs:], human[:pairs], human[pairs:], calibration, sizes, judged_cell, stratum)
    overall = corrected_groups(np.zeros(pairs, dtype=np.int64), *args, 1)
    members = np.ones(CATEGORIES, dtype=bool)
    per_category = rectify(shrink(corrected_groups(audit["category"], *args, CATEGORIES), members, overall, 0), members)
    return per_category, overall


def uncorrected(audit: dict[str, np.ndarray], group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    o, s = audit["judged_o"], audit["judged_s"]
    cells = [np.bincount(group, weights=(x).astype(float), minlength=n_groups) for x in (o & s, o & ~s, ~o & s, ~o & ~s)]
    low, high = newcombe_paired_ci_arrays(*cells)
    n = sum(cells)
    return (cells[2] - cells[1]) / n, low, high


def run(audits: int, seed: int) -> dict[str, Any]:
    true_category = -DROPS
    true_overall = float(np.mean(-DROPS))
    results: dict[str, Any] = {}
    for name, judge in SCENARIOS.items():
        rng = np.random.default_rng(seed)
        tallies: dict[int, dict[str, list]] = {n: {"cov_o": [], "cov_c": [], "cov_fin_c": [], "width": [], "width_c": [], "err": [], "err_c": []} for n in REVIEW_SIZES}
        raw = {"cov_o": [], "cov_c": [], "err": [], "width": [], "width_c": [], "err_c": []}
        for _ in range(audits):
            audit = simulate_audit(rng, judge)
            group = audit["category"]
            delta_u, low_u, high_u = uncorrected(audit, group, CATEGORIES)
            d_all, l_all, h_all = uncorrected(audit, np.zeros(len(group), dtype=np.int64), 1)
            raw["cov_o"].append(l_all[0] <= true_overall <= h_all[0])
            raw["cov_c"].append(np.mean((low_u <= true_category) & (true_category <= high_u)))
            raw["err"].append(abs(d_all[0] - true_overall))
            raw["err_c"].append(np.mean(np.abs(delta_u - true_category)))
            raw["width"].append(h_all[0] - l_all[0])
            raw["width_c"].append(float(np.mean(high_u - low_u)))
            finite = float(np.mean(audit["truth_s"].astype(float) - audit["truth_o"].astype(float)))
            for n in REVIEW_SIZES:
                per_category, overall = run_review(audit, n, rng)
                low_c, high_c = per_category.interval()
                low_o, high_o = overall.interval()
                t = tallies[n]
                t["cov_o"].append(low_o[0] <= true_overall <= high_o[0])
                t["cov_fin_c"].append(low_o[0] <= finite <= high_o[0])
                t["cov_c"].append(np.mean((low_c <= true_category) & (true_category <= high_c)))
                t["width"].append(high_o[0] - low_o[0])
                t["width_c"].append(float(np.mean(high_c - low_c)))
                t["err"].append(abs(overall.delta[0] - true_overall))
                t["err_c"].append(np.mean(np.abs(per_category.delta - true_category)))
        scenario = {
            "judge": {side: {"p_judged_refusal_if_refused": float(np.mean(v[0])), "p_judged_refusal_if_complied": (np.round(np.asarray(v[1], dtype=float), 3).tolist() if np.ndim(v[1]) else float(v[1]))} for side, v in judge.items()},
            "uncorrected": {
                "overall_coverage": round(float(np.mean(raw["cov_o"])), 4),
                "category_coverage": round(float(np.mean(raw["cov_c"])), 4),
                "overall_mean_abs_error": round(float(np.mean(raw["err"])), 4),
                "category_mean_abs_error": round(float(np.mean(raw["err_c"])), 4),
                "overall_mean_width": round(float(np.mean(raw["width"])), 4),
                "category_mean_width": round(float(np.mean(raw["width_c"])), 4),
            },
        }
        for n in REVIEW_SIZES:
            t = tallies[n]
            scenario[f"corrected_n{n}"] = {
                "overall_coverage": round(float(np.mean(t["cov_o"])), 4),
                "overall_coverage_of_this_audit_human_difference": round(float(np.mean(t["cov_fin_c"])), 4),
                "category_coverage": round(float(np.mean(t["cov_c"])), 4),
                "overall_mean_abs_error": round(float(np.mean(t["err"])), 4),
                "category_mean_abs_error": round(float(np.mean(t["err_c"])), 4),
                "overall_mean_width": round(float(np.mean(t["width"])), 4),
                "category_mean_width": round(float(np.mean(t["width_c"])), 4),
            }
        results[name] = scenario
        print(name, {k: v for k, v in scenario.items() if k != "judge"}, flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.audits, args.seed)
    write_result("review_simulation", {
        "audits": args.audits,
        "seed": args.seed,
        "design": {"categories": CATEGORIES, "pairs_per_category": PAIRS, "review_sizes": list(REVIEW_SIZES),
                   "true_original_rates": ORIGINAL_RATES.tolist(), "true_drops": DROPS.tolist(), "pair_correlation": PAIR_CORRELATION,
                   "low_confidence": f"judge unsure on 50% of its errors and 10% of its correct labels (threshold {LOW_CONFIDENCE})"},
        "target": "corrected 95% intervals cover the true difference in at least 93% of audits",
        "scenarios": results,
        "seconds": round(time.perf_counter() - started, 1),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
