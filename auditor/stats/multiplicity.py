"""Multiplicity adjustment across the comparisons of one report.

A report tests every category at once; without adjustment, one category in twenty
would look "significant" by chance alone. Holm (the default) controls the chance of
any false `lost`/`weakened` verdict; Benjamini-Hochberg controls the expected share of
false ones and is less conservative. Both are statsmodels' `multipletests` ("holm",
"fdr_bh") written out in numpy (tests check them against statsmodels): importing
statsmodels' multiple-testing module costs about a second of every report's start-up.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

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
    corrected = _holm(values) if sm_method == "holm" else _benjamini_hochberg(values)
    for i, value in zip(present, corrected):
        adjusted[i] = float(min(1.0, value))
    return adjusted


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (statsmodels `multipletests(method="holm")`)."""
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    adjusted = np.minimum(np.maximum.accumulate(p[order] * np.arange(m, 0, -1)), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg step-up adjusted p-values (statsmodels `multipletests(method="fdr_bh")`)."""
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    raw = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out
