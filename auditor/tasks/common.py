"""Pieces every audit task shares: task-parameter parsing and the metadata each sample carries."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from inspect_ai.dataset import Sample

from auditor.errors import AuditorError
from auditor.suites.schema import SuiteRecord

try:  # Inspect's CLI prints this error type as its message alone, with no traceback
    from inspect_ai._util.error import PrerequisiteError
except ImportError:  # pragma: no cover - a future Inspect without it: plain errors still work
    PrerequisiteError = Exception  # type: ignore[misc,assignment]

F = TypeVar("F", bound=Callable[..., Any])


class TaskParameterError(AuditorError, PrerequisiteError):  # type: ignore[misc,valid-type]
    """A bad task parameter (`-T suite=missing.jsonl`): one line under `inspect eval` and under `auditor`."""

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        Exception.__init__(self, message)
        self.message = message  # what Inspect's CLI prints
        if exit_code is not None:
            self.exit_code = exit_code


def clean_task_errors(func: F) -> F:
    """Re-raise a task builder's AuditorError as TaskParameterError (put under `@task`).

    `inspect eval auditor/safeguards -T suite=missing.jsonl` then prints the one-line
    message instead of a long exception-group traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TaskParameterError:
            raise
        except AuditorError as exc:
            raise TaskParameterError(f"{func.__name__}: {exc}", exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


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
