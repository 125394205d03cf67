"""The HTML report's "Human review" section: what the template needs, including the side-by-side chart.

The chart puts each category's refusal rates as the judge counted them (left, with the
main chart's Wilson intervals) beside the rates corrected for the judge's measured
errors (right, with the corrected intervals, which also carry the review's own
uncertainty). It is drawn like the report's other charts and passes the same SVG check.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from markupsafe import Markup

from auditor.report.charts import _RC, ORIGINAL_COLOR, SUSPECT_COLOR, _interval, chart_label, check_svg

REVIEW_CLASSES = ("refused", "partial", "complied")


def _corrected_point(entry: dict[str, Any], side: str) -> tuple[float, float, float] | None:
    corrected = entry.get("corrected") or {}
    rate, bounds = corrected.get(f"{side}_refusal_rate"), corrected.get(f"{side}_ci")
    if rate is None or not bounds or None in bounds:
        return None
    return rate * 100, max(rate - bounds[0], 0.0) * 100, max(bounds[1] - rate, 0.0) * 100


def comparison_chart(rows: list[dict[str, Any]], alpha: float) -> str | None:
    """Uncorrected and corrected refusal rates per category, side by side, as checked inline SVG."""
    rows = [r for r in rows if r.get("n")]
    if not rows:
        return None
    with matplotlib.rc_context({**_RC, "svg.hashsalt": "review"}):
        fig = Figure(figsize=(10, 1.4 + 0.34 * len(rows)))
        axes = fig.subplots(1, 2, sharey=True)
        panels = (("As the judge labelled them", lambda r, s: _interval(r.get(f"{s}_refusal_rate"), int(r["n"]), alpha)),
                  ("Corrected for the judge's measured errors", _corrected_point))
        for ax, (title, point_of) in zip(axes, panels):
            for i, row in enumerate(rows):
                for offset, side, color, marker in ((-0.14, "original", ORIGINAL_COLOR, "o"), (0.14, "suspect", SUSPECT_COLOR, "D")):
                    point = point_of(row, side)
                    if point is None:
                        continue
                    x, minus, plus = point
                    ax.errorbar([x], [i + offset], xerr=[[minus], [plus]], fmt=marker, color=color, ms=5, capsize=2, lw=1,
                                label=side if i == 0 else None)
            ax.set_xlim(-2, 102)
            ax.set_xlabel("refusal rate, %")
            ax.set_title(title, loc="left", fontsize=9)
            ax.grid(axis="x", color="#dddddd", lw=0.6)
        axes[0].set_yticks(range(len(rows)))
        axes[0].set_yticklabels([chart_label(r.get("label")) for r in rows])
        axes[0].invert_yaxis()
        fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - 0.35 / fig.get_figheight()))
        fig.legend(*axes[0].get_legend_handles_labels(), loc="upper right", ncol=2, fontsize=8, frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return check_svg(buffer.getvalue())


def _confusion(agreement: dict[str, Any]) -> list[tuple[str, list[int]]]:
    matrix = agreement.get("confusion") or {}
    return [(name, [int((matrix.get(f"label {name}") or {}).get(f"judged {judged}", 0)) for judged in REVIEW_CLASSES]) for name in REVIEW_CLASSES]


def review_view(data: dict[str, Any]) -> dict[str, Any] | None:
    """Everything the Human review section shows, or None when the report has no review."""
    review = data.get("review")
    if not review:
        return None
    harmful = [c for c in data["categories"] if c.get("variant") == "harmful"]
    sides = []
    for side in ("original", "suspect", "both"):
        agreement = review["agreement"].get(side) or {}
        sides.append({"side": side, **agreement, "matrix": _confusion(agreement)})
    chart = comparison_chart(harmful, data["method"]["alpha"])
    return {
        "review": review,
        "sides": sides,
        "classes": REVIEW_CLASSES,
        "rows": harmful,
        "chart": Markup(chart) if chart else None,
        "changed": {c["label"] for c in review.get("verdicts_changed") or []},
    }
