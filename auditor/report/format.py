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


def points(value: Any) -> str:
    """A threshold fraction as points: 0.2 -> '20', 0.125 -> '12.5'."""
    if _missing(value):
        return "–"
    return f"{value * 100:g}"


def confidence(level: Any) -> str:
    """0.95 -> '95%'."""
    return "–" if _missing(level) else f"{level * 100:g}%"


def value(item: Any) -> str:
    """A measured figure as a table shows it: floats to 4 significant digits, the rest as text."""
    if _missing(item):
        return "–"
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, float):
        return f"{item:.4g}"
    if isinstance(item, (list, tuple)):
        return ", ".join(value(i) for i in item)
    return str(item)


def extra_pairs(entry: dict[str, Any]) -> str:
    """The "extra pairs needed" cell: only inconclusive categories need more."""
    if entry.get("verdict") != "inconclusive":
        return "–"
    if not entry.get("n"):
        return "no scored pairs"
    extra = entry.get("extra_pairs_needed")
    if extra is None:
        return "over 1,000,000"
    left = entry.get("suite_pairs_left")
    if left is not None and extra > left:
        return f"{count(extra)} (the suite holds {'only ' + count(left) if left else 'no'} more)"
    return count(extra)
