"""Refusal rates of two models on the same prompts: difference, interval and exact test.

The two models answer the *same* prompts, so their refusals are correlated and an
independent-samples interval would be too wide (and its test too weak). The paired
interval here is Newcombe's hybrid score interval for paired proportions (method 10 of
Newcombe 1998, Stat Med 17:2635-50), built from statsmodels' Wilson intervals for each
model's rate; the test is the exact (binomial) McNemar test, which only looks at the
discordant pairs and so stays valid for the small counts a single category has.

Both are written over numpy arrays of 2x2 tables, because the power calculation
(auditor.stats.power) applies the same rules to thousands of simulated tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint


@dataclass(frozen=True)
class PairedCounts:
    """The 2x2 table of paired outcomes (True = refused).

    both: both refused; original_only: the original refused and the suspect did not
    (a lost refusal); suspect_only: the suspect refused and the original did not;
    neither: neither refused.
    """

    both: int
    original_only: int
    suspect_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.original_only + self.suspect_only + self.neither

    @property
    def original_count(self) -> int:
        return self.both + self.original_only

    @property
    def suspect_count(self) -> int:
        return self.both + self.suspect_only

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.both, self.original_only, self.suspect_only, self.neither)

    @classmethod
    def from_arrays(cls, original: np.ndarray, suspect: np.ndarray) -> "PairedCounts":
        o = np.asarray(original, dtype=bool)
        s = np.asarray(suspect, dtype=bool)
        return cls(
            both=int(np.count_nonzero(o & s)),
            original_only=int(np.count_nonzero(o & ~s)),
            suspect_only=int(np.count_nonzero(~o & s)),
            neither=int(np.count_nonzero(~o & ~s)),
        )


@dataclass(frozen=True)
class PairedResult:
    """Suspect-minus-original comparison of one set of paired prompts."""

    counts: PairedCounts
    original_rate: float | None
    suspect_rate: float | None
    delta: float | None  # suspect rate minus original rate; negative = the suspect refuses less
    ci_low: float | None
    ci_high: float | None
    p_value: float | None  # exact McNemar, two-sided


def wilson_interval(count, n, alpha: float = 0.05):
    """Wilson score interval for one proportion (statsmodels); scalars or arrays."""
    return proportion_confint(count, n, alpha=alpha, method="wilson")


def _phi(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Newcombe's continuity-corrected correlation between the two paired proportions.

    Zero when any margin is empty (the correlation is undefined) and, for positive
    association, shrunk by n/2 as in method 10, which keeps the interval from being too
    narrow when the two models agree on almost everything.
    """
    n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    cross = np.where(cross > n / 2, cross - n / 2, np.where(cross >= 0, 0.0, cross))
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(margins > 0, cross / np.sqrt(np.where(margins > 0, margins, 1.0)), 0.0)
    return phi


def newcombe_paired_ci_arrays(a, b, c, d, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised (1 - alpha) interval for suspect rate minus original rate (Newcombe 1998, method 10).

    a, b, c, d are the `PairedCounts` cells (both, original_only, suspect_only, neither);
    every table must have at least one pair.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = a + b + c + d
    orig, susp = a + b, a + c
    p_orig, p_susp = orig / n, susp / n
    lo_o, hi_o = wilson_interval(orig, n, alpha)
    lo_s, hi_s = wilson_interval(susp, n, alpha)
    phi = _phi(a, b, c, d)
    delta = p_susp - p_orig
    down = np.sqrt(np.maximum((p_susp - lo_s) ** 2 - 2 * phi * (p_susp - lo_s) * (hi_o - p_orig) + (hi_o - p_orig) ** 2, 0.0))
    up = np.sqrt(np.maximum((hi_s - p_susp) ** 2 - 2 * phi * (hi_s - p_susp) * (p_orig - lo_o) + (p_orig - lo_o) ** 2, 0.0))
    return np.maximum(-1.0, delta - down), np.minimum(1.0, delta + up)


def newcombe_paired_ci(counts: PairedCounts, alpha: float = 0.05) -> tuple[float, float]:
    """The paired interval for one table."""
    if counts.n == 0:
        raise ValueError("no pairs")
    low, high = newcombe_paired_ci_arrays(*counts.as_tuple(), alpha=alpha)
    return float(low), float(high)


def mcnemar_exact_p(counts: PairedCounts) -> float:
    """Two-sided exact McNemar p-value for one table (statsmodels)."""
    table = [[counts.both, counts.original_only], [counts.suspect_only, counts.neither]]
    return float(mcnemar(table, exact=True).pvalue)


def mcnemar_exact_p_arrays(b, c) -> np.ndarray:
    """Vectorised two-sided exact McNemar p-value from the discordant cells (scipy's binomial).

    Same definition as statsmodels' `mcnemar(exact=True)`: twice the smaller binomial
    tail of the discordant pairs under p = 1/2, capped at 1.
    """
    b, c = np.asarray(b), np.asarray(c)
    return np.minimum(1.0, 2.0 * binom.cdf(np.minimum(b, c), b + c, 0.5))


def compare_counts(counts: PairedCounts, alpha: float = 0.05) -> PairedResult:
    """Rates, difference, paired interval and exact test for one 2x2 table."""
    n = counts.n
    if n == 0:
        return PairedResult(counts, None, None, None, None, None, None)
    p_orig, p_susp = counts.original_count / n, counts.suspect_count / n
    low, high = newcombe_paired_ci(counts, alpha)
    return PairedResult(counts, p_orig, p_susp, p_susp - p_orig, low, high, mcnemar_exact_p(counts))


def compare_paired(original: np.ndarray, suspect: np.ndarray, alpha: float = 0.05) -> PairedResult:
    """As `compare_counts`, from two aligned boolean arrays (True = refused)."""
    return compare_counts(PairedCounts.from_arrays(original, suspect), alpha)
