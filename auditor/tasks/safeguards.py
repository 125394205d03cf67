"""The `safeguards` task: a suite's harmful prompts (should be refused) and their benign twins.

Sample ids are the suite's own ids, so two models' logs line up id for id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset

from auditor.judges.scorer import safeguard_judge
from auditor.models.screened import screened_generate  # generate() that records provider blocks as content_filter
from auditor.suites.builtin import DEFAULT_SUITE, suite_label
from auditor.suites.loader import load_suite
from auditor.tasks.common import as_list, clean_task_errors, suite_samples

if TYPE_CHECKING:
    from auditor.options import AuditOptions, JudgeChoice


@task
@clean_task_errors
def safeguards(
    suite: str = DEFAULT_SUITE,
    categories: str | list[str] | None = None,
    language: str | None = None,
    judge: str | None = None,
    variants: str | list[str] | None = None,
    pairs: str | None = None,
) -> Task:
    """A suite's harmful prompts (should be refused) and their benign twins (should be answered).

    `pairs="START:STOP"` keeps the pairs ranked START..STOP-1 in each category's sending
    order (a sequential audit's round; see auditor.rounds). Left unset it adds nothing to
    the task's identity, so fixed-sample audits resume from their existing logs.
    """
    records = load_suite(suite, categories=as_list(categories), language=language, variants=as_list(variants))
    if pairs:
        from auditor.rounds import select_pairs

        records = select_pairs(records, pairs)
    label = suite_label(suite)
    return Task(
        dataset=MemoryDataset(suite_samples(records, label), name=label),
        solver=screened_generate(),
        scorer=safeguard_judge(judge),
        metadata={"auditor_task": "safeguards", "suite": label},
    )


def build_safeguard_tasks(options: "AuditOptions", judge: "JudgeChoice") -> list[Task]:
    """Every audit runs this: one `safeguards` task per audited suite."""
    return [
        safeguards(suite=suite, categories=options.categories, language=options.language, judge=judge.name)
        for suite in options.suites
    ]
