"""Validity and savings of `auditor audit --sequential`, by simulation of whole audits.

Each simulated audit has K = 13 harmful categories x 48 prompt pairs (the `core` suite's
shape) looked at after rounds of 12, 24, 32, 40 and 48 pairs (auditor.rounds), decided by the
very code a sequential audit runs (auditor.stats.sequential.decide).

- A/A audits: two identical models. Every prompt i of a category has its own refusal
  probability p_i and both models draw independently from it, so discordant pairs
  happen by chance alone. Two prompt mixes: "homogeneous" (p_i = r for every prompt: the
  most discordance, the hardest case for false alarms) and "heterogeneous" (p_i ~
  Beta with mean r and concentration 2, most prompts nearly always or never refused, as
  real models are). r is drawn per category uniformly from [0.5, 0.99]; also per fixed r.
  Reported: the family-wise false-alarm rate (share of audits with any `lost` or
  `weakened` verdict; `strengthened` counted separately) with a Clopper-Pearson 95% CI,
  the share `retained`, and the queries used over the fixed-sample audit's. For contrast,
  "peeking": today's fixed-sample rule (exact McNemar, Holm at alpha) applied after every
  round, stopping a category at its first significant result.
- Real losses: 4 of the 13 categories drop by 20, 40 or 80 points (the suspect refuses
  a prompt with probability p_i (1 - d / r)) from an original refusal rate r of 0.9, 0.95
  or 0.99; the other 9 are unchanged. Reported: share of the lost categories detected
  (lost or weakened), share called `lost`, false alarms in the unchanged ones, queries
  used vs fixed-sample, and the fixed-sample audit's detection on the same data.
- Deterministic copies (the target's local-server case): the original refuses every
  harmful prompt; a copy that answers them all, and a copy identical to the original.

Run: `python benchmarks/sequential_simulation.py` (about a minute on 2 cores); results in
benchmarks/results/sequential_simulation.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import beta as beta_dist

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import write_result  # noqa: E402

from auditor.rounds import look_sizes  # noqa: E402
from auditor.stats.paired import mcnemar_exact_p_arrays, newcombe_paired_ci_arrays  # noqa: E402
from auditor.stats.sequential import LOST, RETAINED, STRENGTHENED, WEAKENED, SequentialDesign, decide  # noqa: E402
from auditor.verdicts import Thresholds  # noqa: E402

K = 13
PAIRS = 48
AUDITS = 2000
SEED = 20261126
LOOKS = look_sizes(PAIRS)
THRESHOLDS = Thresholds()
DESIGN = SequentialDesign(alpha=THRESHOLDS.alpha, lost_drop=THRESHOLDS.lost_drop, retain_margin=THRESHOLDS.retain_margin, family=K)


def prompt_rates(rng: np.random.Generator, rates: np.ndarray, mix: str) -> np.ndarray:
    """Per-prompt refusal probabilities, shape (rows, PAIRS), with category means `rates` (rows,)."""
    rows = len(rates)
    if mix == "homogeneous":
        return np.repeat(rates[:, None], PAIRS, axis=1)
    concentration = 2.0
    return rng.beta(rates[:, None] * concentration, (1 - rates[:, None]) * concentration, size=(rows, PAIRS))


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> list[float]:
    low = beta_dist.ppf(alpha / 2, k, n - k + 1) if k > 0 else 0.0
    high = beta_dist.ppf(1 - alpha / 2, k + 1, n - k) if k < n else 1.0
    return [round(float(low), 4), round(float(high), 4)]


def holm_reject(p: np.ndarray, alpha: float) -> np.ndarray:
    """Holm step-down per row of p (audits x categories); NaN never rejected."""
    p = np.where(np.isnan(p), 1.0, p)
    order = np.argsort(p, axis=1)
    sorted_p = np.take_along_axis(p, order, axis=1)
    m = p.shape[1]
    passes = sorted_p <= alpha / (m - np.arange(m))[None, :]
    steps = np.cumprod(passes, axis=1).astype(bool)
    reject = np.zeros_like(p, dtype=bool)
    np.put_along_axis(reject, order, steps, axis=1)
    return reject


def fixed_sample(o: np.ndarray, s: np.ndarray, audits: int, upto: int = PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """Today's rule on the first `upto` pairs: (significant after Holm, delta), shape (audits, K)."""
    o, s = o[:, :upto], s[:, :upto]
    b = (o & ~s).sum(1)
    c = (~o & s).sum(1)
    p = mcnemar_exact_p_arrays(b, c).reshape(audits, K)
    delta = ((c - b) / upto).reshape(audits, K)
    return holm_reject(p, THRESHOLDS.alpha), delta


def peeking_false_alarm(o: np.ndarray, s: np.ndarray, audits: int) -> float:
    """Share of A/A audits where re-applying the fixed-sample rule after every round ever finds a drop."""
    alarm = np.zeros(audits, dtype=bool)
    for size in LOOKS:
        significant, delta = fixed_sample(o, s, audits, size)
        alarm |= (significant & (delta < 0)).any(axis=1)
    return float(alarm.mean())


def summarise(result, audits: int, changed_mask: np.ndarray | None = None) -> dict:
    codes = result.code.reshape(audits, K)
    pairs = result.pairs.reshape(audits, K)
    unchanged = ~changed_mask if changed_mask is not None else np.ones((audits, K), dtype=bool)
    false_drop = (np.isin(codes, (LOST, WEAKENED)) & unchanged).any(axis=1)
    false_up = ((codes == STRENGTHENED) & unchanged).any(axis=1)
    out = {
        "audits": audits,
        "familywise_false_lost_or_weakened": round(float(false_drop.mean()), 4),
        "familywise_false_lost_or_weakened_ci95": clopper_pearson(int(false_drop.sum()), audits),
        "familywise_false_strengthened": round(float(false_up.mean()), 4),
        "queries_used_over_fixed": round(float(pairs.sum() / (audits * K * PAIRS)), 4),
        "share_decided_by_round": {str(i + 1): round(float(np.mean(result.look.reshape(audits, K) == i)), 4) for i in range(len(LOOKS))},
    }
    if changed_mask is None:
        out["share_retained"] = round(float(np.mean(codes == RETAINED)), 4)
    return out


def aa_scenario(rng: np.random.Generator, mix: str, rate: float | None) -> dict:
    rates = rng.uniform(0.5, 0.99, size=AUDITS * K) if rate is None else np.full(AUDITS * K, rate)
    p = prompt_rates(rng, rates, mix)
    o = rng.random(p.shape) < p
    s = rng.random(p.shape) < p
    result = decide(*(x.reshape(AUDITS, K, PAIRS) for x in (o, s, np.ones_like(o))), LOOKS, DESIGN)
    out = summarise(result, AUDITS)
    out["peeking_fixed_rule_false_lost_or_weakened"] = round(peeking_false_alarm(o, s, AUDITS), 4)
    significant, delta = fixed_sample(o, s, AUDITS)
    out["fixed_sample_false_lost_or_weakened"] = round(float((significant & (delta < 0)).any(axis=1).mean()), 4)
    return out


def loss_scenario(rng: np.random.Generator, drop: float, rate: float, lost_categories: int = 4) -> dict:
    rates = np.full(AUDITS * K, rate)
    p = prompt_rates(rng, rates, "homogeneous")
    changed = np.zeros((AUDITS, K), dtype=bool)
    changed[:, :lost_categories] = True
    flat = changed.ravel()
    q = np.where(flat[:, None], p * (1 - drop / rate), p)
    o = rng.random(p.shape) < p
    s = rng.random(p.shape) < q
    result = decide(*(x.reshape(AUDITS, K, PAIRS) for x in (o, s, np.ones_like(o))), LOOKS, DESIGN)
    codes = result.code.reshape(AUDITS, K)
    pairs = result.pairs.reshape(AUDITS, K)
    significant, delta = fixed_sample(o, s, AUDITS)
    lost_codes = codes[changed]
    out = summarise(result, AUDITS, changed)
    out.update({
        "original_refusal_rate": rate,
        "drop_points": round(drop * 100),
        "lost_categories_per_audit": lost_categories,
        "detected_share": round(float(np.isin(lost_codes, (LOST, WEAKENED)).mean()), 4),
        "called_lost_share": round(float((lost_codes == LOST).mean()), 4),
        "queries_used_over_fixed_in_lost_categories": round(float(pairs[changed].sum() / (changed.sum() * PAIRS)), 4),
        "fixed_sample_detected_share": round(float((significant & (delta < 0))[changed].mean()), 4),
    })
    return out


def deterministic() -> dict:
    o = np.ones((K, PAIRS), dtype=bool)
    ok = np.ones_like(o)
    copy = decide(o[None], ~o[None], ok[None], LOOKS, DESIGN)
    same = decide(o[None], o[None], ok[None], LOOKS, DESIGN)
    names = {LOST: "lost", WEAKENED: "weakened", RETAINED: "retained", STRENGTHENED: "strengthened", 0: "inconclusive"}
    return {
        "complies_where_original_refuses": {"verdicts": sorted({names[c] for c in copy.code.ravel()}), "pairs_per_category": int(copy.pairs[0, 0]), "queries_used_over_fixed": round(float(copy.pairs.sum() / (K * PAIRS)), 4)},
        "identical_copy": {"verdicts": sorted({names[c] for c in same.code.ravel()}), "pairs_per_category": int(same.pairs[0, 0]), "queries_used_over_fixed": round(float(same.pairs.sum() / (K * PAIRS)), 4)},
        "note": "a 'retained' verdict needs P(no lost refusal in n pairs | drop of 10 points) = 0.9^n <= alpha, so no valid 5% test can retain before 29 of 48 pairs (60.4%)",
    }


def main() -> None:
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    aa = {
        "homogeneous_r_uniform_0.5_0.99": aa_scenario(rng, "homogeneous", None),
        "heterogeneous_r_uniform_0.5_0.99": aa_scenario(rng, "heterogeneous", None),
    }
    for rate in (0.5, 0.7, 0.9, 0.99):
        aa[f"homogeneous_r_{rate}"] = aa_scenario(rng, "homogeneous", rate)
    losses = {f"drop_{round(d * 100)}_from_{r}": loss_scenario(rng, d, r) for r in (0.9, 0.95, 0.99) for d in (0.2, 0.4, 0.8)}
    write_result("sequential_simulation", {
        "design": {**DESIGN.to_dict(), "categories": K, "pairs_per_category": PAIRS, "looks": LOOKS, "seed": SEED},
        "aa": aa,
        "losses": losses,
        "deterministic": deterministic(),
        "seconds": round(time.perf_counter() - started, 1),
    })


if __name__ == "__main__":
    main()
