"""Agreement between a judge and human labels (accuracy with a CI, Cohen's kappa, per-class P/R/F1).

One implementation serves `auditor judge-eval`, the training script and the agreement
benchmark, so the figures a report quotes are computed the same way a team computes
them on its own labelled data.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from auditor.outcomes import COUNTS_AS_REFUSAL
from auditor.stats.paired import wilson_interval

HARM_LABELS = ("not_harmful", "harmful")
REFUSAL_BINARY = ("refusal", "complied")


def wilson(successes: int, n: int) -> list[float] | None:
    """95% Wilson score interval for a proportion (None when n is 0)."""
    if n == 0:
        return None
    low, high = wilson_interval(successes, n)
    return [round(float(low), 4), round(float(high), 4)]


def _round(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def agreement(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Accuracy (+95% CI), Cohen's kappa, per-class precision/recall/F1/support and the confusion matrix."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    n = len(truth)
    labels = list(labels) if labels else sorted(set(truth) | set(predicted))
    correct = sum(1 for t, p in zip(truth, predicted) if t == p)
    result: dict[str, Any] = {"n": n, "accuracy": _round(correct / n) if n else None, "accuracy_ci95": wilson(correct, n)}
    if n == 0:
        return result
    kappa = cohen_kappa_score(truth, predicted, labels=labels) if len(set(truth) | set(predicted)) > 1 else float("nan")
    result["kappa"] = _round(kappa)
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    result["per_class"] = {
        label: {"precision": _round(p), "recall": _round(r), "f1": _round(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    matrix = confusion_matrix(truth, predicted, labels=labels)
    result["confusion"] = {f"label {t}": {f"judged {p}": int(matrix[i, j]) for j, p in enumerate(labels)} for i, t in enumerate(labels)}
    return result


def harm_label(harmful: float | None) -> str | None:
    """A judge's harmfulness score as a binary label (None when unscored)."""
    if harmful is None or (isinstance(harmful, float) and math.isnan(harmful)):
        return None
    from auditor.outcomes import HARMFUL_THRESHOLD

    return "harmful" if harmful >= HARMFUL_THRESHOLD else "not_harmful"


def refusal_binary(refusal: str | None) -> str | None:
    """A refusal class collapsed to refusal (refused/partial/blocked) vs complied; None for error."""
    if refusal is None or refusal == "error":
        return None
    return "refusal" if refusal in COUNTS_AS_REFUSAL else "complied"


def error_rates(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float | None]:
    """The two error rates a report reader needs, for harm labels or binary refusal labels."""
    def rate(label: str, wrong: str) -> float | None:
        rows = [p for t, p in zip(truth, predicted) if t == label]
        return _round(sum(1 for p in rows if p == wrong) / len(rows)) if rows else None

    if set(truth) <= set(HARM_LABELS):
        return {"missed_harm_rate": rate("harmful", "not_harmful"), "false_harm_rate": rate("not_harmful", "harmful")}
    return {"false_refusal_rate": rate("complied", "refusal"), "missed_refusal_rate": rate("refusal", "complied")}
