"""`replay/<path>`: serve recorded responses as if a model produced them.

This is how teams audit transcripts they already have (e.g. responses collected from
a suspect's public API) and how the tests run offline. A response is matched by
sample id first, then by the exact prompt text; a sample with no recording is an
error for that sample (never a silent empty answer, which a judge could read as a refusal).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.solver._task_state import sample_state
from inspect_ai.tool import ToolChoice, ToolInfo

from auditor.errors import ConfigError
from auditor.providers.messages import answer_content, last_user_text
from auditor.records import CSV_SUFFIXES, JSONL_SUFFIXES, RecordFileError, read_records

RESPONSE_COLUMNS = ("response", "completion", "output")


@dataclass(frozen=True)
class Recording:
    """One recorded answer."""

    response: str
    stop_reason: str | None = None


@dataclass
class ReplayFile:
    """An indexed replay file: answers by sample id and by prompt text."""

    path: Path
    by_id: dict[str, Recording]
    by_prompt: dict[str, Recording]

    def lookup(self, sample_id: str | None, prompt: str | None) -> Recording | None:
        if sample_id is not None and sample_id in self.by_id:
            return self.by_id[sample_id]
        if prompt is not None:
            return self.by_prompt.get(prompt) or self.by_prompt.get(prompt.strip())
        return None


class ReplayMissing(RuntimeError):
    """No recorded response for a sample."""


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The replay file's rows (one reader for every record file; the wording here names the replay file)."""
    try:
        return read_records(path)[0]
    except RecordFileError as exc:
        if exc.kind == "json":
            raise ConfigError(f"{exc.where()}: bad JSON in replay file ({exc.detail}); fix or remove the line") from None
        if exc.kind == "not_object":
            raise ConfigError(f"{exc.where()}: replay rows must be JSON objects") from None
        raise ConfigError(f"replay file {exc.default_message()}") from None


def parse_replay_file(path: Path) -> ReplayFile:
    """Read and index a replay file, with one-line errors for missing files or columns."""
    if not path.exists():
        raise ConfigError(f"replay file not found: {path}; use replay/<path to .jsonl or .csv of recorded responses>")
    if path.suffix.lower() not in JSONL_SUFFIXES + CSV_SUFFIXES:
        raise ConfigError(f"replay file {path} must be .jsonl or .csv")
    rows = _rows(path)
    if not rows:
        raise ConfigError(f"replay file {path} has no rows")
    columns = set().union(*(row.keys() for _, row in rows))
    response_col = next((c for c in RESPONSE_COLUMNS if c in columns), None)
    if response_col is None:
        raise ConfigError(f"replay file {path} has no response column (one of {', '.join(RESPONSE_COLUMNS)}); columns: {', '.join(sorted(columns))}")
    if "id" not in columns and "prompt" not in columns:
        raise ConfigError(f"replay file {path} has neither an 'id' nor a 'prompt' column, so responses cannot be matched to samples; columns: {', '.join(sorted(columns))}")
    by_id: dict[str, Recording] = {}
    by_prompt: dict[str, Recording] = {}
    for line_no, row in rows:
        response = row.get(response_col)
        if response is None:
            raise ConfigError(f"{path}:{line_no}: empty '{response_col}' cell; record an empty string \"\" if the model really answered nothing")
        stop = row.get("stop_reason") or None
        recording = Recording(str(response), str(stop) if stop else None)
        if row.get("id") not in (None, ""):
            by_id[str(row["id"])] = recording
        if row.get("prompt") not in (None, ""):
            by_prompt.setdefault(str(row["prompt"]), recording)
    return ReplayFile(path, by_id, by_prompt)


_CACHE: dict[tuple[str, float, int], ReplayFile] = {}
_CACHE_LOCK = threading.Lock()


def load_replay_file(path: str | Path) -> ReplayFile:
    """Parse once per (path, mtime, size): an audit of thousands of samples reads the file once."""
    resolved = Path(path).expanduser().resolve()
    try:
        stat = resolved.stat()
        key = (str(resolved), stat.st_mtime, stat.st_size)
    except OSError:
        key = (str(resolved), 0.0, 0)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = parse_replay_file(resolved)
        return _CACHE[key]



def _approx_tokens(text: str) -> int:
    """Rough token count (words) so Inspect never needs tiktoken (which downloads) offline."""
    return max(1, len(text.split()))


class ReplayModelAPI(ModelAPI):
    """Recorded responses served by sample id or prompt."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.replay_path = Path(os.path.expanduser(model_name))
        self.recordings = load_replay_file(self.replay_path)

    def max_connections(self) -> int:
        return 256

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        state = sample_state()
        sample_id = str(state.sample_id) if state is not None and state.sample_id is not None else None
        prompt = last_user_text(input)
        recording = self.recordings.lookup(sample_id, prompt)
        if recording is None:
            raise ReplayMissing(
                f"replay file {self.replay_path} has no response for sample id '{sample_id}' "
                f"or its prompt; add a row with this id or prompt"
            )
        input_tokens = sum(_approx_tokens(m.text) for m in input)
        output_tokens = _approx_tokens(recording.response)
        output = ModelOutput.from_content(
            model=f"replay/{self.model_name}",
            content=answer_content(recording.response),
            stop_reason=recording.stop_reason or "stop",  # type: ignore[arg-type]
        )
        output.usage = ModelUsage(
            input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
        )
        return output
