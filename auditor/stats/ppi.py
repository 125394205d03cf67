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
real, and borrow the overall one when it is noise. 5. (`rectify`) A judge can also err
in one category far more than in the others (it misreads one kind of answer that one
category is full of); pooled error rates cannot see that, however many answers are
reviewed. So each category's estimate is weighed against the design-based difference
estimator of that category alone (`_difference_estimate`: cell rates as predictions plus
the weighted mean of the category's own reviewed residuals, PPI per category), by an
empirical-Bayes weight that grows with how far categories really depart from the pooled
model. The simulation benchmark
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
    spread: np.ndarray  # the Bernoulli variance of people's labels within the cell (Jeffreys rate)


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
    return Calibration(rate=rate, variance=variance, labelled=labelled, spread=jeffreys * (1.0 - jeffreys))


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
    # the design-based per-group estimate (`_difference_estimate`) and its variances, for `rectify`
    original_direct: np.ndarray
    suspect_direct: np.ndarray
    original_direct_var: np.ndarray
    suspect_direct_var: np.ndarray
    delta_direct_var: np.ndarray
    original_review_var: np.ndarray
    suspect_review_var: np.ndarray
    original_review_covered: np.ndarray
    suspect_review_covered: np.ndarray
    shrinkage: float = 0.0  # B of `shrink` (0: the inverted estimates as they are)
    weight_direct: np.ndarray | None = None  # per group, B of `rectify` (None: not applied)

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


@dataclass(frozen=True)
class _Direct:
    """One side's design-based estimate per group: estimate, its review-sampling variance, per-answer values and their Bernoulli spread."""

    estimate: np.ndarray
    review_var: np.ndarray
    value: np.ndarray
    bernoulli: np.ndarray
    covered: np.ndarray  # every cell the group's answers fall in has reviewed answers


def _difference_estimate(group: np.ndarray, cell: np.ndarray, human: np.ndarray, calibration: Calibration, cell_sizes: np.ndarray,
                         stratum: np.ndarray, n_groups: int, size: np.ndarray) -> _Direct:
    """The difference (GREG) estimator of a group's human refusal rate, which assumes nothing about how the judge errs.

    Every answer is predicted at its cell's human rate; the group's prediction is then
    corrected by the Horvitz-Thompson mean of its own reviewed answers' residuals (person
    minus prediction, weight N_h / n_h): prediction-powered inference with the cell rates as
    the predictions, per group. Unbiased for the group whatever the judge does in it, but
    noisy with few reviewed answers. Its review-sampling variance is the domain variance of
    simple random sampling within cells, sum_h N_h^2 (1 - n_h / N_h) / n_h * (N_gh / N_h) s_h^2
    / n_g^2, with the within-cell spread s_h^2 of people's labels taken from the whole cell
    (Jeffreys rate): stable with one or two reviewed answers in the group. A cell nobody
    reviewed contributes its full share (N_gh / n_g)^2 s_h^2. Facts (provider blocks) are 1.
    """
    fact = stratum[cell] < 0
    prediction = np.where(fact, 1.0, calibration.rate[cell])
    labelled = ~np.isnan(human) & ~fact
    reviewed = calibration.labelled[cell]
    weight = np.where(labelled, cell_sizes[cell] / np.maximum(reviewed, 1.0), 0.0)
    residual = np.where(labelled, np.nan_to_num(human) - prediction, 0.0)
    estimate = (np.bincount(group, weights=prediction, minlength=n_groups) + np.bincount(group, weights=weight * residual, minlength=n_groups)) / size
    n_cells = len(cell_sizes)
    share = np.bincount(group[~fact] * n_cells + cell[~fact], minlength=n_groups * n_cells).reshape(n_groups, n_cells).astype(float)
    n_h, big_n = calibration.labelled, np.maximum(cell_sizes, 1.0)
    per_answer = np.where(n_h > 0, big_n * np.clip(1.0 - n_h / big_n, 0.0, 1.0) / np.maximum(n_h, 1.0) * calibration.spread, 0.0)
    unreviewed = np.where(n_h > 0, 0.0, calibration.spread)
    review_var = (share @ per_answer + (share**2) @ unreviewed) / size**2
    value = np.where(labelled, np.nan_to_num(human), prediction)
    bernoulli = np.where(labelled | fact, 0.0, prediction * (1.0 - prediction))
    return _Direct(estimate, review_var, value, bernoulli, covered=(share @ (n_h == 0).astype(float)) == 0)


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
    o_direct = _difference_estimate(group, original_cell, original_human, calibration, cell_sizes, stratum, n_groups, size)
    s_direct = _difference_estimate(group, suspect_cell, suspect_human, calibration, cell_sizes, stratum, n_groups, size)
    # prompt sampling for the direct estimates: the spread of per-prompt values (people's labels where
    # reviewed, cell rates elsewhere, with their Bernoulli variance), paired for the difference
    _, o_prompt_var = mean_and_var(o_direct.value)
    _, s_prompt_var = mean_and_var(s_direct.value)
    _, d_prompt_var = mean_and_var(s_direct.value - o_direct.value)
    o_direct_bern = np.bincount(group, weights=o_direct.bernoulli, minlength=n_groups) / size**2
    s_direct_bern = np.bincount(group, weights=s_direct.bernoulli, minlength=n_groups) / size**2
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
        original_direct=o_direct.estimate,
        suspect_direct=s_direct.estimate,
        original_direct_var=o_direct.review_var + o_prompt_var + o_direct_bern,
        suspect_direct_var=s_direct.review_var + s_prompt_var + s_direct_bern,
        delta_direct_var=o_direct.review_var + s_direct.review_var + d_prompt_var + o_direct_bern + s_direct_bern,
        original_review_var=o_direct.review_var,
        suspect_review_var=s_direct.review_var,
        original_review_covered=o_direct.covered,
        suspect_review_covered=s_direct.covered,
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


def rectify(groups: GroupEstimates, members: np.ndarray) -> GroupEstimates:
    """Weigh each category's model-based estimate against its design-based one by how far categories really depart from the model.

    The inverted (and shrunk) estimate assumes the judge errs alike in every category of a
    model; a judge that misreads one kind of answer (say, "I cannot answer that" taken for
    compliance) errs far more in the categories full of it, and no amount of review shows
    this to an estimator that pools error rates. The difference estimator
    (`_difference_estimate`) needs no such assumption but is noisy. Per category, D = direct
    minus model-based estimate; across the member categories (both models, where every cell
    of the category's answers was reviewed) the variance of the true departures is tau^2 =
    max(0, mean(D^2 - V)) (method of moments, V: the direct estimate's review-sampling
    variance), and a category's estimate moves by B = tau^2 / (tau^2 + V) of its D (one B
    per category for both models, V their mean, so the difference of the two rates is the
    weighted difference). tau^2 = 0 keeps the model-based estimates; a large
    tau^2 the direct ones. The standard error is the conservative sum (1 - B) * sqrt(max(MSE
    of the model-based estimate, D^2)) + B * sd(direct), which needs no independence between
    the two. Fewer than five member categories: tau^2 cannot be estimated and the direct
    estimates are used (B = 1).
    """
    keep = np.asarray(members, dtype=bool) & (groups.pairs > 0) & ~np.isnan(groups.delta)
    d_original = groups.original_direct - groups.original_rate
    d_suspect = groups.suspect_direct - groups.suspect_rate
    # only a side whose every cell was reviewed says anything about departures (a partly labelled file may leave cells empty)
    seen_o, seen_s = keep & groups.original_review_covered, keep & groups.suspect_review_covered
    seen = seen_o.astype(float) + seen_s
    review_var = np.where(seen > 0, (np.where(seen_o, groups.original_review_var, 0.0) + np.where(seen_s, groups.suspect_review_var, 0.0)) / np.maximum(seen, 1.0), np.inf)
    if keep.sum() >= 5:
        excess = np.concatenate([(d_original**2 - groups.original_review_var)[seen_o], (d_suspect**2 - groups.suspect_review_var)[seen_s]])
        tau2 = max(0.0, float(np.mean(excess))) if len(excess) else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            weight = np.where(np.isinf(review_var), 0.0, np.where(tau2 + review_var > 0, tau2 / (tau2 + review_var), 1.0))
    else:
        weight = np.ones(len(groups.pairs))
    weight = np.where(keep, weight, 0.0)

    def combined(model_rate, model_se, departure, review_var, direct_var):
        estimate = model_rate + weight * departure
        # D^2 - V estimates the model-based estimate's own squared error (its bias included)
        model_mse = np.maximum(model_se**2, departure**2 - review_var)
        se = (1.0 - weight) * np.sqrt(model_mse) + weight * np.sqrt(np.maximum(direct_var, 0.0))
        return estimate, se

    o_rate, o_se = combined(groups.original_rate, groups.original_se, d_original, groups.original_review_var, groups.original_direct_var)
    s_rate, s_se = combined(groups.suspect_rate, groups.suspect_se, d_suspect, groups.suspect_review_var, groups.suspect_direct_var)
    o_rate, s_rate = np.clip(o_rate, 0.0, 1.0), np.clip(s_rate, 0.0, 1.0)
    _, d_se = combined(groups.delta, groups.se, d_suspect - d_original, groups.original_review_var + groups.suspect_review_var, groups.delta_direct_var)
    return replace(
        groups,
        original_rate=np.where(keep, o_rate, groups.original_rate), suspect_rate=np.where(keep, s_rate, groups.suspect_rate),
        original_se=np.where(keep, o_se, groups.original_se), suspect_se=np.where(keep, s_se, groups.suspect_se),
        delta=np.where(keep, s_rate - o_rate, groups.delta), se=np.where(keep, d_se, groups.se),
        # groups outside `members` keep the weight an earlier call gave them (one call per variant)
        weight_direct=np.where(keep, weight, groups.weight_direct if groups.weight_direct is not None else 0.0),
    )


def _unclipped(groups: GroupEstimates, side: str) -> np.ndarray:
    return getattr(groups, f"{side}_unclipped")
