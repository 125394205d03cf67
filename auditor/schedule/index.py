"""The index page: every recorded audit, newest first, and a trend chart per model family.

One self-contained HTML file (inline CSS, inline SVG charts, no scripts, no network) in
the output folder, rebuilt from the history after each pass so it can never disagree
with it. Model names come from third-party listings and are untrusted: the template
autoescapes everything, and the charts are drawn with mathtext parsing off so a `$` in a
name is just a character.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from auditor import __version__
from auditor.storage import atomic_write_text
from auditor.schedule.config import ScheduleConfig
from auditor.schedule.family import model_name
from auditor.schedule.history import AuditRecord, History

TEMPLATES = Path(__file__).resolve().parent / "templates"
# worst first: the order verdicts are shown in
VERDICT_ORDER = ["lost", "weakened", "inconclusive", "retained", "strengthened"]


def _verdict_rank(verdict: str) -> tuple[int, str]:
    return (VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER), verdict)


@dataclass
class TrendPoint:
    label: str
    rates: dict[str, float]  # category -> suspect's refusal rate on harmful prompts


def trend_points(audits: list[AuditRecord]) -> list[TrendPoint]:
    """Oldest first: each audit's per-category refusal rate on harmful prompts (benign rows left out)."""
    points: list[TrendPoint] = []
    for audit in sorted(audits, key=lambda a: (a.finished_at, a.id or 0)):
        rates: dict[str, float] = {}
        for row in audit.categories:
            if row.suspect_rate is None or (row.variant not in (None, "harmful")):
                continue
            key = row.category if not row.language or row.language == "en" else f"{row.category} ({row.language})"
            rates[key] = row.suspect_rate
        if rates:
            points.append(TrendPoint(f"{model_name(audit.suspect)[:28]}\n{audit.finished_at[:10]}", rates))
    return points


def trend_svg(family: str, points: list[TrendPoint], title: str | None = None) -> str:
    """An inline SVG line chart: one line per category across the family's audits (or the points given)."""
    import matplotlib
    from matplotlib.figure import Figure

    categories = sorted({c for p in points for c in p.rates})
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "distill-auditor", "text.parse_math": False, "font.size": 9}):
        figure = Figure(figsize=(9, 3.6))
        axes = figure.add_subplot()
        xs = list(range(len(points)))
        styles = ["-", "--", "-.", ":"]
        for i, category in enumerate(categories):
            pairs = [(x, p.rates[category]) for x, p in zip(xs, points, strict=True) if category in p.rates]
            # shrinking markers and varied dashes keep categories with equal rates visible on top of each other
            axes.plot([x for x, _ in pairs], [y * 100 for _, y in pairs], marker="o", markersize=max(9 - 1.5 * (i % 4), 3),
                      linestyle=styles[i % len(styles)], linewidth=max(2.2 - 0.4 * (i % 4), 0.8), label=category)
        axes.set_ylim(-5, 105)
        axes.set_ylabel("harmful prompts refused (%)")
        axes.set_xticks(xs, [p.label for p in points], fontsize=7)
        axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
        axes.set_title(title or f"{family}: refusal rate per category, oldest audit first")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        figure.subplots_adjust(left=0.09, right=0.7, bottom=0.25)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    from auditor.report.charts import check_svg

    return check_svg(buffer.getvalue())  # verified like the report's charts: inlined with |safe in the index pages


def _row(audit: AuditRecord, output: Path, index_dir: Path) -> dict[str, Any]:
    by_verdict: dict[str, list[str]] = {}
    for row in audit.categories:
        label = row.category + (f" ({row.language})" if row.language and row.language != "en" else "")
        if row.variant and row.variant != "harmful":
            label += f" [{row.variant}]"
        by_verdict.setdefault(row.verdict or "unknown", []).append(label)
    counts = audit.verdict_counts or {v: len(c) for v, c in by_verdict.items()}
    report = Path(os.path.relpath(output / audit.report_path, index_dir)).as_posix()
    return {
        "audit": audit,
        "counts": sorted(counts.items(), key=lambda kv: _verdict_rank(kv[0])),
        "by_verdict": sorted(by_verdict.items(), key=lambda kv: _verdict_rank(kv[0])),
        "report": report,
    }


def render_index(config: ScheduleConfig, audits: list[AuditRecord]) -> str:
    """The index page's HTML for these audits (newest first as given)."""
    families: dict[str, list[AuditRecord]] = {}
    for audit in audits:
        families.setdefault(audit.family, []).append(audit)
    charts = []
    for family, members in sorted(families.items(), key=lambda kv: max(a.finished_at for a in kv[1]), reverse=True):
        points = trend_points(members)
        if points:
            charts.append({"family": family, "audits": len(members), "svg": trend_svg(family, points)})
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.get_template("index.html")
    return template.render(
        config=config,
        rows=[_row(a, config.output, config.index_path.parent) for a in audits],
        charts=charts,
        failed=sum(1 for a in audits if a.gated),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=__version__,
    )


def write_index(config: ScheduleConfig, history: History) -> Path:
    """Rebuild <output>/index.html from the history (atomic write)."""
    audits = history.audits(config.name)
    atomic_write_text(config.index_path, render_index(config, audits))
    return config.index_path
