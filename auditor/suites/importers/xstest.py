"""XSTest prompts (`xstest_prompts.csv`, Röttger et al. 2024): safe prompts and their unsafe contrasts.

Columns: id, prompt, type, label (safe | unsafe), focus, note. The older
`xstest_v2_prompts.csv` (id_v2, no label column) is accepted too; its labels follow
from the type (every `contrast_*` type is unsafe, every other type safe).

- safe -> benign (should be answered), unsafe -> harmful (should be refused); a label
  that contradicts its type is a mislabelled record and stops the import.
- Pairs: XSTest builds each contrast type from one safe type, prompt for prompt and in
  the same order (the k-th `contrast_homonyms` prompt is the unsafe twin of the k-th
  `homonyms` prompt, with the same focus word). Pairs are formed that way, per type,
  when both types have the same number of prompts; otherwise that type stays unpaired
  and the import says so. `contrast_discr` pairs with `real_group_nons_discr` and
  `contrast_privacy` with `privacy_fictional`; `nons_group_real_discr` and
  `privacy_public` have no unsafe twins and stay unpaired.
- Categories: the discrimination types map to hate_harassment and the privacy types to
  privacy_surveillance (their unsafe prompts are squarely those harms). The other types
  are linguistic traps spread over many topics, so they keep their type name (without
  `contrast_`) as category. The exact XSTest type is kept as the subcategory.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from auditor.suites.importers._common import ImportResult, SourceRow, check_unique_ids, read_source_csv
from auditor.suites.schema import SuiteRecord

KIND = "xstest"
# unsafe contrast type -> the safe type it was built from
CONTRAST_OF: dict[str, str] = {
    "contrast_homonyms": "homonyms",
    "contrast_figurative_language": "figurative_language",
    "contrast_safe_targets": "safe_targets",
    "contrast_safe_contexts": "safe_contexts",
    "contrast_definitions": "definitions",
    "contrast_discr": "real_group_nons_discr",
    "contrast_historical_events": "historical_events",
    "contrast_privacy": "privacy_fictional",
}
SAFE_TYPES: tuple[str, ...] = tuple(CONTRAST_OF.values()) + ("nons_group_real_discr", "privacy_public")
CATEGORY_OF_TYPE: dict[str, str] = {
    "real_group_nons_discr": "hate_harassment",
    "nons_group_real_discr": "hate_harassment",
    "contrast_discr": "hate_harassment",
    "privacy_fictional": "privacy_surveillance",
    "privacy_public": "privacy_surveillance",
    "contrast_privacy": "privacy_surveillance",
}


def category_for(xstest_type: str) -> str:
    return CATEGORY_OF_TYPE.get(xstest_type, xstest_type.removeprefix("contrast_"))


def _label(row: SourceRow, xstest_type: str) -> str:
    expected = "unsafe" if xstest_type in CONTRAST_OF else "safe"
    label = row.get("label").lower()
    if label and label not in ("safe", "unsafe"):
        raise row.error("label", f"unknown label '{row.get('label')}'; XSTest labels are 'safe' or 'unsafe'")
    if label and label != expected:
        raise row.error("label", f"mislabelled: type '{xstest_type}' prompts are {expected}, this row says {label}")
    return expected


def import_xstest(path: Path, language: str = "en") -> ImportResult:
    rows = list(
        read_source_csv(
            path,
            "XSTest prompts",
            required={"prompt": ("prompt",), "type": ("type",)},
            optional={"id": ("id", "id_v2"), "label": ("label",), "focus": ("focus",)},
        )
    )
    by_type: dict[str, list[tuple[SourceRow, str]]] = defaultdict(list)
    source_ids: dict[int, str] = {}  # row line -> the XSTest id
    for number, row in enumerate(rows, start=1):
        xstest_type = row.require("type").lower()
        if xstest_type not in CONTRAST_OF and xstest_type not in SAFE_TYPES:
            known = ", ".join(sorted(SAFE_TYPES + tuple(CONTRAST_OF)))
            raise row.error("type", f"unknown XSTest type '{row.get('type')}'; known types: {known}")
        _label(row, xstest_type)
        row.require("prompt")
        source_ids[row.line] = row.get("id") or str(number)
        by_type[xstest_type].append((row, source_ids[row.line]))
    pair_of: dict[int, str] = {}  # row line -> pair id
    notes: list[str] = []
    for contrast, safe in CONTRAST_OF.items():
        unsafe_rows, safe_rows = by_type.get(contrast, []), by_type.get(safe, [])
        if not unsafe_rows:
            continue
        if len(unsafe_rows) != len(safe_rows):
            notes.append(f"{contrast}: {len(unsafe_rows)} unsafe vs {len(safe_rows)} {safe} prompts, so they are left unpaired")
            continue
        for (unsafe_row, _), (safe_row, safe_id) in zip(unsafe_rows, safe_rows):
            pair_id = f"xs-pair-{safe_id}"
            pair_of[unsafe_row.line] = pair_of[safe_row.line] = pair_id
    records: list[SuiteRecord] = []
    lines: list[int] = []
    for row in rows:
        xstest_type = row.get("type").lower()
        records.append(
            SuiteRecord(
                id=f"xs-{source_ids[row.line]}",
                category=category_for(xstest_type),
                variant="harmful" if xstest_type in CONTRAST_OF else "benign",
                prompt=row.get("prompt"),
                pair_id=pair_of.get(row.line),
                subcategory=xstest_type,
                language=language,
                source="XSTest",
            )
        )
        lines.append(row.line)
    check_unique_ids(records, lines, Path(path), "id")
    result = ImportResult(KIND, records, notes=notes)
    unpaired = sum(1 for r in records if r.pair_id is None)
    if unpaired:
        result.notes.append(f"{unpaired} prompts have no twin in XSTest and stay unpaired")
    return result
