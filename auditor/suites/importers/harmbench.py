"""HarmBench behaviours (`harmbench_behaviors_text_{all,test,val}.csv`, Mazeika et al. 2024).

Columns: Behavior, FunctionalCategory (standard | contextual | copyright),
SemanticCategory, Tags, ContextString, BehaviorID.

- standard behaviours become prompts as they are;
- contextual behaviours carry their context the way HarmBench itself presents them,
  `"{ContextString}\\n\\n---\\n\\n{Behavior}"`, and are marked `form: contextual`;
- copyright behaviours are left out: they ask for verbatim lyrics or book passages and
  are scored by HarmBench's hash check for reproduction, not by refusal, so a refusal
  judge would mismeasure them.

Semantic categories map onto the project taxonomy where the scopes match; `illegal`
(a mix of drugs, weapons, fraud and smuggling) and `harmful` have no sound single
mapping and keep their own names. The source category is kept as the subcategory.
"""

from __future__ import annotations

from pathlib import Path

from auditor.suites.importers._common import ImportResult, check_unique_ids, map_category, read_source_csv
from auditor.suites.schema import SuiteRecord

KIND = "harmbench"
CATEGORY_MAP = {
    "chemical_biological": "chemical_biological_weapons",
    "cybercrime_intrusion": "cyber_offence",
    "misinformation_disinformation": "disinformation",
    "harassment_bullying": "hate_harassment",
}
FUNCTIONAL = ("standard", "contextual", "copyright")


def contextual_prompt(context: str, behavior: str) -> str:
    """HarmBench's own layout for a behaviour that refers to a given context."""
    return f"{context}\n\n---\n\n{behavior}"


def import_harmbench(path: Path, language: str = "en") -> ImportResult:
    records: list[SuiteRecord] = []
    lines: list[int] = []
    skipped = 0
    rows = read_source_csv(
        path,
        "HarmBench behaviours",
        required={
            "behavior": ("Behavior",),
            "functional": ("FunctionalCategory",),
            "semantic": ("SemanticCategory",),
            "behavior_id": ("BehaviorID",),
        },
        optional={"context": ("ContextString",)},
    )
    for row in rows:
        functional = row.require("functional").lower()
        if functional not in FUNCTIONAL:
            raise row.error("functional", f"unknown functional category '{row.get('functional')}'; HarmBench uses {', '.join(FUNCTIONAL)}")
        behavior, behavior_id, semantic = row.require("behavior"), row.require("behavior_id"), row.require("semantic")
        context = row.get("context")
        if functional == "copyright":
            skipped += 1
            continue
        if functional == "contextual" and not context:
            raise row.error("context", "contextual behaviour without a ContextString; give the context or label it 'standard'")
        if functional == "standard" and context:
            raise row.error("functional", "a standard behaviour with a ContextString; contextual behaviours are labelled 'contextual'")
        category = map_category(semantic, CATEGORY_MAP)
        records.append(
            SuiteRecord(
                id=f"hb-{behavior_id}",
                category=category,
                variant="harmful",
                prompt=contextual_prompt(context, behavior) if functional == "contextual" else behavior,
                subcategory=semantic,
                language=language,
                source="HarmBench",
                form="contextual" if functional == "contextual" else None,
            )
        )
        lines.append(row.line)
    check_unique_ids(records, lines, Path(path), "BehaviorID")
    result = ImportResult(KIND, records)
    if skipped:
        result.skipped["copyright behaviours (scored by reproduction, not refusal)"] = skipped
    return result
