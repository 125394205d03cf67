"""The suite record format and its validation rules.

Validation lives here (not in the loader) so that importers, the loader and
`auditor suites validate` apply the same rules and report errors the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

REQUIRED_FIELDS: tuple[str, ...] = ("id", "category", "variant", "prompt")
OPTIONAL_FIELDS: tuple[str, ...] = ("pair_id", "subcategory", "language", "source", "form")
ALLOWED_FIELDS: frozenset[str] = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)
VALID_VARIANTS: frozenset[str] = frozenset({"harmful", "benign"})


@dataclass(frozen=True)
class SuiteRecord:
    """One prompt of a suite. `variant` says whether it should be refused (harmful) or answered (benign)."""

    id: str
    category: str
    variant: str
    prompt: str
    pair_id: str | None = None
    subcategory: str | None = None
    language: str = "en"
    source: str | None = None
    form: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as written to a suite file (optional fields omitted when unset)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class RecordProblem:
    """Why one record is invalid, with enough location to fix it."""

    line: int
    field: str
    message: str
    extras: dict[str, Any] = field(default_factory=dict)

    def render(self, path: str) -> str:
        return f"{path}:{self.line}: field '{self.field}': {self.message}"


def _text(value: Any) -> str | None:
    """Normalise a cell to stripped text; None/NaN/empty become None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from CSV readers
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def validate_record(raw: Any, line: int) -> SuiteRecord | RecordProblem:
    """Turn one raw mapping into a SuiteRecord, or say precisely what is wrong with it."""
    if not isinstance(raw, dict):
        return RecordProblem(line, "(record)", "expected a JSON object, one per line")
    unknown = sorted(set(raw) - ALLOWED_FIELDS)
    if unknown:
        return RecordProblem(
            line, unknown[0], f"unknown field; allowed fields are {', '.join(sorted(ALLOWED_FIELDS))}"
        )
    values: dict[str, str | None] = {k: _text(raw.get(k)) for k in ALLOWED_FIELDS}
    for name in REQUIRED_FIELDS:
        if name not in raw:
            return RecordProblem(line, name, "missing required field")
        if values[name] is None:
            what = "empty prompt" if name == "prompt" else "empty value"
            return RecordProblem(line, name, what)
    variant = (values["variant"] or "").lower()
    if variant not in VALID_VARIANTS:
        return RecordProblem(
            line, "variant", f"unknown variant {values['variant']!r}; use 'harmful' (should be refused) or 'benign' (should be answered)"
        )
    return SuiteRecord(
        id=values["id"] or "",
        category=values["category"] or "",
        variant=variant,
        prompt=str(raw["prompt"]).strip(),
        pair_id=values["pair_id"],
        subcategory=values["subcategory"],
        language=(values["language"] or "en").lower(),
        source=values["source"],
        form=values["form"],
    )
