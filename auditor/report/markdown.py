"""report.md: the executive summary and verdict table, for tickets and pull requests.

Category and model names come from user files and logs; they are escaped so a name
cannot break the table or inject HTML into a tracker that renders Markdown.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.report import format as fmt
from auditor.report.judge_table import reliability_table
from auditor.verdicts import VERDICTS

_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md(value: Any) -> str:
    """Escape text for a Markdown paragraph or table cell."""
    text = " ".join(str(value if value is not None else "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def render_markdown(data: dict[str, Any]) -> str:
    """The Markdown report text."""
    judge = data.get("judge")
    judge_text = judge if isinstance(judge, str) else ", ".join(map(str, judge or []))
    lines = [
        "# Safeguard audit: which safeguards were lost in the copy?",
        "",
        f"- **Original:** {md(data['original'])}",
        f"- **Suspect:** {md(data['suspect'])}",
    ]
    if data.get("description"):
        lines.append(f"- **What was compared:** {md(data['description'])}")
    lines += [
        f"- **Generated:** {md(data.get('generated_at'))}",
        f"- **Judge:** {md(judge_text)}",
        "",
        "## Summary",
        "",
    ]
    lines += [f"- {md(line)}" for line in data.get("headline", [])]
    counts = ", ".join(f"{verdict} {len(data['summary'].get(verdict, []))}" for verdict in VERDICTS)
    lines += ["", f"Verdicts: {counts}.", "", "## Verdicts", ""]
    ci = fmt.confidence(data["method"]["confidence_level"])
    lines.append(f"| Safeguard | Verdict | Original refuses | Suspect refuses | Change | {ci} CI | p (adjusted) | Pairs | Extra pairs needed |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    harmful = [c for c in data["categories"] if c["variant"] == "harmful"]
    harmful.sort(key=lambda c: (VERDICTS.index(c["verdict"]) if c.get("verdict") in VERDICTS else len(VERDICTS), c.get("delta") or 0.0))
    for c in harmful:
        extra = fmt.extra_pairs(c)
        lines.append(
            f"| {md(c['label'])} | **{md(c['verdict'])}** | {fmt.pct(c['original_refusal_rate'])} | {fmt.pct(c['suspect_refusal_rate'])} | "
            f"{fmt.pts(c['delta'])} | {fmt.interval(c['ci_low'], c['ci_high'])} | {fmt.pval(c['p_adjusted'])} | {fmt.count(c['n'])} | {extra} |"
        )
    if not harmful:
        lines.append("| (no harmful prompts compared) | | | | | | | | |")
    sequential = data.get("sequential")
    if sequential:
        lines += ["", "## Sequential audit", "", md(
            f"{sequential['queries_used']:,} of the {sequential['queries_fixed']:,} prompts of a fixed-sample audit "
            f"({fmt.pct(sequential['share_of_fixed'])}): pairs were sent in rounds (up to "
            f"{', '.join(map(str, sequential['pair_sizes']))} pairs per category) and {sequential['rounds']} of "
            f"{sequential['rounds_planned']} rounds were needed. {sequential['multiplicity']}. The harmful categories' "
            "verdicts and adjusted p-values come from this rule; the method line below describes the other rows."
        ), "", "| Safeguard | Verdict | Decided at round | Pairs sent | Rule |", "|---|---|---:|---:|---|"]
        for c in harmful:
            seq = c.get("sequential")
            if not seq:
                continue
            decided = c.get("decided_at") or {}
            rule = decided.get("rule") or ("still open" if seq.get("open") else "pairs ran out")
            lines.append(f"| {md(c['label'])} | {md(c['verdict'])} | {decided.get('round', '—')} | {seq['pairs_sent']} of {seq['pairs_total']} | {md(rule)} |")
    jailbreaks = data.get("jailbreaks") or {}
    if jailbreaks.get("ran") and jailbreaks.get("overall"):
        jo = jailbreaks["overall"]
        lines += ["", f"Jailbreaks (all attack families): original refuses {fmt.pct(jo['original_refusal_rate'])}, suspect {fmt.pct(jo['suspect_refusal_rate'])} ({fmt.pts(jo['delta'])}; {md(jo['verdict'])})."]
    identity = data.get("identity") or {}
    if identity.get("ran"):
        lines += ["", "Identity: " + " ".join(md(line) for line in identity.get("evidence", []))]
    for entry in data.get("judge_reliability") or []:
        table = reliability_table(entry)
        said = table["sentence"] or ("measured; see report.html" if table["measured"] else "not measured: treat its labels with caution")
        lines += ["", f"Judge reliability ({md(table['judge'])}): {md(said)}"]
    sensitivity = data.get("judge_sensitivity") or {}
    if sensitivity.get("categories"):
        counts = sensitivity["reread_answers"]
        changed = sensitivity["changed"]
        result = (
            "; ".join(f"{md(c['label'])}: {md(c['verdict'])} -> {md(c['reread_verdict'])}" for c in changed) + ": review these answers before relying on those verdicts"
            if changed else "no harmful-category verdict changes"
        )
        lines += ["", f"Judge sensitivity: with {md(sensitivity['reading'])} ({counts['suspect']} suspect, {counts['original']} original answers), {result}."]
    method = data["method"]
    lines += [
        "",
        f"Method: exact McNemar test adjusted with {md(method['correction_name'])} across {method['tests_adjusted']} comparisons "
        f"(alpha {method['alpha']}); {ci} Newcombe paired interval; lost at a drop of at least {fmt.points(method['lost_drop'])} points, "
        f"retained when the interval excludes a drop larger than {fmt.points(method['retain_margin'])} points. Full numbers: report.json and report.html.",
        "",
    ]
    return "\n".join(lines)
