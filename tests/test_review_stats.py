"""The review sampler and the judge-error-corrected estimator, on tables small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.review.answers import reviewable_answers, usable_pairs
from auditor.review.sample import allocate, draw_sample
from auditor.stats.ppi import calibrate, corrected_groups, error_rates
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
