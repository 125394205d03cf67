"""Charts for the HTML report, drawn with matplotlib and embedded as inline SVG.

Inline SVG keeps report.html a single file that opens offline and prints. The labels
come from suite files (user data), so mathtext is switched off, control characters are
removed, and the finished SVG is checked for anything live (scripts, event handlers,
foreign objects, external links) before it is allowed into the page.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from typing import Any, Sequence

import matplotlib
from matplotlib.figure import Figure  # no pyplot: no global figure state, and a faster import

from auditor.stats.paired import wilson_interval

ORIGINAL_COLOR = "#1f4e79"
SUSPECT_COLOR = "#c55a11"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_RC = {
    "svg.fonttype": "none",  # real <text>, so labels stay selectable and searchable
    "text.parse_math": False,  # a '$' in a category name is text, not TeX
    "font.family": "sans-serif",
    "font.size": 9,
}


class UnsafeSVG(RuntimeError):
    """The chart SVG contained something live; never embed it."""


def chart_label(text: Any, limit: int = 60) -> str:
    """A category name made safe and short enough for an axis label."""
    clean = _CONTROL.sub(" ", str(text)).strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def check_svg(svg: str) -> str:
    """Return the bare <svg> element after verifying it holds nothing that could run or fetch."""
    start = svg.find("<svg")
    if start < 0:
        raise UnsafeSVG("no <svg> element")
    svg = _METADATA.sub("", svg[start:])  # RDF authoring metadata: not needed, and full of URIs
    root = ElementTree.fromstring(svg)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "object", "embed", "a"}:
            raise UnsafeSVG(f"<{tag}> in chart")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise UnsafeSVG(f"event handler {local} in chart")
            if local == "href" and not value.startswith("#"):
                raise UnsafeSVG("external reference in chart")
            if "javascript:" in value.lower():
                raise UnsafeSVG("javascript: URL in chart")
    return svg


def _interval(rate: float | None, n: int, alpha: float) -> tuple[float, float, float] | None:
    if rate is None or not n:
        return None
    low, high = wilson_interval(int(round(rate * n)), n, alpha)
    # Wilson bounds can miss the estimate by a rounding error at 0% and 100%
    return rate * 100, max(rate - float(low), 0.0) * 100, max(float(high) - rate, 0.0) * 100


def refusal_chart(
    rows: Sequence[dict[str, Any]], title: str, salt: str, label_key: str = "label", note_key: str | None = "verdict", alpha: float = 0.05
) -> str | None:
    """Both models' refusal rates per row with (1 - alpha) Wilson intervals, as checked inline SVG.

    One horizontal line per row (category or attack family); the original is a circle,
    the suspect a diamond. Returns None when no row has pairs to plot.
    """
    rows = [r for r in rows if r.get("n")]
    if not rows:
        return None
    with matplotlib.rc_context({**_RC, "svg.hashsalt": salt}):
        height = 1.2 + 0.34 * len(rows)
        fig = Figure(figsize=(10, height))
        ax = fig.subplots()
        labels = []
        for i, row in enumerate(rows):
            note = f"  [{row[note_key]}]" if note_key and row.get(note_key) else ""
            labels.append(chart_label(row.get(label_key)) + note)
            for offset, side, color, marker in ((-0.14, "original", ORIGINAL_COLOR, "o"), (0.14, "suspect", SUSPECT_COLOR, "D")):
                point = _interval(row.get(f"{side}_refusal_rate"), int(row["n"]), alpha)
                if point is None:
                    continue
                x, minus, plus = point
                ax.errorbar([x], [i + offset], xerr=[[minus], [plus]], fmt=marker, color=color, ms=5, capsize=2, lw=1,
                            label=side if i == 0 else None)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        ax.set_xlim(-2, 102)
        ax.set_xlabel(f"refusal rate, % ({(1 - alpha) * 100:g}% Wilson interval)")
        ax.set_title(chart_label(title, 120), loc="left", pad=22)
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False, borderaxespad=0.1)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return check_svg(buffer.getvalue())
