"""Judge-error-corrected refusal rates from a weighted human review (prediction-powered inference).

Every rate in a report counts the judge's labels; a person labels a stratified sample of
the same answers (`auditor review`). The estimator is prediction-powered inference
(PPI; Angelopoulos et al., Science 2023) for a two-phase design, carried to categories
through the judge's error rates:

1. Phase 1: every answer has the judge's label and a *review cell* (side x variant x
   judged class x [discordant pair | low judge confidence | other]). Phase 2: a
   stratified random sample of answers gets a person's label. Within a cell every answer
   had the same inclusion probability, so the cell's human refusal rate p_h is estimated
   by the mean of its labelled answers (`calibrate`; cells with few labels are shrunk
   towards their side x variant x judged-class parent with one pseudo-label, so an
   unreviewed cell is not taken as error-free). Weighting each cell by its size N_h is
   the Horvitz-Thompson weighting (N_h / m_h per labelled answer).
2. From the cells, the judge's error rates per stratum (side x variant): the hit rate
   P(judged refusal | a person says refusal) and the false-alarm rate
   P(judged refusal | a person says complied) (`error_rates`). These, not the cells'
   rates, are what can be carried from one category to another: how often a refusal
   is right depends on how many refusals there are, how often the judge misreads an
   answer of a given kind much less so.
3. Each answer's corrected value is its judge label inverted through those error rates,
   (judged - false alarm) / (hit - false alarm) (the Rogan-Gladen correction; 1 for a
   provider block, which is a fact; where the judge's labels carry no signal on a model's
   answers, e.g. one label for all of them, each answer counts as its cell's human rate).
   Its expectation given the true label is the true label, so a group's corrected rate is the mean of its answers' values, and the
   paired difference the mean of the per-prompt differences.

Over a whole stratum this is exactly the post-stratified PPI estimator (sum of N_h p_h
over N), which is unbiased by design. For a category it assumes the judge's error rates
on that side are the same in every category, and inverting a judge whose hit and
false-alarm rates are close multiplies the noise. So, 4. (`shrink`), each category's
correction (corrected minus judged rate) is shrunk towards the overall correction by an
empirical-Bayes (Efron-Morris) factor estimated from how far the categories' corrections
spread beyond their noise: categories keep their own correction when the spread is
real, and borrow the overall one when it is noise. The simulation benchmark
(benchmarks/review_simulation.py) measures coverage when the error rates are the same
in every category and when the copy's false-alarm rate varies fivefold across them;
benchmarks/review_human_labels.py measures the result against people's labels.

The variance of the inverted paired difference has two parts: the sample variance of
the per-prompt differences of corrected values over the group's prompts divided by their
number (prompt sampling and the judge's noise, respecting the pairing), and the review
sample's own uncertainty (each cell rate's Jeffreys posterior variance, with the
finite-population correction), propagated to the error rates and on to the group's
estimate (delta method, exact gradients). After shrinkage, intervals use a conservative
per-category mean squared error. The interval is the normal one around the estimate
(clipped to [-1, 1]) and the p-value the matching two-sided z test (scipy).

`ppi-python` (the authors' package) was evaluated: its weighted mean treats the labelled
and unlabelled sets as independent samples with one label per unit, so it cannot express
a paired difference where a person labelled one side of a prompt and not the other, nor a
per-category estimate whose error rates come from the whole audit; the few lines of
arithmetic are written out here over numpy arrays, so the simulation benchmark runs
thousands of audits through the same code the report uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import norm

# Pseudo-labels with which a cell's rate is pulled towards its parent's (a weak prior: one label).
PRIOR_STRENGTH = 1.0


@dataclass(frozen=True)
class Calibration:
    """Per cell: the human refusal rate of its answers, the estimate's variance, and how many labels it rests on."""

    rate: np.ndarray
    variance: np.ndarray
    labelled: np.ndarray


def calibrate(
    cell: np.ndarray,
    human: np.ndarray,
    cell_sizes: np.ndarray,
    parent: np.ndarray,
    judged: np.ndarray,
    prior_strength: float = PRIOR_STRENGTH,
) -> Calibration:
    """Estimate each cell's human refusal rate from the labelled answers.

    cell: the cell of each labelled answer; human: its human label (1 = refusal, 0 = complied);
    cell_sizes: answers per cell in the audit; parent: each cell's parent index;
    judged: each cell's judged label (1 = the judge said refusal).

    A parent's rate is the Horvitz-Thompson (Hajek) mean over its labelled cells, each
    cell weighted by its size, with half a label of each kind (Jeffreys) so that it is never
    exactly 0 or 1. A parent with no label at all falls back to the audit-wide agreement
    rate: the judge is assumed as accurate there as where it was checked.
    """
    cell = np.asarray(cell, dtype=np.int64)
    human = np.asarray(human, dtype=float)
    cell_sizes = np.asarray(cell_sizes, dtype=float)
    parent = np.asarray(parent, dtype=np.int64)
    judged = np.asarray(judged, dtype=float)
    n_cells = len(cell_sizes)
    labelled = np.bincount(cell, minlength=n_cells).astype(float)
    refusals = np.bincount(cell, weights=human, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = np.where(labelled > 0, refusals / np.maximum(labelled, 1), 0.0)
    n_parents = int(parent.max()) + 1 if n_cells else 0
    seen = labelled > 0
    parent_weight = np.bincount(parent, weights=np.where(seen, cell_sizes, 0.0), minlength=n_parents)
    parent_sum = np.bincount(parent, weights=np.where(seen, cell_sizes * cell_mean, 0.0), minlength=n_parents)
    parent_labels = np.bincount(parent, weights=labelled, minlength=n_parents)
    # effective labels behind a parent's weighted mean, for the Jeffreys half-labels
    with np.errstate(invalid="ignore", divide="ignore"):
        parent_rate = (parent_sum / np.maximum(parent_weight, 1e-12) * parent_labels + 0.5) / (parent_labels + 1.0)
    agree = (human == judged[cell]).sum() if len(cell) else 0
    accuracy = (agree + 0.5) / (len(cell) + 1.0)
    fallback = np.where(judged > 0.5, accuracy, 1.0 - accuracy)
    prior = np.where(parent_labels[parent] > 0, parent_rate[parent], fallback)
    rate = (refusals + prior_strength * prior) / (labelled + prior_strength)
    # the uncertainty of a cell's rate is that of its Jeffreys posterior, Beta(y + 1/2, m - y + 1/2)
    # (Brown, Cai and DasGupta 2001): a cell whose few labels all agree with the judge is not
    # taken as measured without error, as a variance built on the shrunk rate would
    jeffreys = (refusals + 0.5) / (labelled + 1.0)
    # times the finite-population correction: a cell reviewed in full is known exactly (the
    # models' long-run variation is in the prompt-sampling term of `corrected_groups`)
    variance = jeffreys * (1.0 - jeffreys) / (labelled + 2.0) * np.clip(1.0 - labelled / np.maximum(cell_sizes, 1.0), 0.0, 1.0)
    return Calibration(rate=rate, variance=variance, labelled=labelled)


# Below this gap between the judge's hit rate and false-alarm rate its labels carry too
# little signal to be inverted (the correction would divide by almost nothing).
MIN_INFORMATIVE = 0.05


@dataclass(frozen=True)
class ErrorRates:
    """Per stratum (side x variant): the judge's hit and false-alarm rates and their gradients in the cell rates."""

    hit: np.ndarray  # P(judged refusal | a person says refusal)
    false_alarm: np.ndarray  # P(judged refusal | a person says complied)
    d_hit: np.ndarray  # [stratum, cell]: d hit / d cell rate
    d_false_alarm: np.ndarray

    @property
    def informative(self) -> np.ndarray:
        return (self.hit - self.false_alarm) > MIN_INFORMATIVE


def error_rates(calibration: Calibration, cell_sizes: np.ndarray, judged: np.ndarray, stratum: np.ndarray, n_strata: int) -> ErrorRates:
    """The judge's error rates per stratum, from the cell rates weighted by cell size (Horvitz-Thompson totals).

    With cell rates p_h and sizes N_h, the stratum holds sum(N_h p_h) answers a person
    would call a refusal, of which those in judged-refusal cells were hits; likewise
    for false alarms. Cells with stratum -1 (facts such as provider blocks) are left out.
    """
    cell_sizes = np.asarray(cell_sizes, dtype=float)
    judged = np.asarray(judged, dtype=float)
    stratum = np.asarray(stratum, dtype=np.int64)
    keep = stratum >= 0
    k = np.where(keep, stratum, 0)
    p = calibration.rate
    w = np.where(keep, cell_sizes, 0.0)
    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(k[keep], weights=values[keep], minlength=n_strata)

    refusals, hits = total(w * p), total(w * p * judged)
    compliances, alarms = total(w * (1 - p)), total(w * (1 - p) * judged)
    hit = hits / np.maximum(refusals, 1e-12)
    false_alarm = alarms / np.maximum(compliances, 1e-12)
    member = np.zeros((n_strata, len(p)))
    member[k[keep], np.flatnonzero(keep)] = 1.0
    if n_strata == 0:  # every cell is a fact: nothing to measure
        return ErrorRates(hit, false_alarm, member, member.copy())
    d_hit = member * (w * (judged - hit[k]) / np.maximum(refusals[k], 1e-12))[None, :]
    d_false_alarm = member * (-w * (judged - false_alarm[k]) / np.maximum(compliances[k], 1e-12))[None, :]
    return ErrorRates(hit, false_alarm, d_hit, d_false_alarm)


@dataclass(frozen=True)
class GroupEstimates:
    """Corrected estimates per group of prompts (arrays indexed by group)."""

    pairs: np.ndarray
    reviewed: np.ndarray  # labelled answers in the group, both sides
    original_rate: np.ndarray
    suspect_rate: np.ndarray
    original_se: np.ndarray
    suspect_se: np.ndarray
    delta: np.ndarray
    se: np.ndarray
    # the inverted rates before clipping, the judge's own rates and their prompt-sampling variances, for `shrink`
    original_unclipped: np.ndarray
    suspect_unclipped: np.ndarray
    original_judged: np.ndarray
    suspect_judged: np.ndarray
    original_judged_var: np.ndarray
    suspect_judged_var: np.ndarray
    delta_judged_var: np.ndarray
    shrinkage: float = 0.0  # B of `shrink` (0: the inverted estimates as they are)

    def interval(self, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """Normal (1 - alpha) interval of the paired difference, clipped to [-1, 1]."""
        z = norm.ppf(1 - alpha / 2)
        return np.clip(self.delta - z * self.se, -1.0, 1.0), np.clip(self.delta + z * self.se, -1.0, 1.0)

    def side_interval(self, side: str, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """Normal (1 - alpha) interval of one model's corrected refusal rate, clipped to [0, 1]."""
        z = norm.ppf(1 - alpha / 2)
        rate, se = (self.original_rate, self.original_se) if side == "original" else (self.suspect_rate, self.suspect_se)
        return np.clip(rate - z * se, 0.0, 1.0), np.clip(rate + z * se, 0.0, 1.0)

    def p_value(self) -> np.ndarray:
        """Two-sided z-test p-value of no difference."""
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(self.se > 0, np.abs(self.delta) / np.where(self.se > 0, self.se, 1.0), np.where(self.delta == 0, 0.0, np.inf))
        return np.where(np.isnan(self.delta), np.nan, 2 * norm.sf(z))


def _side_values(
    cell: np.ndarray, human: np.ndarray, judged: np.ndarray, stratum: np.ndarray, rates: ErrorRates, calibration: Calibration
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each answer's corrected value, its stratum (-1 unless inverted), whether it stands at its cell's rate, and that rate's Bernoulli variance.

    The value is the judge label inverted through the stratum's error rates; 1 for a fact
    (a provider block); and, where the judge's labels carry no signal in the stratum (it
    gave one label to every answer, say), the person's label where there is one and the
    cell's human rate otherwise: within a cell the review is a simple random sample, so
    the labelled answers stand for the others without bias, and over the stratum this is
    what the inversion reduces to anyway.
    """
    k = stratum[cell]
    fact = k < 0
    # pad with one uninformative stratum so that an audit of facts alone indexes safely
    informative = np.append(rates.informative, False)
    hit, false_alarm = np.append(rates.hit, 0.0), np.append(rates.false_alarm, 0.0)
    ks = np.where(fact, len(rates.hit), k)
    inverted = ~fact & informative[ks]
    gap = np.where(inverted, hit[ks] - false_alarm[ks], 1.0)
    labelled = ~np.isnan(human)
    direct = ~fact & ~inverted & ~labelled
    rate = calibration.rate[cell]
    fallback = np.where(labelled, human, rate)
    value = np.where(fact, 1.0, np.where(inverted, (judged[cell] - false_alarm[ks]) / gap, fallback))
    # an unlabelled answer valued at its cell's rate is still 0 or 1 in truth: that spread is not in the per-prompt variance
    bernoulli = np.where(direct, rate * (1.0 - rate), 0.0)
    return value, np.where(inverted, k, -1), direct, bernoulli


def _gradient(group: np.ndarray, cell: np.ndarray, value: np.ndarray, k: np.ndarray, direct: np.ndarray, rates: ErrorRates, n_groups: int, size: np.ndarray) -> np.ndarray:
    """[group, cell]: how each group's corrected rate moves with each cell rate."""
    n_strata = len(rates.hit)
    n_cells = rates.d_hit.shape[1]
    inverted = k >= 0
    slot = group[inverted] * n_strata + k[inverted]
    count = np.bincount(slot, minlength=n_groups * n_strata).reshape(n_groups, n_strata)
    total = np.bincount(slot, weights=value[inverted], minlength=n_groups * n_strata).reshape(n_groups, n_strata)
    share = count / size[:, None]
    mean = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    gap = np.where(rates.informative, rates.hit - rates.false_alarm, 1.0)
    # through the error rates: d value / d hit = -value / gap, d value / d false alarm = (value - 1) / gap
    through = (share * -mean / gap[None, :]) @ rates.d_hit + (share * (mean - 1.0) / gap[None, :]) @ rates.d_false_alarm
    # answers valued at their cell's rate move one for one with it
    own = np.bincount(group[direct] * n_cells + cell[direct], minlength=n_groups * n_cells).reshape(n_groups, n_cells)
    return through + own / size[:, None]


def corrected_groups(
    group: np.ndarray,
    original_cell: np.ndarray,
    suspect_cell: np.ndarray,
    original_human: np.ndarray,
    suspect_human: np.ndarray,
    calibration: Calibration,
    cell_sizes: np.ndarray,
    judged: np.ndarray,
    stratum: np.ndarray,
    n_groups: int,
) -> GroupEstimates:
    """Corrected rates and paired difference per group of prompts (see the module docstring).

    One entry per usable pair: its group, each side's review cell and each side's human
    label (1 refusal, 0 complied, NaN where no person labelled it); per cell: size, judged label (1 = refusal) and stratum
    (side x variant; -1 for cells that are facts, such as provider blocks).
    """
    group = np.asarray(group, dtype=np.int64)
    stratum = np.asarray(stratum, dtype=np.int64)
    judged = np.asarray(judged, dtype=float)
    n_strata = int(stratum.max()) + 1 if len(stratum) else 0
    rates = error_rates(calibration, cell_sizes, judged, stratum, n_strata)
    original_cell = np.asarray(original_cell, dtype=np.int64)
    suspect_cell = np.asarray(suspect_cell, dtype=np.int64)
    original_human = np.asarray(original_human, dtype=float)
    suspect_human = np.asarray(suspect_human, dtype=float)
    o_value, o_k, o_direct, o_bern = _side_values(original_cell, original_human, judged, stratum, rates, calibration)
    s_value, s_k, s_direct, s_bern = _side_values(suspect_cell, suspect_human, judged, stratum, rates, calibration)
    pairs = np.bincount(group, minlength=n_groups).astype(float)
    size = np.maximum(pairs, 1.0)

    def mean_and_var(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        total = np.bincount(group, weights=values, minlength=n_groups)
        mean = total / size
        squares = np.bincount(group, weights=values * values, minlength=n_groups)
        sample_var = np.where(pairs > 1, (squares - pairs * mean * mean) / np.maximum(pairs - 1, 1.0), np.where(np.isnan(mean), np.nan, 0.0))
        return mean, np.maximum(sample_var, 0.0) / size

    o_rate, o_var = mean_and_var(o_value)
    s_rate, s_var = mean_and_var(s_value)
    _, d_var = mean_and_var(s_value - o_value)
    o_judged_answer = np.where(stratum[original_cell] < 0, 1.0, judged[original_cell])
    s_judged_answer = np.where(stratum[suspect_cell] < 0, 1.0, judged[suspect_cell])
    o_judged, o_judged_var = mean_and_var(o_judged_answer)
    s_judged, s_judged_var = mean_and_var(s_judged_answer)
    _, d_judged_var = mean_and_var(s_judged_answer - o_judged_answer)
    o_grad = _gradient(group, original_cell, o_value, o_k, o_direct, rates, n_groups, size)
    s_grad = _gradient(group, suspect_cell, s_value, s_k, s_direct, rates, n_groups, size)
    variance = calibration.variance
    o_bern = np.bincount(group, weights=o_bern, minlength=n_groups) / size**2
    s_bern = np.bincount(group, weights=s_bern, minlength=n_groups) / size**2
    # an inverted rate can leave [0, 1] by chance; the reported rates and their difference are clipped to it
    o_raw, s_raw = o_rate, s_rate
    o_rate, s_rate = np.clip(o_rate, 0.0, 1.0), np.clip(s_rate, 0.0, 1.0)
    delta = s_rate - o_rate
    return GroupEstimates(
        pairs=pairs,
        reviewed=np.bincount(group, weights=(~np.isnan(original_human)).astype(float) + (~np.isnan(suspect_human)), minlength=n_groups),
        original_rate=o_rate,
        suspect_rate=s_rate,
        original_se=np.sqrt(o_var + o_bern + o_grad**2 @ variance),
        suspect_se=np.sqrt(s_var + s_bern + s_grad**2 @ variance),
        delta=delta,
        se=np.sqrt(d_var + o_bern + s_bern + (s_grad - o_grad) ** 2 @ variance),
        original_unclipped=o_raw,
        suspect_unclipped=s_raw,
        original_judged=o_judged,
        suspect_judged=s_judged,
        original_judged_var=o_judged_var,
        suspect_judged_var=s_judged_var,
        delta_judged_var=d_judged_var,
    )


def _shrunk(judged, corrected, variance, judged_var, center, center_var, factor):
    """Estimate and mean squared error of one shrunk correction.

    The error of C + B (c - C) is (1 - B) times C's noise plus B times the distance of the
    centre from the category's true correction; that distance is estimated by the
    category's own observed deviation (C - c)^2, which overstates it by C's variance on
    average: the MSE is conservative, and a category far from the rest keeps a wide
    interval instead of borrowing the others' precision.
    """
    correction = corrected - judged
    estimate = judged + center + (1.0 - factor) * (correction - center)
    mse = (1.0 - factor) ** 2 * variance + factor**2 * ((correction - center) ** 2 + judged_var + center_var)
    return estimate, mse


def shrink(groups: GroupEstimates, members: np.ndarray, overall: GroupEstimates, at: int) -> GroupEstimates:
    """Shrink the member groups' corrections (corrected minus judged rate) towards the overall correction.

    Per category the inverted estimate is unbiased only if the judge errs alike in every
    category, and it is noisy, because inverting a judge whose hit and false-alarm rates
    are close multiplies the noise. The overall correction (row `at` of `overall`) rests on
    every label and needs no such assumption. The empirical-Bayes (Efron-Morris) estimate
    keeps each category's own correction as far as its spread around the overall one
    exceeds its noise, with one factor B = (m - 2) * mean variance / sum of squared
    deviations (m: corrections on both sides, less the two centres; B in [0, 1]) for both
    models, so the difference of the two shrunk rates is the shrunk difference. Intervals
    and tests use its conservative per-category mean squared error (`_shrunk`). Fewer than
    five categories: no shrinkage.
    """
    keep = np.asarray(members, dtype=bool) & (groups.pairs > 0) & ~np.isnan(groups.delta)
    sides = (("original", groups.original_judged, groups.original_judged_var, groups.original_se),
             ("suspect", groups.suspect_judged, groups.suspect_judged_var, groups.suspect_se))
    raw = {"original": _unclipped(groups, "original"), "suspect": _unclipped(groups, "suspect")}
    centers = {name: float(raw_rate - judged_rate) for name, raw_rate, judged_rate in (
        ("original", _unclipped(overall, "original")[at], overall.original_judged[at]),
        ("suspect", _unclipped(overall, "suspect")[at], overall.suspect_judged[at]))}
    if keep.sum() < 5:
        return groups
    dims = 2 * int(keep.sum()) - 2
    deviations = np.concatenate([(raw[name] - judged - centers[name])[keep] for name, judged, _, _ in sides])
    variances = np.concatenate([se[keep] ** 2 for _, _, _, se in sides])
    spread = float(np.sum(deviations**2))
    factor = 1.0 if spread <= 0 else float(min(1.0, (dims - 2.0) * np.mean(variances) / spread))
    out: dict[str, np.ndarray] = {}
    for name, judged, judged_var, se in sides:
        centre_var = (overall.original_se if name == "original" else overall.suspect_se)[at] ** 2
        estimate, mse = _shrunk(judged, raw[name], se**2, judged_var, centers[name], centre_var, factor)
        out[f"{name}_rate"] = np.where(keep, np.clip(estimate, 0.0, 1.0), getattr(groups, f"{name}_rate"))
        out[f"{name}_se"] = np.where(keep, np.sqrt(mse), se)
    delta_judged = groups.suspect_judged - groups.original_judged
    delta_center = centers["suspect"] - centers["original"]
    _, delta_mse = _shrunk(delta_judged, raw["suspect"] - raw["original"], groups.se**2, groups.delta_judged_var,
                           delta_center, overall.se[at] ** 2, factor)
    return replace(
        groups,
        original_rate=out["original_rate"], suspect_rate=out["suspect_rate"],
        original_se=out["original_se"], suspect_se=out["suspect_se"],
        delta=np.where(keep, out["suspect_rate"] - out["original_rate"], groups.delta),
        se=np.where(keep, np.sqrt(delta_mse), groups.se),
        shrinkage=factor,
    )


def _unclipped(groups: GroupEstimates, side: str) -> np.ndarray:
    return getattr(groups, f"{side}_unclipped")
