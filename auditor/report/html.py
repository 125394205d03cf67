"""Render report.html: one self-contained, printable page for policy readers and engineers.

Jinja2 with autoescaping on renders every string from the logs (answers, prompts,
category and model names) as text. The only markup that is not escaped is the chart
SVG, which `auditor.report.charts.check_svg` has verified. A Content-Security-Policy
meta tag forbids scripts and network loads as a second line of defence.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from auditor.outcomes import COUNTS_AS_REFUSAL
from auditor.report import format as fmt
from auditor.report.charts import refusal_chart
from auditor.report.judge_table import reliability_table
from auditor.report.redact import APPENDIX_CHARS, shown_response
from auditor.review.report_view import review_view
from auditor.verdicts import VERDICTS

EXAMPLES_PER_CATEGORY = 3
REGRESSIONS_SHOWN = 5


def environment() -> Environment:
    """The Jinja environment (autoescape on for every template, missing variables are errors)."""
    env = Environment(
        loader=PackageLoader("auditor.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=fmt.pct, pts=fmt.pts, pval=fmt.pval, count=fmt.count, points=fmt.points, value=fmt.value)
    env.globals["interval"] = fmt.interval
    env.globals["extra_pairs"] = fmt.extra_pairs
    return env


def _severity(entry: dict[str, Any]) -> tuple[int, float]:
    verdict = entry.get("verdict") or "inconclusive"
    return VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS), entry.get("delta") or 0.0


def _side_view(sample: dict[str, Any], side: str, show_harmful: bool, limit: int | None) -> dict[str, Any]:
    answer = sample.get(side) or {}
    return {
        "refusal": answer.get("refusal"),
        "harmful": answer.get("harmful"),
        "text": shown_response(answer.get("response"), sample.get("variant"), answer.get("refusal"), answer.get("harmful"), answer.get("error"), show_harmful, limit),
        "claimed_identity": answer.get("claimed_identity"),
    }


def _sample_view(sample: dict[str, Any], show_harmful: bool, limit: int | None) -> dict[str, Any]:
    prompt = sample.get("prompt")
    return {
        "id": sample.get("id"),
        "task": sample.get("task"),
        "category": sample.get("category"),
        "variant": sample.get("variant"),
        "language": sample.get("language"),
        "attack": sample.get("attack"),
        "prompt": fmt_prompt(prompt, limit),
        "original": _side_view(sample, "original", show_harmful, limit),
        "suspect": _side_view(sample, "suspect", show_harmful, limit),
    }


def fmt_prompt(prompt: Any, limit: int | None) -> str:
    if prompt is None:
        return ""
    text = str(prompt)
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def _lost_refusal(sample: dict[str, Any]) -> bool:
    """The original refused and the suspect answered: the pairs behind a drop."""
    original, suspect = sample.get("original") or {}, sample.get("suspect") or {}
    return original.get("refusal") in COUNTS_AS_REFUSAL and suspect.get("refusal") in ("complied",)


def regressions(data: dict[str, Any], by_group: dict[tuple, list[dict]], show_harmful: bool) -> list[dict[str, Any]]:
    """The largest drops in refusal, each with example transcripts where the original refused and the suspect did not."""
    drops = [c for c in data["categories"] if c["variant"] == "harmful" and (c.get("delta") or 0) < 0]
    drops.sort(key=lambda c: c["delta"])
    result = []
    for entry in drops[:REGRESSIONS_SHOWN]:
        key = (entry["suite"], entry["category"], entry["variant"], entry["language"])
        examples = [s for s in by_group.get(key, []) if _lost_refusal(s)][:EXAMPLES_PER_CATEGORY]
        result.append({"entry": entry, "examples": [_sample_view(s, show_harmful, None) for s in examples]})
    return result


def appendix(samples: list[dict[str, Any]], show_harmful: bool, limit: int | None) -> list[dict[str, Any]]:
    """Every paired sample, grouped by task and category (or attack family) for collapsible sections."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for sample in samples:
        task = str(sample.get("task") or "")
        name = sample.get("attack") if task == "jailbreaks" else sample.get("category")
        groups[(task, str(name or "unspecified"))].append(_sample_view(sample, show_harmful, limit))
    return [{"task": task, "name": name, "rows": rows} for (task, name), rows in sorted(groups.items())]


def render_html(data: dict[str, Any], show_harmful: bool = False, appendix_chars: int | None = APPENDIX_CHARS) -> str:
    """The complete report.html text."""
    by_group: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for sample in data["samples"]:
        if sample.get("task") == "safeguards":
            by_group[(sample.get("suite"), sample.get("category"), sample.get("variant"), sample.get("language"))].append(sample)
    harmful = [c for c in data["categories"] if c["variant"] == "harmful"]
    benign = [c for c in data["categories"] if c["variant"] == "benign"]
    jailbreaks = data["jailbreaks"]
    alpha = data["method"]["alpha"]
    charts = {
        "harmful": refusal_chart(sorted(harmful, key=_severity), "Harmful prompts: refusal rate per category", "harmful", alpha=alpha),
        "benign": refusal_chart(benign, "Benign twins: refusal rate per category (over-refusal)", "benign", note_key=None, alpha=alpha),
        "jailbreaks": refusal_chart(sorted(jailbreaks["families"], key=_severity), "Jailbreaks: refusal rate per attack family", "jailbreaks", alpha=alpha) if jailbreaks.get("ran") else None,
    }
    reliability = [reliability_table(entry) for entry in data.get("judge_reliability", [])]
    view = {
        "d": data,
        "verdict_rows": sorted(harmful, key=_severity),
        "jailbreak_rows": sorted(jailbreaks.get("families") or [], key=_severity),
        "charts": {k: Markup(v) if v else None for k, v in charts.items()},
        "regressions": regressions(data, by_group, show_harmful),
        "appendix": appendix(data["samples"], show_harmful, appendix_chars),
        "reliability": reliability,
        "show_harmful": show_harmful,
        "verdicts": VERDICTS,
        "ci": fmt.confidence(data["method"]["confidence_level"]),
        "review": review_view(data),
    }
    return environment().get_template("report.html.j2").render(**view)
