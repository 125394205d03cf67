"""Number formatting shared by the HTML and Markdown reports, so both say the same thing."""

from __future__ import annotations

import math
from typing import Any


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: Any, digits: int = 1) -> str:
    """0.933 -> '93.3%'."""
    return "–" if _missing(value) else f"{value * 100:.{digits}f}%"


def pts(value: Any, digits: int = 1) -> str:
    """A difference of proportions in percentage points, signed: -0.3 -> '-30.0 pts'."""
    if _missing(value):
        return "–"
    return f"{value * 100:+.{digits}f} pts".replace("-", "−")


def interval(low: Any, high: Any, digits: int = 1) -> str:
    """[-0.48, -0.11] -> '−48.0 to −11.0 pts'."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{low * 100:+.{digits}f} to {high * 100:+.{digits}f} pts".replace("-", "−")


def pval(value: Any) -> str:
    """p-values as readers expect them: '<0.001', '0.031', '1.00'."""
    if _missing(value):
        return "–"
    if value < 0.001:
        return "<0.001"
    if value < 0.1:
        return f"{value:.3f}"
    return f"{value:.2f}"


def count(value: Any) -> str:
    return "–" if _missing(value) else f"{int(value):,}"
