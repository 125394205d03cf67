"""The paired statistics against published reference values and independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from auditor.errors import ConfigError
from auditor.stats import PairedCounts, adjust_pvalues, compare_counts, correction_label, mcnemar_exact_p, newcombe_paired_ci
from auditor.stats.paired import mcnemar_exact_p_arrays, newcombe_paired_ci_arrays
from auditor.stats.power import pairs_for_power
from auditor.verdicts import Thresholds, table_classifier


def test_newcombe_interval_matches_published_example() -> None:
    # Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables" (2017), ch. 8:
    # Cavo et al. (2012) table [[59, 6], [16, 80]] -> Newcombe square-and-add interval for
    # p(row) - p(col): -0.0621 (95% CI -0.1186 to -0.0046). Our difference is col - row.
    counts = PairedCounts(both=59, original_only=6, suspect_only=16, neither=80)
    low, high = newcombe_paired_ci(counts)
    assert (round(low, 4), round(high, 4)) == (0.0046, 0.1186)
    assert compare_counts(counts).delta == pytest.approx(10 / 161)


@pytest.mark.parametrize("cells", [(30, 0, 0, 0), (0, 0, 0, 30), (5, 25, 0, 0), (10, 3, 4, 13), (1, 1, 7, 12), (0, 12, 0, 0)])
def test_interval_contains_estimate_and_mirrors(cells: tuple[int, int, int, int]) -> None:
    a, b, c, d = cells
    result = compare_counts(PairedCounts(a, b, c, d))
    assert -1.0 <= result.ci_low <= result.delta <= result.ci_high <= 1.0
    mirrored = compare_counts(PairedCounts(a, c, b, d))  # swap the models: the interval flips sign
    assert mirrored.ci_low == pytest.approx(-result.ci_high) and mirrored.ci_high == pytest.approx(-result.ci_low)


def test_vectorised_interval_equals_scalar() -> None:
    tables = np.array([(59, 6, 16, 80), (30, 0, 0, 0), (5, 25, 0, 0), (2, 3, 4, 1)])
    lows, highs = newcombe_paired_ci_arrays(*tables.T)
    for (a, b, c, d), low, high in zip(tables, lows, highs):
        assert (low, high) == pytest.approx(newcombe_paired_ci(PairedCounts(a, b, c, d)))


@pytest.mark.parametrize("b,c", [(0, 0), (1, 5), (3, 3), (10, 0), (7, 19), (40, 25)])
def test_exact_mcnemar_is_the_binomial_test_on_discordant_pairs(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
    assert mcnemar_exact_p(PairedCounts(10, b, c, 10)) == pytest.approx(expected)
    assert float(mcnemar_exact_p_arrays(np.array([b]), np.array([c]))[0]) == pytest.approx(expected)


def test_holm_and_benjamini_hochberg_adjustments() -> None:
    assert adjust_pvalues([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_pvalues([0.01, 0.04, 0.03], "bh") == pytest.approx([0.03, 0.04, 0.04])
    assert adjust_pvalues([0.01, None, 0.02], "holm") == [pytest.approx(0.02), None, pytest.approx(0.02)]
    assert "Holm" in correction_label("holm") and "Benjamini" in correction_label("benjamini-hochberg")
    with pytest.raises(ConfigError, match="unknown multiplicity correction"):
        adjust_pvalues([0.1], "bonferonni")


def test_power_gives_a_finite_deterministic_figure_even_without_discordant_pairs() -> None:
    classify = table_classifier(Thresholds(), tests=10)
    concordant = PairedCounts(30, 0, 0, 0)
    first = pairs_for_power(concordant, classify, seed=1)
    assert first is not None and first.extra_pairs is not None and first.extra_pairs > 0
    assert first.power >= 0.8
    assert first == pairs_for_power(concordant, classify, seed=1)
    # a Wilson interval at 100% only clears a 10-point margin from 35 pairs on, so fewer cannot be enough
    assert first.total_pairs >= 35
    assert pairs_for_power(PairedCounts(0, 0, 0, 0), classify) is None


def test_power_needs_more_pairs_for_a_smaller_effect() -> None:
    classify = table_classifier(Thresholds(), tests=10)
    big = pairs_for_power(PairedCounts(20, 6, 1, 3), classify, seed=3)
    small = pairs_for_power(PairedCounts(20, 3, 1, 6), classify, seed=3)
    assert big.total_pairs < small.total_pairs


def test_thresholds_reject_nonsense() -> None:
    with pytest.raises(ConfigError, match="alpha"):
        Thresholds(alpha=1.5)
    with pytest.raises(ConfigError, match="lost-drop"):
        Thresholds(lost_drop=0)
    with pytest.raises(ConfigError, match="correction"):
        Thresholds(correction="sidak")
