"""Read Inspect logs back into one row per (model, sample) and pair the two models.

Everything the report says is derived from the logs, so `auditor report` can rebuild an
audit's outputs without calling any model, and nothing computed before a failure is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from auditor.errors import AuditorError

SAMPLE_COLUMNS = [
    "task", "suite", "id", "category", "subcategory", "variant", "pair_id", "language", "form",
    "attack", "prompt", "response", "stop_reason", "refusal", "harmful", "judge", "unscored", "error",
]
KEY = ["task", "suite", "id"]


def _task_kind(log: EvalLog) -> str:
    return (log.eval.metadata or {}).get("auditor_task") or log.eval.task.split("/")[-1]


def _stop_reason(output: Any) -> str | None:
    """The first choice's stop reason; None for an errored sample (whose output has no choices)."""
    if output is None or not output.choices:
        return None
    return str(output.stop_reason) if output.stop_reason else None


def _sample_row(log: EvalLog, sample: Any) -> dict[str, Any]:
    metadata = sample.metadata or {}
    score = next(iter(sample.scores.values()), None) if sample.scores else None
    score_meta = (score.metadata or {}) if score is not None else {}
    output = sample.output
    error = sample.error.message if sample.error is not None else None
    refusal = "error" if error else score_meta.get("refusal")
    if refusal is None:
        refusal = "error"
        error = error or "sample was not scored"
    harmful = score_meta.get("harmful", 0.0)
    if harmful is None or (isinstance(harmful, float) and math.isnan(harmful)):
        harmful = 0.0
    return {
        "task": _task_kind(log),
        "suite": metadata.get("suite") or (log.eval.metadata or {}).get("suite") or log.eval.dataset.name,
        "id": str(sample.id),
        "category": metadata.get("category"),
        "subcategory": metadata.get("subcategory"),
        "variant": metadata.get("variant"),
        "pair_id": metadata.get("pair_id"),
        "language": metadata.get("language", "en"),
        "form": metadata.get("form"),
        "attack": metadata.get("attack"),
        "prompt": metadata.get("prompt") if metadata.get("prompt") is not None else sample.input if isinstance(sample.input, str) else None,
        "response": output.completion if output is not None else None,
        "stop_reason": _stop_reason(output),
        "refusal": refusal,
        "harmful": float(harmful),
        "judge": score_meta.get("judge"),
        "unscored": score_meta.get("unscored"),
        "error": error,
        "claimed_identity": score_meta.get("claimed_identity"),
    }


# What pairing reads of a sample: id, input, metadata, output, scores, error. The transcript
# (events, messages) is most of a log's size and none of the report's input, so it is not loaded.
SKIPPED_SAMPLE_FIELDS = {"events", "messages", "store", "attachments", "model_usage", "role_usage", "limit"}


def read_log(location: Any) -> EvalLog:
    """Read one log with its samples, skipping the transcript fields pairing never uses."""
    return read_eval_log(location, exclude_fields=SKIPPED_SAMPLE_FIELDS)


@dataclass
class ModelLogs:
    """The logs of one model found in a log directory (newest first per task)."""

    model: str
    logs: list[EvalLog]


def read_logs(log_dir: str | Path) -> list[EvalLog]:
    """Every readable log in the directory (full logs, samples included)."""
    log_dir = Path(log_dir)
    if not log_dir.exists():
        raise AuditorError(f"log directory not found: {log_dir}; pass the --log-dir an audit wrote to")
    infos = list_eval_logs(str(log_dir), recursive=True)
    return [read_log(info) for info in infos]


def model_names(logs: Iterable[EvalLog]) -> list[str]:
    return sorted({log.eval.model for log in logs})


def samples_for_model(logs: Iterable[EvalLog], model: str) -> pd.DataFrame:
    """One row per sample of `model`, taking each sample from the newest log that holds it."""
    chosen = [log for log in logs if log.eval.model == model]
    # newest first so the first row kept for a key is the newest
    chosen.sort(key=lambda log: log.eval.created, reverse=True)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for log in chosen:
        for sample in log.samples or []:
            row = _sample_row(log, sample)
            key = (row["task"], row["suite"], row["id"])
            existing = rows.get(key)
            # keep the newest answer, but never let an errored retry hide a finished one
            if existing is None or (existing["refusal"] == "error" and row["refusal"] != "error"):
                rows[key] = row
    frame = pd.DataFrame(list(rows.values()))
    if frame.empty:
        frame = pd.DataFrame(columns=SAMPLE_COLUMNS + ["claimed_identity"])
    return frame


@dataclass
class PairedSamples:
    """The two models' samples aligned by (task, suite, id), plus what could not be paired."""

    original: str
    suspect: str
    paired: pd.DataFrame  # columns: KEY + metadata + original_* + suspect_*
    unpaired: pd.DataFrame  # KEY + "present_for"


PER_MODEL = ["response", "stop_reason", "refusal", "harmful", "judge", "unscored", "error", "claimed_identity"]


def pair_samples(original_frame: pd.DataFrame, suspect_frame: pd.DataFrame, original: str, suspect: str) -> PairedSamples:
    """Align on (task, suite, id); rows on one side only are reported as unpaired, never dropped silently."""
    shared = [c for c in SAMPLE_COLUMNS if c not in PER_MODEL and c not in KEY]
    left = original_frame.rename(columns={c: f"original_{c}" for c in PER_MODEL})
    right = suspect_frame.rename(columns={c: f"suspect_{c}" for c in PER_MODEL}).drop(columns=shared, errors="ignore")
    merged = left.merge(right, on=KEY, how="outer", indicator=True)
    paired = merged[merged["_merge"] == "both"].drop(columns="_merge").reset_index(drop=True)
    lonely = merged[merged["_merge"] != "both"].copy()
    lonely["present_for"] = lonely["_merge"].map({"left_only": "original", "right_only": "suspect"}).astype(str)
    unpaired = lonely[KEY + ["present_for"]].reset_index(drop=True)
    return PairedSamples(original, suspect, paired, unpaired)


def load_paired(log_dir: str | Path, original: str, suspect: str, logs: list[EvalLog] | None = None) -> PairedSamples:
    """Read a log directory and pair the two models' samples."""
    logs = logs if logs is not None else read_logs(log_dir)
    present = model_names(logs)
    for role, model in (("original", original), ("suspect", suspect)):
        if model not in present:
            raise AuditorError(
                f"no logs for the {role} model '{model}' in {log_dir}; models with logs there: {', '.join(present) or 'none'}"
            )
    return pair_samples(samples_for_model(logs, original), samples_for_model(logs, suspect), original, suspect)
