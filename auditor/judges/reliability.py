"""A judge's measured agreement with human labels, for the report's "Judge reliability" section.

Figures come from files, never from code: `auditor/judges/weights/reliability.json`
(written by `scripts/train_offline_judge.py` when it measures the shipped judges on
held-out labels), and, checked first, a team's own measurements in the file named by
AUDITOR_JUDGE_RELIABILITY (written by `auditor judge-eval --reliability-out FILE`). A
judge with no measurement gets None, and the report says it is unmeasured.
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
