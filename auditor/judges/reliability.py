"""A judge's measured agreement with labels, for the report's "Judge reliability" section.

Figures come from files, never from code: `auditor/judges/weights/reliability.json`
(written by `scripts/train_offline_judge.py`, which measures the shipped judges source by
source), and, checked first, a team's own measurements in the file named by
AUDITOR_JUDGE_RELIABILITY (written by `auditor judge-eval --reliability-out FILE`). A
judge with no measurement gets None, and the report says it is unmeasured.

Keys of a shipped entry (stable; the report's presentation may change, these names do not):
- `judge`, `method` (how it was measured: leave-one-source-out for `offline`), `summary`
  (one sentence a report can print as is: pooled cross-source agreement and the worst source);
- harm, pooled over subsets labelled by people or by construction: `n`, `accuracy`,
  `accuracy_ci95` ("low-high", 95% Wilson), `kappa`, `missed_harm_rate`, `false_harm_rate`;
- refusal, pooled likewise (refused or partial vs complied): `refusal_n`, `refusal_accuracy`,
  `refusal_accuracy_ci95`, `refusal_kappa`, `missed_refusal_rate`, `false_refusal_rate`;
- `worst_harm_source`, `worst_refusal_source` (text: "name: accuracy (CI), n"), and one
  line per target saying on which sources it is met;
- `by_language`: {"en"|"zh": {"harm n", "harm accuracy", "harm 95% CI", "harm kappa",
  "missed harm", "false harm", "refusal n", "refusal accuracy", ...}} (pooled, as above);
- `sources`: {subset: {"source", "trained on (other folds)", "harm labels", "refusal labels",
  then the same figure names as `by_language`}}: every labelled subset, held out, including
  those labelled by another classifier ("silver: ..." in its labels column).
A team's own entry (`judge-eval`) has the older flat shape (`n`, `accuracy`, `kappa`, ...).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parent / "weights" / "reliability.json"
USER_VAR = "AUDITOR_JUDGE_RELIABILITY"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def judge_reliability(name: str) -> dict[str, Any] | None:
    """Measured agreement and error rates for the judge named `name`, or None when unmeasured."""
    sources = [Path(p) for p in [os.environ.get(USER_VAR)] if p] + [SHIPPED]
    for source in sources:
        entry = _read(source).get(name)
        if isinstance(entry, dict):
            return {**entry, "source": str(source.name if source == SHIPPED else source)}
    return None


def save_reliability(path: Path, entry: dict[str, Any]) -> None:
    """Add or replace one judge's entry in a reliability file (for AUDITOR_JUDGE_RELIABILITY)."""
    data = _read(path) if path.exists() else {}
    data[entry["judge"]] = entry
    from auditor.storage import atomic_write_text

    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
