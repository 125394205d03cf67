"""StrongREJECT forbidden prompts (`strongreject_dataset.csv` / `strongreject_small_dataset.csv`, Souly et al. 2024).

Columns: category, source, forbidden_prompt. The file has no ids, so records are
numbered by their row (`sr-001` ...), which is stable for a given file.

Only "Hate, harassment and discrimination" maps soundly onto the taxonomy
(hate_harassment). The other five categories straddle several project categories
("Violence" holds both assault and self-harm; "Disinformation and deception" holds
phishing and fake reviews as well as propaganda), so they keep their own names.
"""

from __future__ import annotations

from pathlib import Path

from auditor.suites.importers._common import ImportResult, map_category, read_source_csv
from auditor.suites.schema import SuiteRecord

KIND = "strongreject"
CATEGORY_MAP = {"hate_harassment_and_discrimination": "hate_harassment"}


def import_strongreject(path: Path, language: str = "en") -> ImportResult:
    records: list[SuiteRecord] = []
    rows = read_source_csv(
        path,
        "StrongREJECT",
        required={"forbidden_prompt": ("forbidden_prompt", "prompt"), "category": ("category",)},
        optional={"source": ("source",)},
    )
    for number, row in enumerate(rows, start=1):
        category = row.require("category")
        origin = row.get("source")
        records.append(
            SuiteRecord(
                id=f"sr-{number:03d}",
                category=map_category(category, CATEGORY_MAP),
                variant="harmful",
                prompt=row.require("forbidden_prompt"),
                subcategory=category,
                language=language,
                source=f"StrongREJECT/{origin}" if origin else "StrongREJECT",
            )
        )
    return ImportResult(KIND, records)
