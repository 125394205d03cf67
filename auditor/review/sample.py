"""Draw the stratified review sample and record each answer's sampling weight.

Strata (review cells) are side x variant x judged class x flag; see `auditor.review.answers`.
A person's time is best spent where the judge is most likely wrong and where a mistake
would move a verdict, so cells of discordant pairs (the two models judged differently)
are over-sampled `DISCORDANT_BOOST` times and the judge's low-confidence answers
`UNCERTAIN_BOOST` times, relative to their share of the audit. Every cell gets at least
`MIN_PER_CELL` answers where the budget allows, so each cell's error rate is measured
rather than only borrowed. Within a cell the sample is simple random without replacement,
so every answer of the cell has inclusion probability n_c / N_c and its weight
(the Horvitz-Thompson weight, the inverse of that probability) is N_c / n_c.

The rows come back in random order, so a person who stops halfway has labelled a random
subsample of every cell, and a partially labelled file still gives unbiased estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.errors import AuditorError
from auditor.review.answers import REVIEW_CLASSES

DISCORDANT_BOOST = 4.0
UNCERTAIN_BOOST = 2.0
MIN_PER_CELL = 2
DEFAULT_SIZE = 150
BOOSTS = {"discordant": DISCORDANT_BOOST, "uncertain": UNCERTAIN_BOOST, "other": 1.0}


def allocate(sizes: np.ndarray, boosts: np.ndarray, n: int, minimum: int = MIN_PER_CELL) -> np.ndarray:
    """Answers to draw per cell: at least `minimum` each (budget allowing), the rest proportional to size x boost.

    The rest is handed out one answer at a time to the cell furthest below its
    proportional share (D'Hondt's rule), never beyond a cell's size; the total is
    exactly min(n, sum(sizes)).
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    priority = sizes * np.asarray(boosts, dtype=float)
    n = int(min(n, sizes.sum()))
    alloc = np.zeros(len(sizes), dtype=np.int64)
    order = np.argsort(-priority, kind="stable")
    for floor in range(1, minimum + 1):  # floors first, largest priority first, while the budget lasts
        for index in order:
            if alloc.sum() >= n:
                break
            if sizes[index] >= floor and alloc[index] < floor:
                alloc[index] = floor
    while alloc.sum() < n:
        open_cells = alloc < sizes
        quotient = np.where(open_cells, priority / (alloc + 1.0), -np.inf)
        alloc[int(np.argmax(quotient))] += 1
    return alloc


def sample_cells(cell: np.ndarray, boost: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(positions drawn, their weights) for answers with integer cell codes `cell` (-1: not eligible).

    `boost` holds each cell's over-sampling factor. Within a cell the draw is simple random
    without replacement; the positions come back in random order. The simulation benchmark
    calls this directly, so it measures the sampler the command uses.
    """
    cell = np.asarray(cell, dtype=np.int64)
    sizes = np.bincount(cell[cell >= 0], minlength=len(boost))
    counts = allocate(sizes, boost, n)
    picked: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for code in np.flatnonzero(counts):
        members = np.flatnonzero(cell == code)
        chosen = np.sort(rng.choice(members, size=int(counts[code]), replace=False))
        picked.append(chosen)
        weights.append(np.full(len(chosen), sizes[code] / counts[code], dtype=float))
    positions, weight = np.concatenate(picked), np.concatenate(weights)
    order = rng.permutation(len(positions))
    return positions[order], weight[order]


def draw_sample(answers: pd.DataFrame, n: int = DEFAULT_SIZE, seed: int = 0) -> pd.DataFrame:
    """The review sample: rows of `answers` with a `weight` column, in random order."""
    if n < 1:
        raise AuditorError(f"--n {n}: the review needs at least one answer")
    eligible = answers["refusal"].isin(REVIEW_CLASSES).to_numpy()
    if not eligible.any():
        raise AuditorError("this audit has no scored safeguard answers to review (every pair errored, was unscored or blocked)")
    cells = sorted(answers.loc[eligible, "cell"].unique())
    code = answers["cell"].map({c: k for k, c in enumerate(cells)}).where(eligible, -1).to_numpy(dtype=np.int64)
    flags = answers[eligible].drop_duplicates("cell").set_index("cell").loc[cells, "flag"]
    boost = np.array([BOOSTS[f] for f in flags])
    positions, weight = sample_cells(code, boost, n, np.random.default_rng(seed))
    sample = answers.iloc[positions].copy()
    sample["weight"] = weight
    return sample.reset_index(drop=True)
