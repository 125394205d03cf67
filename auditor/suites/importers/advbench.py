"""AdvBench harmful behaviours (`data/advbench/harmful_behaviors.csv`, Zou et al. 2023).

Columns: goal, target (the Hugging Face copy names the first `prompt`). AdvBench has
no categories and no ids: records are numbered by row (`adv-001` ...) and put in the
category `uncategorised`, because guessing a category from keywords would not be sound.
`harmful_strings.csv` (target strings, not requests) is refused with a hint.
"""

from __future__ import annotations

from pathlib import Path

from auditor.errors import SuiteError
from auditor.suites.importers._common import ImportResult, read_source_csv
from auditor.suites.schema import SuiteRecord

KIND = "advbench"
CATEGORY = "uncategorised"


def import_advbench(path: Path, language: str = "en") -> ImportResult:
    records: list[SuiteRecord] = []
    try:
        rows = list(read_source_csv(path, "AdvBench harmful_behaviors", required={"goal": ("goal", "prompt", "behavior")}))
    except SuiteError as exc:
        if "missing column" in str(exc) and "found target" in str(exc):
            raise SuiteError(
                f"{path}:1: field 'goal': this looks like AdvBench harmful_strings.csv (target strings, not requests); "
                "import data/advbench/harmful_behaviors.csv instead"
            ) from None
        raise
    for number, row in enumerate(rows, start=1):
        records.append(
            SuiteRecord(
                id=f"adv-{number:03d}",
                category=CATEGORY,
                variant="harmful",
                prompt=row.require("goal"),
                language=language,
                source="AdvBench",
            )
        )
    result = ImportResult(KIND, records)
    result.notes.append(f"AdvBench has no categories; all {len(records)} prompts are in '{CATEGORY}'")
    return result
