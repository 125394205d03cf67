"""Read Inspect logs back into one row per (model, sample) and pair the two models.

Everything the report says is derived from the logs, so `auditor report` can rebuild an
audit's outputs without calling any model, and nothing computed before a failure is lost.
"""

from __future__ import annotations

import gc
import io
import math
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log
from pydantic_core import from_json

from auditor.errors import AuditorError

SAMPLE_COLUMNS = [
    "task", "suite", "id", "category", "subcategory", "variant", "pair_id", "language", "form",
    "attack", "prompt", "response", "stop_reason", "refusal", "harmful", "judge", "unscored", "error",
]
KEY = ["task", "suite", "id"]


@dataclass
class SampleLog:
    """One log's header (`eval` spec, status) and its samples as plain JSON mappings.

    Pairing needs a handful of fields per sample; validating every sample into Inspect's
    pydantic `EvalSample` costs about 3 ms each (a minute for two 10,000-sample logs),
    while the same samples as JSON take a fraction of that. The header is still read and
    validated by Inspect (`read_eval_log(header_only=True)`).
    """

    location: str
    header: EvalLog
    samples: list[dict[str, Any]]

    @property
    def eval(self) -> Any:
        return self.header.eval


def _task_kind(log: SampleLog) -> str:
    return (log.eval.metadata or {}).get("auditor_task") or log.eval.task.split("/")[-1]


def _resolve(value: Any, attachments: dict[str, str]) -> Any:
    """Inspect stores long strings once, as `attachment://<hash>`; give back the text."""
    if isinstance(value, str) and value.startswith("attachment://"):
        return attachments.get(value.removeprefix("attachment://"), value)
    return value


def _completion(output: dict[str, Any] | None, attachments: dict[str, str]) -> str | None:
    if not output:
        return None
    completion = output.get("completion")
    if completion is None and output.get("choices"):
        content = (output["choices"][0].get("message") or {}).get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        completion = content
    return _resolve(completion, attachments)


def _stop_reason(output: dict[str, Any] | None) -> str | None:
    """The first choice's stop reason; None for an errored sample (whose output has no choices)."""
    if not output or not output.get("choices"):
        return None
    return output["choices"][0].get("stop_reason") or None


def _confidence(value: Any) -> float | None:
    """The judge's certainty in its label (None when not recorded); the review sampler over-samples low values."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        return None
    return float(value)


def _sample_row(log: SampleLog, sample: dict[str, Any]) -> dict[str, Any]:
    attachments = sample.get("attachments") or {}
    metadata = sample.get("metadata") or {}
    scores = sample.get("scores") or {}
    score = next(iter(scores.values()), None)
    score_meta = (score.get("metadata") or {}) if score else {}
    output = sample.get("output")
    error = (sample.get("error") or {}).get("message")
    refusal = "error" if error else score_meta.get("refusal")
    if refusal is None:
        refusal = "error"
        error = error or "sample was not scored"
    harmful = score_meta.get("harmful", 0.0)
    if not isinstance(harmful, (int, float)) or (isinstance(harmful, float) and math.isnan(harmful)):
        harmful = 0.0
    sample_input = _resolve(sample.get("input"), attachments)
    prompt = metadata.get("prompt")
    return {
        "task": _task_kind(log),
        "suite": metadata.get("suite") or (log.eval.metadata or {}).get("suite") or log.eval.dataset.name,
        "id": str(sample.get("id")),
        "category": metadata.get("category"),
        "subcategory": metadata.get("subcategory"),
        "variant": metadata.get("variant"),
        "pair_id": metadata.get("pair_id"),
        "language": metadata.get("language", "en"),
        "form": metadata.get("form"),
        "attack": metadata.get("attack"),
        "prompt": prompt if prompt is not None else sample_input if isinstance(sample_input, str) else None,
        "response": _completion(output, attachments),
        "stop_reason": _stop_reason(output),
        "refusal": refusal,
        "harmful": float(harmful),
        "judge": score_meta.get("judge"),
        "unscored": score_meta.get("unscored"),
        "error": error,
        "claimed_identity": score_meta.get("claimed_identity"),
        "confidence": _confidence(score_meta.get("confidence")),
    }


# Transcript fields: most of a log's size and none of the report's input.
SKIPPED_SAMPLE_FIELDS = {"events", "timelines", "messages", "store", "model_usage", "role_usage"}


_EVENTS_KEY = b',"events":'
_AFTER_EVENTS = b'],"model_usage":'
_CUT_OK: list[bool] = []


def _cut_ok() -> bool:
    """Whether Inspect writes nothing the report needs between a sample's `events` and `model_usage`."""
    if not _CUT_OK:
        from inspect_ai.log import EvalSample

        fields = list(EvalSample.model_fields)
        ok = "events" in fields and "model_usage" in fields and fields.index("events") < fields.index("model_usage")
        _CUT_OK.append(ok and set(fields[fields.index("events"):fields.index("model_usage")]) <= SKIPPED_SAMPLE_FIELDS)
    return _CUT_OK[0]


def sample_json(raw: bytes) -> dict[str, Any]:
    """One sample's JSON from an `.eval` log, without parsing its transcript (`events`).

    The events are about three quarters of a sample's bytes and none of the report's input,
    so the text before the top-level `"events"` key and the text after its array are parsed
    instead of the whole. The cut points are found as byte strings and confirmed by the
    parse itself: a cut at a nested `"events"` key (or a nested `"model_usage"` after an
    array) leaves unbalanced brackets and fails to parse, and a key name cannot occur
    unescaped inside a JSON string. Whatever lies between the two (Inspect's field order,
    checked once) is transcript too. Anything unexpected falls back to parsing the whole.
    The parser is pydantic-core's (Rust; Inspect's own JSON stack), about 1.7x the
    standard library's `json` on these samples.
    """
    start = raw.find(_EVENTS_KEY) if _cut_ok() else -1
    while start != -1:
        try:
            head = from_json(raw[:start] + b"}")
        except ValueError:
            start = raw.find(_EVENTS_KEY, start + 1)
            continue
        end = raw.find(_AFTER_EVENTS, start)
        while end != -1:
            try:
                tail = from_json(b"{" + raw[end + 2:])
            except ValueError:
                end = raw.find(_AFTER_EVENTS, end + 1)
                continue
            if isinstance(head, dict) and isinstance(tail, dict):
                return {**head, **tail}
            break
        break
    return from_json(raw)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while thousands of samples are parsed, paired and written.

    Samples, rows and report entries hold no reference cycles, but every allocation counts
    towards the collector's thresholds, and with tens of thousands of live samples each
    full collection walks all of them: a third of the time of a report from two
    10,000-sample logs. Nesting is fine; the previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _header_from(archive: zipfile.ZipFile, names: set[str], path: str) -> EvalLog | None:
    """A finished `.eval` log's header, validated by Inspect's own model, or None to let Inspect's reader do it.

    `read_eval_log(header_only=True)` also validates the log's reductions (every sample's
    score again: 2 MB and 0.3 s for a 10,000-sample log) and opens the archive a second
    time; the report needs neither. `header.json` is what Inspect itself reads as the header
    (with the same deserialising context); a log without one (still running, or crashed) and
    anything unexpected go through Inspect's reader.
    """
    if "header.json" not in names:
        return None
    try:
        from inspect_ai._util.constants import get_deserializing_context

        header = EvalLog.model_validate(from_json(archive.read("header.json")), context=get_deserializing_context())
    except (ImportError, ValueError, KeyError):
        return None
    header.location = path
    return header


def _local_eval_log(path: str) -> tuple[EvalLog | None, list[dict[str, Any]]] | None:
    """(header or None, samples) of a local `.eval` log, a zip with one JSON file per sample; None for other formats."""
    if not path.endswith(".eval") or not Path(path).exists():
        return None
    # the whole file in memory first: 20,000 member reads from a BytesIO cost a fraction of 60,000 file reads
    with gc_paused(), zipfile.ZipFile(io.BytesIO(Path(path).read_bytes())) as archive:
        names = archive.namelist()
        header = _header_from(archive, set(names), path)
        samples = []
        # a re-logged sample appends a second member of the same name; reading by name gives the last, as Inspect does
        for name in dict.fromkeys(n for n in names if n.startswith("samples/") and n.endswith(".json")):
            sample = sample_json(archive.read(name))
            for field_name in SKIPPED_SAMPLE_FIELDS:
                sample.pop(field_name, None)
            samples.append(sample)
    return header, samples


def read_log(location: Any) -> SampleLog:
    """Read one log: header and samples from the archive for local `.eval` logs, Inspect's reader otherwise."""
    text = str(getattr(location, "name", location))
    path = text.removeprefix("file://")
    local = _local_eval_log(path)
    if local is None:  # `.json` logs or remote stores: Inspect's reader once, then plain mappings and the header alone
        full = read_eval_log(location)
        samples = [s.model_dump(mode="json", exclude=SKIPPED_SAMPLE_FIELDS) for s in full.samples or []]
        full.samples = None  # what is left is the header-only read's log, without reading (or downloading) it again
        return SampleLog(path, full, samples)
    header, samples = local
    return SampleLog(path, header or read_eval_log(location, header_only=True), samples)


def read_logs(log_dir: str | Path) -> list[SampleLog]:
    """Every readable log in the directory (full logs, samples included)."""
    from auditor.storage import exists, is_url

    log_dir = log_dir if is_url(log_dir) else Path(log_dir)  # a local folder or an fsspec URL (s3://...)
    if not exists(log_dir):
        raise AuditorError(f"log directory not found: {log_dir}; pass the --log-dir an audit wrote to")
    infos = list_eval_logs(str(log_dir), recursive=True)
    return [read_log(info) for info in infos]


def model_names(logs: Iterable[SampleLog]) -> list[str]:
    return sorted({log.eval.model for log in logs})


def samples_for_model(logs: Iterable[SampleLog], model: str) -> pd.DataFrame:
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
        frame = pd.DataFrame(columns=SAMPLE_COLUMNS + ["claimed_identity", "confidence"])
    return frame


@dataclass
class PairedSamples:
    """The two models' samples aligned by (task, suite, id), plus what could not be paired."""

    original: str
    suspect: str
    paired: pd.DataFrame  # columns: KEY + metadata + original_* + suspect_*
    unpaired: pd.DataFrame  # KEY + "present_for"


PER_MODEL = ["response", "stop_reason", "refusal", "harmful", "judge", "unscored", "error", "claimed_identity", "confidence"]


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


def load_paired(log_dir: str | Path, original: str, suspect: str, logs: list[SampleLog] | None = None) -> PairedSamples:
    """Read a log directory and pair the two models' samples."""
    with gc_paused():
        return _load_paired(log_dir, original, suspect, logs)


def _load_paired(log_dir: str | Path, original: str, suspect: str, logs: list[SampleLog] | None) -> PairedSamples:
    logs = logs if logs is not None else read_logs(log_dir)
    present = model_names(logs)
    for role, model in (("original", original), ("suspect", suspect)):
        if model not in present:
            raise AuditorError(
                f"no logs for the {role} model '{model}' in {log_dir}; models with logs there: {', '.join(present) or 'none'}"
            )
    return pair_samples(samples_for_model(logs, original), samples_for_model(logs, suspect), original, suspect)
