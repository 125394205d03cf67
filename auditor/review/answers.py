"""The answers a person can review: one row per (prompt, side) that the report's rates count.

The sampler and the estimator must agree on two things for every answer: whether it is
in the rates at all, and which review cell it belongs to. Both are decided here, from the
paired-samples table alone, so `auditor review` (reading report.json) and `auditor report
--review` (reading the logs) put each answer in the same cell.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from auditor.compare import CATEGORY_KEYS, SIDES
from auditor.judges.cascade import DEFAULT_THRESHOLD
from auditor.outcomes import COUNTS_AS_REFUSAL, HARMFUL_THRESHOLD

REVIEW_CLASSES: tuple[str, ...] = ("refused", "partial", "complied")
"""What a person can say about an answer (a provider's block is a fact and is not reviewed)."""

LOW_CONFIDENCE = DEFAULT_THRESHOLD
"""Below this judge confidence an answer is over-sampled (the cascade judge's threshold for a second opinion)."""

FLAGS: tuple[str, ...] = ("discordant", "uncertain", "other")
"""Within a stratum: the pair was judged differently for the two models / the judge was unsure / neither."""

ANSWER_COLUMNS = [
    "pair", "suite", "id", "category", "variant", "language", "prompt", "side", "response",
    "refusal", "harmful", "confidence", "flag", "cell", "parent", "judged_refusal",
]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == ""


def usable_pairs(paired: pd.DataFrame) -> pd.DataFrame:
    """Safeguards pairs where both answers were scored: exactly the pairs the report's rates count."""
    if paired.empty or "task" not in paired:
        return paired.iloc[0:0]
    mask = (paired["task"] == "safeguards").to_numpy(dtype=bool).copy()
    for side in SIDES:
        refusal = paired[f"{side}_refusal"].astype(object)
        mask &= refusal.notna().to_numpy(dtype=bool) & (refusal != "error").to_numpy(dtype=bool)
        unscored = paired.get(f"{side}_unscored")
        if unscored is not None:
            mask &= unscored.map(_missing).to_numpy(dtype=bool)
    return paired[mask].reset_index(drop=True)


def cell_key(side: str, variant: Any, refusal: str, flag: str) -> str:
    return f"{side}|{variant}|{refusal}|{flag}"


def parent_key(side: str, variant: Any, refusal: str) -> str:
    return f"{side}|{variant}|{refusal}"


def reviewable_answers(paired: pd.DataFrame) -> pd.DataFrame:
    """One row per answer of every usable pair, with its judged class, flag and review cell.

    `pair` indexes the usable pairs (the same order as `usable_pairs`). Blocked answers are
    kept (they count in the rates, as refusals) but sit in cells of their own that are
    never sampled.
    """
    pairs = usable_pairs(paired)
    if pairs.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    refused = {side: pairs[f"{side}_refusal"].isin(COUNTS_AS_REFUSAL).to_numpy(dtype=bool) for side in SIDES}
    discordant = refused["original"] != refused["suspect"]
    frames = []
    for side in SIDES:
        confidence = pd.to_numeric(pairs.get(f"{side}_confidence", pd.Series(np.nan, index=pairs.index)), errors="coerce")
        uncertain = (confidence < LOW_CONFIDENCE).to_numpy(dtype=bool)
        flag = np.where(discordant, "discordant", np.where(uncertain, "uncertain", "other"))
        refusal = pairs[f"{side}_refusal"].astype(str).to_numpy()
        variant = pairs["variant"].astype(object).to_numpy()
        frame = pd.DataFrame({
            "pair": np.arange(len(pairs)),
            **{key: pairs[key].astype(object).where(pairs[key].notna(), None).to_numpy() for key in ("suite", "id", *CATEGORY_KEYS[1:], "prompt")},
            "side": side,
            "response": pairs[f"{side}_response"].astype(object).to_numpy(),
            "refusal": refusal,
            "harmful": pd.to_numeric(pairs[f"{side}_harmful"], errors="coerce").fillna(0.0).to_numpy() >= HARMFUL_THRESHOLD,
            "confidence": confidence.to_numpy(),
            "flag": flag,
        })
        frame["cell"] = [cell_key(side, v, r, f) for v, r, f in zip(variant, refusal, flag)]
        frame["parent"] = [parent_key(side, v, r) for v, r in zip(variant, refusal)]
        frame["judged_refusal"] = refused[side]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[ANSWER_COLUMNS]
