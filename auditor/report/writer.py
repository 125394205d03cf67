"""Write an audit's outputs from paired samples.

Each output is written to a temporary file and renamed into place, so an interrupted
write never leaves a truncated report beside the logs it was built from.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.results import KEY, PER_MODEL, PairedSamples


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA:
        return None
    return value


def sample_entries(paired: pd.DataFrame) -> list[dict[str, Any]]:
    """report.json's `samples`: one entry per aligned sample with both models' labels."""
    entries: list[dict[str, Any]] = []
    meta_cols = [c for c in paired.columns if not c.startswith(("original_", "suspect_"))]
    for record in paired.to_dict(orient="records"):
        entry = {c: _clean(record.get(c)) for c in meta_cols}
        for side in ("original", "suspect"):
            entry[side] = {c: _clean(record.get(f"{side}_{c}")) for c in PER_MODEL}
        entries.append(entry)
    return entries


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, then rename (atomic on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_report_data(paired: PairedSamples, context: dict[str, Any]) -> dict[str, Any]:
    """The report as data (what report.json holds)."""
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **context,
        "original": paired.original,
        "suspect": paired.suspect,
        "samples": sample_entries(paired.paired),
        "unpaired": paired.unpaired.to_dict(orient="records"),
    }


def write_reports(
    paired: PairedSamples, out_dir: str | Path, context: dict[str, Any], **options: Any
) -> tuple[dict[str, Path], dict[str, Any]]:
    """Write report.json (and, once the report module is complete, HTML and Markdown); return paths and data."""
    out = Path(out_dir)
    data = build_report_data(paired, context)
    json_path = out / "report.json"
    atomic_write_text(json_path, json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return {"json": json_path}, data
