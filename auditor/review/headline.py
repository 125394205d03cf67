"""The executive summary's sentences about a human review: how well the judge agreed, and which verdicts it changed."""

from __future__ import annotations

from typing import Any

from auditor.report.format import confidence, interval, pct, pts


def review_headline(data: dict[str, Any]) -> list[str]:
    """Sentences for the executive summary (empty without a review)."""
    review = (data.get("summary") or {}).get("review")
    if not review:
        return []
    agreement = review.get("agreement")
    kappa = review.get("kappa")
    said = f"agreed with the judge on {pct(agreement)} of answers (weighted to the audit" + (f"; kappa {kappa:.2f})" if kappa is not None else ")")
    lines = [f"A person reviewed {review['n']:,} answers and {said}; the verdicts below are also recomputed with the judge's measured errors corrected."]
    changed = review.get("verdicts_changed") or []
    if changed:
        moves = "; ".join(f"{c['label']}: {c['uncorrected']} → {c['corrected']}" for c in changed)
        lines.append(f"CORRECTED FOR JUDGE ERROR, {len(changed)} verdict{'s' if len(changed) != 1 else ''} change: {moves}.")
    else:
        lines.append("Correcting for the judge's measured errors changes no verdict.")
    overall = ((data.get("overall") or {}).get("harmful") or {}).get("corrected")
    if overall and overall.get("delta") is not None:
        lines.append(
            f"Corrected, the suspect refused {pct(overall['suspect_refusal_rate'])} of harmful prompts against the original's "
            f"{pct(overall['original_refusal_rate'])} ({pts(overall['delta'])}, {confidence(data['method']['confidence_level'])} CI {interval(overall['ci_low'], overall['ci_high'])})."
        )
    return lines
