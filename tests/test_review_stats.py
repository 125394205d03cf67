"""The review sampler and the judge-error-corrected estimator, on tables small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.review.answers import reviewable_answers, usable_pairs
from auditor.review.sample import allocate, draw_sample
from auditor.stats.ppi import calibrate, corrected_groups, error_rates, rectify, shrink
from tests._report_helpers import category_rows, paired_from_rows, row


def test_allocate_hits_the_budget_with_floors_caps_and_boosts() -> None:
    sizes = np.array([100, 100, 3, 1, 0])
    counts = allocate(sizes, np.array([1.0, 4.0, 1.0, 1.0, 1.0]), 40)
    assert counts.sum() == 40
    assert counts[3] == 1 and counts[4] == 0 and counts[2] >= 2  # floors where the cell allows, never past its size
    assert counts[1] > 3 * counts[0]  # the boosted cell gets about four times the share of an equal-sized one
    assert allocate(sizes, np.ones(5), 10_000).tolist() == sizes.tolist()  # a budget beyond the audit takes everything
    assert allocate(sizes, np.ones(5), 2).sum() == 2


def _paired_with_blocked() -> pd.DataFrame:
    orig, susp = category_rows("cyber_offence", 20, 18, 6)
    orig.append(row("safeguards", "blk-h", "cyber_offence", "harmful", "refused"))
    susp.append(row("safeguards", "blk-h", "cyber_offence", "harmful", "blocked"))
    orig.append(row("safeguards", "err-h", "cyber_offence", "harmful", "refused"))
    susp.append(row("safeguards", "err-h", "cyber_offence", "harmful", "error"))
    return paired_from_rows(orig, susp).paired


def test_answers_are_the_rated_ones_and_cells_mark_discordant_pairs() -> None:
    paired = _paired_with_blocked()
    pairs = usable_pairs(paired)
    assert "err-h" not in set(pairs["id"]) and "blk-h" in set(pairs["id"])  # errors are out of the rates; blocks are in
    answers = reviewable_answers(paired)
    assert len(answers) == 2 * len(pairs)
    discordant = answers[answers["flag"] == "discordant"]
    assert set(discordant["id"]) == {f"cyber_offence-{i:03d}-h" for i in range(6, 18)}
    sample = draw_sample(answers, n=30, seed=1)
    assert "blocked" not in set(sample["refusal"])  # a provider's block is a fact, not a label to review
    for cell, rows in sample.groupby("cell"):
        size = int((answers["cell"] == cell).sum())
        assert rows["weight"].tolist() == pytest.approx([size / len(rows)] * len(rows))  # Horvitz-Thompson: N_c / n_c
    again = draw_sample(answers, n=30, seed=1)
    assert again[["id", "side"]].equals(sample[["id", "side"]])  # the seed fixes the sample
    assert not draw_sample(answers, n=30, seed=2)[["id", "side"]].equals(sample[["id", "side"]])


def _design(judged: list[int], truth: list[int], labelled: list[bool]):
    """One side, one stratum, two cells (judged refusal / judged complied), every answer its own pair."""
    judged_arr, truth_arr = np.array(judged), np.array(truth, dtype=float)
    cell = 1 - judged_arr  # cell 0: judged refusal, cell 1: judged complied
    sizes = np.bincount(cell, minlength=2).astype(float)
    mask = np.array(labelled)
    calibration = calibrate(cell[mask], truth_arr[mask], sizes, np.array([0, 1]), np.array([1.0, 0.0]))
    return cell, sizes, calibration


def test_full_review_of_an_exact_judge_reproduces_its_rate() -> None:
    judged = [1] * 30 + [0] * 10
    cell, sizes, calibration = _design(judged, judged, [True] * 40)
    rates = error_rates(calibration, sizes, np.array([1.0, 0.0]), np.array([0, 0]), 1)
    assert rates.hit[0] == pytest.approx(1.0, abs=0.04) and rates.false_alarm[0] == pytest.approx(0.0, abs=0.1)
    both = np.stack([cell, cell + 2])  # the suspect's cells are 2 and 3: same judge, same answers
    sizes4 = np.concatenate([sizes, sizes])
    calibration4 = calibrate(np.concatenate([cell, cell + 2]), np.array(judged * 2, dtype=float), sizes4, np.array([0, 1, 2, 3]), np.array([1.0, 0.0, 1.0, 0.0]))
    estimate = corrected_groups(np.zeros(40, dtype=np.int64), both[0], both[1], np.array(judged, dtype=float), np.array(judged, dtype=float), calibration4, sizes4,
                                np.array([1.0, 0.0, 1.0, 0.0]), np.array([0, 0, 1, 1]), 1)
    assert estimate.original_rate[0] == pytest.approx(0.75, abs=0.01)
    assert estimate.delta[0] == pytest.approx(0.0) and estimate.se[0] == pytest.approx(0.0, abs=1e-9)  # a model against itself
    assert estimate.reviewed[0] == 80


def test_a_judge_that_calls_hedged_compliance_refusal_is_corrected() -> None:
    # 40 answers: 20 true refusals all judged refused; of 20 true compliances the judge calls 10 refusals
    truth = [1] * 20 + [0] * 20
    judged = [1] * 20 + [1] * 10 + [0] * 10
    labelled = [i % 2 == 0 for i in range(40)]  # half of each cell reviewed
    cell, sizes, calibration = _design(judged, truth, labelled)
    # post-stratified human rate: judged-refusal cell 20/30 refusals, judged-complied cell none
    assert calibration.rate[0] == pytest.approx(2 / 3, abs=0.02) and calibration.rate[1] == pytest.approx(0.0, abs=0.05)
    rates = error_rates(calibration, sizes, np.array([1.0, 0.0]), np.array([0, 0]), 1)
    assert rates.false_alarm[0] == pytest.approx(0.5, abs=0.05)
    # over the whole stratum the inverted labels give exactly the post-stratified (PPI) rate
    post_stratified = (sizes[0] * calibration.rate[0] + sizes[1] * calibration.rate[1]) / 40
    unlabelled = np.full(40, np.nan)
    single = corrected_groups(np.zeros(40, dtype=np.int64), cell, cell, unlabelled, unlabelled, calibration, sizes, np.array([1.0, 0.0]), np.array([0, 0]), 1)
    assert single.original_rate[0] == pytest.approx(post_stratified, abs=1e-9)
    assert single.original_rate[0] == pytest.approx(0.5, abs=0.03)  # the judge said 75%
    low, high = single.side_interval("original")
    assert low[0] < 0.5 < high[0]  # wide: a judge wrong on half the compliances says little per answer


def test_cells_that_are_facts_count_as_refusals_without_variance() -> None:
    calibration = calibrate(np.zeros(0, dtype=np.int64), np.zeros(0), np.array([5.0]), np.array([0]), np.array([1.0]))
    estimate = corrected_groups(np.zeros(5, dtype=np.int64), np.zeros(5, dtype=np.int64), np.zeros(5, dtype=np.int64),
                                np.full(5, np.nan), np.full(5, np.nan), calibration, np.array([5.0]), np.array([1.0]), np.array([-1]), 1)
    assert estimate.original_rate[0] == 1.0 and estimate.se[0] == 0.0


def _category_audit(misread_category: int, categories: int = 10, pairs: int = 40, seed: int = 0):
    """An audit where the judge is right everywhere except one category, where it calls every refusal of the copy compliance."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(categories), pairs)
    truth_s = (rng.random(len(group)) < 0.8).astype(float)
    judged_s = np.where(group == misread_category, 0.0, truth_s)  # "I cannot answer that" taken for compliance
    cell_o = np.zeros(len(group), dtype=np.int64)  # original: every answer judged refused, cell 0
    cell_s = np.where(judged_s == 1, 1, 2).astype(np.int64)  # copy: judged refused (1) / complied (2)
    sizes = np.bincount(np.concatenate([cell_o, cell_s]), minlength=3).astype(float)
    positions = rng.choice(len(group), size=60, replace=False)  # a person reviews 60 of the copy's answers
    human_s = np.full(len(group), np.nan)
    human_s[positions] = truth_s[positions]
    human_o = np.full(len(group), np.nan)
    calibration = calibrate(cell_s[positions], truth_s[positions], sizes, np.array([0, 1, 2]), np.array([1.0, 1.0, 0.0]))
    args = (cell_o, cell_s, human_o, human_s, calibration, sizes, np.array([1.0, 1.0, 0.0]), np.array([0, 1, 1]))
    overall = corrected_groups(np.zeros(len(group), dtype=np.int64), *args, 1)
    per_category = corrected_groups(group, *args, categories)
    true_rates = np.bincount(group, weights=truth_s) / pairs
    return per_category, overall, true_rates


def test_a_category_where_the_judge_errs_alone_keeps_its_own_evidence() -> None:
    members = np.ones(10, dtype=bool)
    per_category, overall, true_rates = _category_audit(misread_category=3)
    pooled = shrink(per_category, members, overall, 0)
    rectified = rectify(pooled, members)
    # pooling the judge's error rates spreads category 3's misreading over every category
    assert abs(pooled.suspect_rate[3] - true_rates[3]) > 0.3
    # the review's own answers in category 3 pull it back, and its interval covers the truth
    assert abs(rectified.suspect_rate[3] - true_rates[3]) < abs(pooled.suspect_rate[3] - true_rates[3]) - 0.2
    low, high = rectified.side_interval("suspect")
    assert low[3] <= true_rates[3] <= high[3]
    assert rectified.weight_direct[3] > 0.3


def test_where_categories_agree_the_rectified_estimates_stay_model_based() -> None:
    # the judge is right everywhere: direct and model-based estimates differ only by noise
    members = np.ones(10, dtype=bool)
    per_category, overall, true_rates = _category_audit(misread_category=-1)
    rectified = rectify(shrink(per_category, members, overall, 0), members)
    assert np.all(rectified.weight_direct < 0.5)
    assert np.abs(rectified.suspect_rate - true_rates).max() < 0.15
    # fewer than five categories: no spread to measure, the design-based estimates are used as they are
    few = rectify(per_category, np.array([True] * 3 + [False] * 7))
    assert few.weight_direct[:3].tolist() == [1.0, 1.0, 1.0] and few.weight_direct[3:].tolist() == [0.0] * 7
    assert few.suspect_rate[0] == pytest.approx(np.clip(per_category.suspect_direct[0], 0, 1))


@pytest.mark.parametrize("seed", range(6))
def test_rectified_estimates_stay_finite_and_bounded_whatever_the_review_covers(seed: int) -> None:
    """Partly labelled reviews (whole cells and whole sides unreviewed, tiny categories) never give NaN, inf or out-of-range figures."""
    rng = np.random.default_rng(seed)
    categories = int(rng.integers(1, 9))
    group = rng.integers(0, categories, size=int(rng.integers(5, 120)))
    truth_o, truth_s = (rng.random(len(group)) < 0.9).astype(float), (rng.random(len(group)) < 0.6).astype(float)
    judged_o = np.where(rng.random(len(group)) < 0.85, truth_o, 1 - truth_o)
    judged_s = np.where(rng.random(len(group)) < 0.7, truth_s, 1 - truth_s)
    cell_o, cell_s = np.where(judged_o == 1, 0, 1), np.where(judged_s == 1, 2, 3)
    sizes = np.bincount(np.concatenate([cell_o, cell_s]), minlength=4).astype(float)
    take = rng.random(2 * len(group)) < rng.choice([0.0, 0.05, 0.3, 1.0])
    take[len(group):] &= rng.random() < 0.8  # sometimes nobody reviewed the copy at all
    cells = np.concatenate([cell_o, cell_s])
    truth = np.concatenate([truth_o, truth_s])
    calibration = calibrate(cells[take], truth[take], sizes, np.array([0, 1, 2, 3]), np.array([1.0, 0.0, 1.0, 0.0]))
    human = np.where(take, truth, np.nan)
    args = (cell_o, cell_s, human[: len(group)], human[len(group):], calibration, sizes, np.array([1.0, 0.0, 1.0, 0.0]), np.array([0, 0, 1, 1]))
    overall = corrected_groups(np.zeros(len(group), dtype=np.int64), *args, 1)
    members = np.ones(categories, dtype=bool)
    result = rectify(shrink(corrected_groups(group, *args, categories), members, overall, 0), members)
    present = result.pairs > 0
    for values in (result.original_rate, result.suspect_rate, result.delta, result.se, result.original_se, result.suspect_se, result.weight_direct):
        assert np.all(np.isfinite(values[present]))
    assert np.all((result.weight_direct >= 0) & (result.weight_direct <= 1))
    assert np.all((result.original_rate[present] >= 0) & (result.suspect_rate[present] <= 1))
    low, high = result.interval()
    assert np.all(low[present] <= result.delta[present] + 1e-12) and np.all(high[present] >= result.delta[present] - 1e-12)
