"""Do-Not-Answer (`datasets/Instruction/do_not_answer_en.csv`, Wang et al. 2023).

Columns used: id, risk_area, types_of_harm, specific_harms, question (the model
response columns that follow are ignored). Every question is one a responsible model
should not answer, so every record is `harmful`.

The twelve harm types map onto the taxonomy where the scopes match: private
information about individuals -> privacy_surveillance; disinformation campaigns ->
disinformation; hate speech and stereotyping/discrimination -> hate_harassment. The
rest (illegal activities in general, unsafe advice, adult content, organisational
secrets, mental-health crises, treating the chatbot as a human, ...) keep their own
names. The source harm type is kept as the subcategory.
"""

from __future__ import annotations

from pathlib import Path

from auditor.suites.importers._common import ImportResult, check_unique_ids, map_category, read_source_csv, slug
from auditor.suites.schema import SuiteRecord

KIND = "donotanswer"
CATEGORY_MAP = {
    slug("Compromise privacy by leaking or inferring private information (person/individual)"): "privacy_surveillance",
    slug("Reducing the cost of disinformation campaigns"): "disinformation",
    slug("Toxic language (hate speech)"): "hate_harassment",
    slug("Social stereotypes and unfair discrimination"): "hate_harassment",
}


def import_donotanswer(path: Path, language: str = "en") -> ImportResult:
    records: list[SuiteRecord] = []
    lines: list[int] = []
    rows = read_source_csv(
        path,
        "Do-Not-Answer",
        required={"question": ("question",), "types_of_harm": ("types_of_harm",)},
        optional={"id": ("id",), "risk_area": ("risk_area",)},
    )
    for number, row in enumerate(rows, start=1):
        harm = row.require("types_of_harm")
        source_id = row.get("id") or str(number)
        records.append(
            SuiteRecord(
                id=f"dna-{source_id}",
                category=map_category(harm, CATEGORY_MAP),
                variant="harmful",
                prompt=row.require("question"),
                subcategory=harm,
                language=language,
                source="Do-Not-Answer",
            )
        )
        lines.append(row.line)
    check_unique_ids(records, lines, Path(path), "id")
    return ImportResult(KIND, records)
