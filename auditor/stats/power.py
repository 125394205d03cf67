"""How many more paired prompts an inconclusive comparison would need.

"Inconclusive" is only useful with a number attached: the reader must know whether
ten or ten thousand more prompts would settle it. The number here is the power of the
report's own decision rule (paired interval + exact McNemar test + thresholds), not of
a textbook approximation: tables of N pairs are drawn (numpy's multinomial) from the
observed cell proportions, the verdict rule is applied to each, and N is the smallest
size at which at least 80% of draws give a decisive verdict. A normal-approximation
formula would be simpler but is badly wrong exactly where audits live, with refusal
rates near 100% and few discordant pairs.

Half a pair is added to each discordant cell before drawing, so a comparison where the
two models never disagreed is not assumed to be perfectly concordant forever (which
would make the figure optimistic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from auditor.stats.paired import PairedCounts

POWER = 0.8
SIMULATIONS = 2000
MAX_PAIRS = 1_000_000

# classify(a, b, c, d) -> integer verdict codes, 0 meaning "inconclusive"
Classifier = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PowerResult:
    """Pairs needed for a decisive verdict with 80% probability, if the observed proportions hold."""

    extra_pairs: int | None  # None: more than MAX_PAIRS would be needed
    total_pairs: int | None
    likely_code: int | None  # the decisive verdict code most draws gave at that size
    power: float


def _draw(probs: np.ndarray, size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    tables = rng.multinomial(size, probs, size=SIMULATIONS)
    return tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3]


def pairs_for_power(counts: PairedCounts, classify: Classifier, seed: int = 0, power: float = POWER) -> PowerResult | None:
    """Smallest number of pairs at which `classify` is decisive in `power` of simulated tables."""
    n = counts.n
    if n == 0:
        return None
    cells = np.array(counts.as_tuple(), dtype=float)
    cells[1] += 0.5
    cells[2] += 0.5
    probs = cells / cells.sum()
    rng = np.random.default_rng(seed)
    cache: dict[int, tuple[float, int]] = {}

    def evaluate(size: int) -> tuple[float, int]:
        if size not in cache:
            codes = classify(*_draw(probs, size, rng))
            decisive = codes[codes != 0]
            share = len(decisive) / SIMULATIONS
            likely = int(np.bincount(decisive).argmax()) if len(decisive) else 0
            cache[size] = (share, likely)
        return cache[size]

    low, high = n, max(2 * n, n + 10)
    while evaluate(high)[0] < power:
        low, high = high, high * 2
        if high > MAX_PAIRS:
            return PowerResult(None, None, None, evaluate(low)[0])
    while high - low > max(1, low // 100):  # to within 1%: the figure is a planning estimate
        middle = (low + high) // 2
        if evaluate(middle)[0] >= power:
            high = middle
        else:
            low = middle
    share, likely = evaluate(high)
    return PowerResult(extra_pairs=high - n, total_pairs=high, likely_code=likely, power=share)
