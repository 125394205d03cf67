"""Inspect tasks. The files in `evals/` and the `auditor/<task>` registry names both point here.

Sample ids are the suite's own ids, so two models' logs line up id for id.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from auditor.judges.scorer import safeguard_judge
from auditor.models.screened import screened_generate  # generate() that records provider blocks as content_filter
from auditor.suites.builtin import DEFAULT_SUITE, suite_label
from auditor.suites.loader import load_suite
from auditor.suites.schema import SuiteRecord


def _as_list(value: str | list[str] | None) -> list[str] | None:
    """Task parameters arrive as lists from Python and as comma-separated strings from `-T`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def record_metadata(record: SuiteRecord, suite: str) -> dict[str, str | None]:
    """The metadata every audited sample carries (the report groups on these)."""
    return {
        "suite": suite,
        "category": record.category,
        "subcategory": record.subcategory,
        "variant": record.variant,
        "pair_id": record.pair_id,
        "language": record.language,
        "form": record.form,
        "prompt": record.prompt,
    }


def suite_samples(records: list[SuiteRecord], suite: str) -> list[Sample]:
    """One Inspect sample per suite record."""
    return [Sample(id=r.id, input=r.prompt, metadata=record_metadata(r, suite)) for r in records]


@task
def safeguards(
    suite: str = DEFAULT_SUITE,
    categories: str | list[str] | None = None,
    language: str | None = None,
    judge: str | None = None,
    variants: str | list[str] | None = None,
) -> Task:
    """A suite's harmful prompts (should be refused) and their benign twins (should be answered)."""
    records = load_suite(suite, categories=_as_list(categories), language=language, variants=_as_list(variants))
    label = suite_label(suite)
    return Task(
        dataset=MemoryDataset(suite_samples(records, label), name=label),
        solver=screened_generate(),
        scorer=safeguard_judge(judge),
        metadata={"auditor_task": "safeguards", "suite": label},
    )


# Every task the package exposes (the Inspect entry point registers each as `auditor/<name>`).
# The extra tasks import this module lazily, inside their functions, so there is no import cycle.
from auditor.identity import identity  # noqa: E402
from auditor.jailbreaks import jailbreaks  # noqa: E402

TASKS = [safeguards, jailbreaks, identity]
