"""Pieces every audit task shares: task-parameter parsing and the metadata each sample carries."""

from __future__ import annotations

from inspect_ai.dataset import Sample

from auditor.suites.schema import SuiteRecord


def as_list(value: str | list[str] | None) -> list[str] | None:
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
    """One Inspect sample per suite record; sample ids are the suite ids, so two models' logs line up."""
    return [Sample(id=r.id, input=r.prompt, metadata=record_metadata(r, suite)) for r in records]
