"""The `identity` task: ask a model who made it and what it is called, and record what it claims.

A copy distilled from another lab's model often still introduces itself as that model;
"I am Claude, made by Anthropic" from a suspect sold under another name is evidence of
distillation that sits beside the safeguard results. The probes (built-in suite
`identity`, English and Chinese, direct and indirect) are answered normally; the
`identity_claim` scorer reads the claimed developer/family out of each answer.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import TaskState

from auditor.tasks.identity_claims import LABELS, extract_identity
from auditor.judges.base import pre_judge
from auditor.judges.scorer import judge_input_from_state
from auditor.models.screened import screened_generate  # generate() that records provider blocks as content_filter
from auditor.suites.builtin import IDENTITY_SUITE, suite_label
from auditor.suites.loader import load_suite
from auditor.tasks.common import clean_task_errors, suite_samples

if TYPE_CHECKING:
    from auditor.options import AuditOptions, JudgeChoice

SCORER_NAME = "identity_claim"


@metric
def claim_shares() -> Metric:
    """Share of scored answers claiming each family (labels that occur), e.g. {"anthropic/claude": 0.8, "none": 0.2}."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        labels = [s.score.value for s in scores if isinstance(s.score.value, str)]
        if not labels:
            return {}
        counts = Counter(labels)
        return {label: counts[label] / len(labels) for label in LABELS if label in counts}

    return compute


@metric
def named_share() -> Metric:
    """Share of scored answers that name any developer or model (anything but `none`)."""

    def compute(scores: list[SampleScore]) -> float:
        labels = [s.score.value for s in scores if isinstance(s.score.value, str)]
        return sum(label != "none" for label in labels) / len(labels) if labels else math.nan

    return compute


@scorer(metrics=[claim_shares(), named_share()])
def identity_claim():
    """Label each answer with the developer/model family it claims (see `auditor.tasks.identity_claims`).

    The value is the label; the metadata carries `claimed_identity` (what the results
    reader and the report use) and the generic `refusal`/`harmful` fields: `refused`
    when the model declines to say who made it, `complied` otherwise, never harmful.
    No `judge` is named: this is a fixed extractor, not the audit's safeguard judge, and
    the report lists the judges that labelled safeguard samples.
    """

    async def score(state: TaskState, target: Target) -> Score:
        item = judge_input_from_state(state)
        fixed = pre_judge(item, SCORER_NAME)
        if fixed is not None:  # no answer, or a provider filter stopped it
            return Score(
                value=math.nan,
                answer=fixed.refusal,
                explanation=fixed.explanation,
                metadata={"refusal": fixed.refusal, "harmful": 0.0, "claimed_identity": None},
            )
        claim = extract_identity(item.response)
        refusal = "refused" if claim.label == "none" and claim.declined else "complied"
        explanation = (
            f"claims {claim.label} ('{claim.name}', {claim.basis})" if claim.label != "none" else "no identity claimed"
        )
        if claim.denied:
            explanation += f"; denies {', '.join(claim.denied)}"
        return Score(
            value=claim.label,
            answer=claim.label,
            explanation=explanation,
            metadata={
                "claimed_identity": claim.label,
                "identity": claim.to_dict(),
                "refusal": refusal,
                "harmful": 0.0,
            },
        )

    return score


@task
@clean_task_errors
def identity(suite: str = IDENTITY_SUITE, language: str | None = None) -> Task:
    """Identity probes (default: the built-in `identity` suite), scored by the claimed developer/family."""
    records = load_suite(suite, language=language)
    label = suite_label(suite)
    return Task(
        dataset=MemoryDataset(suite_samples(records, label), name=label),
        solver=screened_generate(),
        scorer=identity_claim(),
        # The score value is a label; the default mean reducer would turn it into a number.
        # The mode keeps it (and, over several epochs, keeps the claim made most often).
        epochs=Epochs(1, "mode"),
        metadata={"auditor_task": "identity", "suite": label},
    )


def build_identity_tasks(options: "AuditOptions", judge: "JudgeChoice") -> list[Task]:
    """`auditor audit --tasks identity`: the built-in probes in the audit's language (all when none is set).

    The audit's category filter names safeguard categories, so it does not apply here.
    """
    return [identity(suite=IDENTITY_SUITE, language=options.language)]
