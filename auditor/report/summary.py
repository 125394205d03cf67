"""The executive summary in sentences, shared by report.html and report.md."""

from __future__ import annotations

from typing import Any

from auditor.report.format import confidence, interval, pct, pts


# Patterns of a loss worth a sentence of their own (over-refusal alone is said by the over-refusal summary).
PATTERN_LINES = ("targeted", "all_categories", "refuses_less_everywhere")


def _names(labels: list[str], limit: int = 8) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _categories(n: int, count: bool = True) -> str:
    word = "category" if n == 1 else "categories"
    return f"{n} {word}" if count else word


def _pairs_phrase(entries: list[dict[str, Any]]) -> str:
    """'1 pair per category', '3 to 12 pairs per category': how much each verdict rested on."""
    counts = sorted({int(e.get("n") or 0) for e in entries})
    if len(counts) == 1:
        return f"{counts[0]} pair{'s' if counts[0] != 1 else ''} per category {'is' if counts[0] == 1 else 'are'}"
    return f"{counts[0]} to {counts[-1]} pairs per category are"


def _drops(entries: list[dict[str, Any]], limit: int = 3) -> str:
    """The largest observed drops in refusal ('cyber_offence (100.0% → 0.0%)'), or '' when none dropped."""
    dropped = sorted((e for e in entries if (e.get("delta") or 0) < 0), key=lambda e: e["delta"])[:limit]
    return ", ".join(f"{e['label']} ({pct(e['original_refusal_rate'])} → {pct(e['suspect_refusal_rate'])})" for e in dropped)


def decision_lines(data: dict[str, Any]) -> list[str]:
    """The summary's opening: what was decided and what was not, never more reassurance than the verdicts give."""
    summary = data.get("summary") or {}
    verdicts = ("lost", "weakened", "inconclusive", "retained", "strengthened")
    tested = sum(len(summary.get(v, [])) for v in verdicts)
    harmful = [c for c in data.get("categories", []) if c.get("variant") == "harmful"]
    scored = [c for c in harmful if c.get("n")]
    lost, weakened = summary.get("lost", []), summary.get("weakened", [])
    held = summary.get("retained", []) + summary.get("strengthened", [])
    undecided = [c for c in harmful if c.get("verdict") == "inconclusive"]
    if not tested:
        return ["No harmful prompts were compared, so no safeguard verdict could be given."]
    if not scored:
        return ["No harmful prompt pair could be scored (every answer errored or was unscored), so no safeguard verdict could be given."]
    lines: list[str] = []
    if lost or weakened:
        parts = []
        if lost:
            parts.append(f"lost {len(lost)} safeguard{'s' if len(lost) != 1 else ''} ({_names(lost)})")
        if weakened:
            parts.append(f"weakened {len(weakened)} ({_names(weakened)})")
        lines.append(f"Of {tested} safeguard {_categories(tested, count=False)} tested, the suspect " + " and ".join(parts) + ".")
    elif not undecided:
        lines.append(f"No safeguard was lost or weakened: all {_categories(tested)} tested were shown to be retained or strengthened.")
    elif not held:
        drops = _drops(undecided)
        observed = f"; the largest observed drops were {drops}" if drops else "; no drop in refusal was observed"
        lines.append(
            f"No verdict was reached: {_pairs_phrase(scored)} too few to decide any of the {_categories(tested)} tested{observed}."
        )
        return lines
    else:
        lines.append(
            f"No safeguard was shown to be lost or weakened, but only {len(held)} of {_categories(tested)} could be decided "
            f"(retained or strengthened: {_names(held)})."
        )
    if undecided and (lost or weakened or held):
        drops = _drops(undecided)
        observed = f"; the largest observed drops among them: {drops}" if drops else ""
        lines.append(
            f"{len(undecided)} of the {_categories(tested)} could not be decided (inconclusive), so nothing is claimed about "
            f"{'it' if len(undecided) == 1 else 'them'}{observed}."
        )
    return lines


def extra_pairs_line(data: dict[str, Any]) -> str | None:
    """How many more pairs the inconclusive categories need, and whether the suite holds that many."""
    inconclusive = [c for c in data.get("categories", []) if c.get("variant") == "harmful" and c.get("verdict") == "inconclusive"]
    if not inconclusive:
        return None
    needs = [c for c in inconclusive if c.get("extra_pairs_needed") is not None]
    word = f"{len(inconclusive)} categor{'ies were' if len(inconclusive) != 1 else 'y was'} inconclusive"
    if not needs:
        return None
    most = max(needs, key=lambda c: c["extra_pairs_needed"])
    amount = f"about {most['extra_pairs_needed']:,} more pairs" if len(needs) == 1 else f"up to {most['extra_pairs_needed']:,} more pairs per category"
    short = [c for c in needs if c.get("suite_pairs_left") is not None and c["extra_pairs_needed"] > c["suite_pairs_left"]]
    beyond = ""
    if short:
        left = max(c["suite_pairs_left"] for c in short)
        held = f"at most {left:,} more" if left else "no more"
        beyond = (
            f", more than the suite holds for {'it' if len(short) == 1 else f'{len(short)} of them'} ({held} per category): "
            "a larger suite (e.g. `auditor suites import`) is needed to settle "
            + ("it" if len(short) == 1 else "those")
        )
    return f"{word}; settling {'it' if len(needs) == 1 else 'them'} would take {amount}{beyond}."


def sensitivity_headline(section: dict[str, Any] | None) -> str | None:
    """The headline sentence when a verdict changes under the other reading (None when none does)."""
    if not section or not section.get("changed"):
        return None
    changed = section["changed"]
    counts = section.get("reread_answers") or {}
    moves = "; ".join(f"{c['label']}: {c['verdict']} -> {c['reread_verdict']}" for c in changed)
    return (
        f"{len(changed)} of {section['categories']} harmful-category verdicts depend on how the judge reads answers that neither "
        f"refuse nor carry out the request ({counts.get('suspect', 0)} of the suspect's, {counts.get('original', 0)} of the "
        f"original's), which people label both ways: read as declining, {moves}. Review these answers (auditor review) "
        "before relying on those verdicts."
    )


def headline(data: dict[str, Any]) -> list[str]:
    """Plain sentences a policy reader can quote: what was and was not decided, overall change, over-refusal, caveats."""
    summary = data.get("summary") or {}
    scored = [c for c in data.get("categories", []) if c.get("variant") == "harmful" and c.get("n")]
    lines: list[str] = []
    if data.get("complete") is False:  # first: nothing below is final
        why = f": {data['problem']}" if data.get("problem") else "; rerun the same audit command to resume"
        lines.append(f"The audit is incomplete, so these results cannot gate anything yet{why}.")
    lines += decision_lines(data)
    overall = (data.get("overall") or {}).get("harmful")
    if overall and overall.get("n"):
        lines.append(
            f"Overall the suspect refused {pct(overall['suspect_refusal_rate'])} of harmful prompts against the original's "
            f"{pct(overall['original_refusal_rate'])} ({pts(overall['delta'])}, {confidence(data['method']['confidence_level'])} CI {interval(overall['ci_low'], overall['ci_high'])}; "
            f"{overall['n']:,} pairs)."
        )
    depends = sensitivity_headline(data.get("judge_sensitivity"))
    if depends:
        lines.append(depends)
    if summary.get("review"):
        from auditor.review.headline import review_headline

        lines += review_headline(data)
    over = data.get("over_refusal") or {}
    if over.get("statement") and scored and over.get("pattern") in PATTERN_LINES:  # the shape of a loss; over-refusal has its own line
        lines.append(over["statement"])
    if over.get("summary"):
        lines.append(over["summary"])
    extra = extra_pairs_line(data)
    if extra:
        lines.append(extra)
    errors = data.get("errors") or {}
    unscored = data.get("unscored") or {}
    bad = sum(errors.values()) + sum(unscored.values())
    if bad:
        lines.append(
            f"{bad} answers were excluded from the rates (errors: original {errors.get('original', 0)}, suspect {errors.get('suspect', 0)}; "
            f"unscored: original {unscored.get('original', 0)}, suspect {unscored.get('suspect', 0)})."
        )
    unpaired = data.get("unpaired") or []
    if unpaired:
        lines.append(f"{len(unpaired)} samples were answered by only one model and are not compared.")
    return lines
