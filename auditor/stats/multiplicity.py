"""Multiplicity adjustment across the comparisons of one report.

A report tests every category at once; without adjustment, one category in twenty
would look "significant" by chance alone. Holm (the default) controls the chance of
any false `lost`/`weakened` verdict; Benjamini-Hochberg controls the expected share of
false ones and is less conservative. Both come from statsmodels.
"""

from __future__ import annotations

import gc
from typing import Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests

from auditor.errors import ConfigError

# option value -> (statsmodels method, name printed in reports)
CORRECTIONS: dict[str, tuple[str, str]] = {
    "holm": ("holm", "Holm (step-down, family-wise error rate)"),
    "bh": ("fdr_bh", "Benjamini-Hochberg (false discovery rate)"),
}


def correction_label(method: str) -> str:
    """The name of the correction as reports print it."""
    return resolve_correction(method)[1]


def resolve_correction(method: str) -> tuple[str, str]:
    """(statsmodels method, printed name) for an option value; a ConfigError names the choices."""
    key = method.lower().replace("-", "").replace("_", "")
    aliases = {"holm": "holm", "bh": "bh", "benjaminihochberg": "bh", "fdrbh": "bh"}
    if key not in aliases:
        raise ConfigError(f"unknown multiplicity correction '{method}'; use one of: {', '.join(CORRECTIONS)}")
    return CORRECTIONS[aliases[key]]


def adjust_pvalues(pvalues: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Adjusted p-values in input order; None (no test possible) stays None and is not counted."""
    sm_method, _ = resolve_correction(method)
    present = [i for i, p in enumerate(pvalues) if p is not None and not np.isnan(p)]
    adjusted: list[float | None] = [None] * len(pvalues)
    if not present:
        return adjusted
    values = np.array([pvalues[i] for i in present], dtype=float)
    # statsmodels' Holm branch calls gc.collect(); with an audit's logs in memory a full
    # collection takes seconds, so objects that already exist are frozen out of it
    gc.freeze()
    try:
        _, corrected, _, _ = multipletests(values, method=sm_method)
    finally:
        gc.unfreeze()
    for i, value in zip(present, corrected):
        adjusted[i] = float(min(1.0, value))
    return adjusted
