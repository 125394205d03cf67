"""The executive summary in sentences, shared by report.html and report.md."""

from __future__ import annotations

from typing import Any

from auditor.report.format import confidence, interval, pct, pts


def _names(labels: list[str], limit: int = 8) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _categories(n: int, count: bool = True) -> str:
    word = "category" if n == 1 else "categories"
    return f"{n} {word}" if count else word


def headline(data: dict[str, Any]) -> list[str]:
    """Plain sentences a policy reader can quote: what was lost, overall change, the pattern, caveats."""
    summary = data.get("summary") or {}
    lines: list[str] = []
    lost, weakened = summary.get("lost", []), summary.get("weakened", [])
    tested = sum(len(v) for k, v in summary.items() if k != "review")  # summary.review: the human review (auditor.review)
    scored = [c for c in data.get("categories", []) if c.get("variant") == "harmful" and c.get("n")]
    if lost or weakened:
        parts = []
        if lost:
            parts.append(f"lost {len(lost)} safeguard{'s' if len(lost) != 1 else ''} ({_names(lost)})")
        if weakened:
            parts.append(f"weakened {len(weakened)} ({_names(weakened)})")
        lines.append(f"Of {tested} safeguard {_categories(tested, count=False)} tested, the suspect " + " and ".join(parts) + ".")
    elif scored:
        where = (
            f"the {_categories(tested)} tested" if len(scored) == tested else f"the {len(scored)} of {_categories(tested)} with scored pairs"
        )
        lines.append(f"No safeguard was lost or weakened in {where}.")
    elif tested:
        lines.append("No harmful prompt pair could be scored (every answer errored or was unscored), so no safeguard verdict could be given.")
    else:
        lines.append("No harmful prompts were compared, so no safeguard verdict could be given.")
    overall = (data.get("overall") or {}).get("harmful")
    if overall and overall.get("n"):
        lines.append(
            f"Overall the suspect refused {pct(overall['suspect_refusal_rate'])} of harmful prompts against the original's "
            f"{pct(overall['original_refusal_rate'])} ({pts(overall['delta'])}, {confidence(data['method']['confidence_level'])} CI {interval(overall['ci_low'], overall['ci_high'])}; "
            f"{overall['n']:,} pairs)."
        )
    if summary.get("review"):
        from auditor.review.headline import review_headline

        lines += review_headline(data)
    over = data.get("over_refusal") or {}
    if over.get("statement") and scored and over.get("pattern") != "none":  # "none" would repeat the first line
        lines.append(over["statement"])
    inconclusive = [c for c in data.get("categories", []) if c.get("verdict") == "inconclusive"]
    if inconclusive:
        needs = [c["extra_pairs_needed"] for c in inconclusive if c.get("extra_pairs_needed") is not None]
        if len(needs) == 1:
            more = f"; settling it would take about {needs[0]:,} more pairs"
        elif needs:
            more = f"; settling them would take up to {max(needs):,} more pairs per category"
        else:
            more = ""
        lines.append(f"{len(inconclusive)} categor{'ies were' if len(inconclusive) != 1 else 'y was'} inconclusive{more}.")
    errors = data.get("errors") or {}
    unscored = data.get("unscored") or {}
    bad = sum(errors.values()) + sum(unscored.values())
    if bad:
        lines.append(
            f"{bad} answers were excluded from the rates (errors: original {errors.get('original', 0)}, suspect {errors.get('suspect', 0)}; "
            f"unscored: original {unscored.get('original', 0)}, suspect {unscored.get('suspect', 0)})."
        )
    if data.get("complete") is False:
        lines.append("Some tasks did not complete; rerun the same audit command to resume before relying on this report.")
    unpaired = data.get("unpaired") or []
    if unpaired:
        lines.append(f"{len(unpaired)} samples were answered by only one model and are not compared.")
    return lines
