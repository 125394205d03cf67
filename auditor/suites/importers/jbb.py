"""JailbreakBench JBB-Behaviors (Chao et al. 2024): 100 harmful behaviours and 100 row-aligned benign twins.

Upstream the two halves are separate files, `harmful-behaviors.csv` and
`benign-behaviors.csv` (columns Index, Goal, Target, Behavior, Category, Source), with
the benign behaviour of each Index written as the twin of the harmful one. PATH is
the harmful file (the benign file is looked for beside it) or the folder holding both;
`--benign` names the benign file explicitly. Rows pair by Index (by row order when
there is no Index column); a twin whose Index or Category does not match stops the
import, because a misaligned file would pair unrelated prompts.

Categories map onto the taxonomy where the scopes match (Harassment/Discrimination,
Malware/Hacking, Fraud/Deception, Disinformation, Privacy); Physical harm, Economic
harm, Sexual/Adult content, Expert advice and Government decision-making keep their
own names. The JBB behaviour name is kept as the subcategory.
"""

from __future__ import annotations

from pathlib import Path

from auditor.errors import SuiteError
from auditor.suites.importers._common import ImportResult, SourceRow, map_category, read_source_csv
from auditor.suites.schema import SuiteRecord

KIND = "jbb"
HARMFUL_FILE = "harmful-behaviors.csv"
BENIGN_FILE = "benign-behaviors.csv"
CATEGORY_MAP = {
    "harassment_discrimination": "hate_harassment",
    "malware_hacking": "cyber_offence",
    "fraud_deception": "fraud_scams_deception",
    "disinformation": "disinformation",
    "privacy": "privacy_surveillance",
}
COLUMNS = {"goal": ("Goal",), "category": ("Category",)}
OPTIONAL = {"index": ("Index",), "behavior": ("Behavior",), "source": ("Source",)}


def locate(path: Path, benign: Path | None) -> tuple[Path, Path]:
    """(harmful file, benign file) from a folder or the harmful file, plus an optional explicit benign path."""
    path = Path(path).expanduser()
    if path.is_dir():
        harmful = path / HARMFUL_FILE
        if not harmful.exists():
            raise SuiteError(f"{path}: no {HARMFUL_FILE} in this folder; pass the JBB harmful behaviours CSV")
        return harmful, Path(benign) if benign else path / BENIGN_FILE
    if "benign" in path.name.lower():
        raise SuiteError(f"{path}: this is the benign half; pass the harmful file ({HARMFUL_FILE}) and its benign twin is found beside it")
    if benign:
        return path, Path(benign).expanduser()
    candidates = [path.with_name(BENIGN_FILE), path.with_name(path.name.replace("harmful", "benign"))]
    for candidate in candidates:
        if candidate != path and candidate.exists():
            return path, candidate
    raise SuiteError(f"{path}: no {BENIGN_FILE} beside it; download both JBB-Behaviors files or pass --benign PATH")


def _rows(path: Path, what: str) -> list[SourceRow]:
    return list(read_source_csv(path, what, required=COLUMNS, optional=OPTIONAL))


def import_jbb(path: Path, language: str = "en", benign: Path | None = None) -> ImportResult:
    harmful_path, benign_path = locate(path, benign)
    harmful_rows = _rows(harmful_path, "JBB harmful behaviours")
    benign_rows = _rows(benign_path, "JBB benign behaviours")

    def key(row: SourceRow, number: int) -> str:
        return row.get("index") or str(number)

    benign_by_key: dict[str, SourceRow] = {}
    for number, row in enumerate(benign_rows, start=1):
        k = key(row, number)
        if k in benign_by_key:
            raise row.error("index", f"duplicate Index '{k}' (first on line {benign_by_key[k].line})")
        benign_by_key[k] = row
    records: list[SuiteRecord] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(harmful_rows, start=1):
        k = key(row, number)
        if k in seen:
            raise row.error("index", f"duplicate Index '{k}' (first on line {seen[k]})")
        seen[k] = row.line
        twin = benign_by_key.get(k)
        if twin is None:
            raise row.error("index", f"no benign twin with Index '{k}' in {benign_path}; the two files must be row-aligned")
        category = row.require("category")
        if twin.require("category").lower() != category.lower():
            raise twin.error("category", f"'{twin.get('category')}' but its harmful twin (line {row.line} of {harmful_path.name}) is '{category}'; the files are misaligned")
        mapped = map_category(category, CATEGORY_MAP)
        behavior = row.get("behavior") or None
        pair_id = f"jbb-{k}"
        origin = row.get("source")
        records.append(SuiteRecord(f"{pair_id}-h", mapped, "harmful", row.require("goal"), pair_id, behavior, language,
                                   f"JBB-Behaviors/{origin}" if origin else "JBB-Behaviors"))
        records.append(SuiteRecord(f"{pair_id}-b", mapped, "benign", twin.require("goal"), pair_id, behavior, language,
                                   "JBB-Behaviors/benign"))
    extra = sorted(set(benign_by_key) - set(seen))
    if extra:
        row = benign_by_key[extra[0]]
        raise row.error("index", f"benign Index '{extra[0]}' has no harmful twin in {harmful_path}; the two files must be row-aligned")
    return ImportResult(KIND, records)
