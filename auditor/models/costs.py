"""What an audit will cost before it runs: requests and tokens per model, and dollars where priced.

The request count is exact (one generation per selected sample and model; the LLM
grader judges each model's answer once). Tokens are estimates, said plainly:
input tokens are prompt characters / 4 plus a small chat-template overhead, and each
answer is assumed to be `output_tokens` long (capped by `max_tokens` when one is set) —
refusals are shorter, long compliant answers longer. Dollars come from a small price
table (`auditor/data/prices.json`) that a user file overrides entry by entry.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

CHARS_PER_TOKEN = 4
TEMPLATE_TOKENS = 10  # role markers and separators a chat template adds per request
DEFAULT_OUTPUT_TOKENS = 500
GRADER_RUBRIC_TOKENS = 600  # the LLM judge's instructions around each prompt/answer pair
GRADER_OUTPUT_TOKENS = 150
FREE_PROVIDERS = ("local", "replay", "mockllm", "none")


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input: float
    output: float


def _read_table(text: str, toml: bool, path: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text) if toml else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"price file {path} is not valid {'TOML' if toml else 'JSON'}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"price file {path} must hold a table of model -> {{input, output}}")
    table = data.get("models", data)
    if not isinstance(table, dict):
        raise ConfigError(f"price file {path}: 'models' must be a table of model -> {{input, output}}")
    return {k: v for k, v in table.items() if k != "about"}


def _parse_prices(table: dict[str, Any], source: str) -> dict[str, Price]:
    prices: dict[str, Price] = {}
    for model, entry in table.items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), (int, float)) for k in ("input", "output")):
            raise ConfigError(
                f"price file {source}: entry '{model}' needs numeric 'input' and 'output' (USD per million tokens)"
            )
        prices[model] = Price(float(entry["input"]), float(entry["output"]))
    return prices


def load_prices(override: str | Path | None = None) -> dict[str, Price]:
    """The built-in price table, with entries from `override` (JSON or TOML) replacing or adding to it."""
    builtin = (resources.files("auditor") / "data" / "prices.json").read_text(encoding="utf-8")
    prices = _parse_prices(_read_table(builtin, False, "auditor/data/prices.json"), "auditor/data/prices.json")
    if override is not None:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ConfigError(f"price file not found: {path}")
        table = _read_table(path.read_text(encoding="utf-8"), path.suffix.lower() == ".toml", str(path))
        prices.update(_parse_prices(table, str(path)))
    return prices


def price_for(spec: str, prices: dict[str, Price]) -> Price | None:
    """A model's price: its own entry, the wrapped model's for `guarded/`, zero for in-process models."""
    if spec in prices:
        return prices[spec]
    if spec.startswith("guarded/"):
        return price_for(spec.removeprefix("guarded/"), prices)
    if spec.split("/", 1)[0] in FREE_PROVIDERS:
        return Price(0.0, 0.0)
    return None


@dataclass(frozen=True)
class Workload:
    """The samples an audit will send to each model, summarised for estimating."""

    samples: int
    prompt_tokens: int  # summed over samples, template overhead included


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) + TEMPLATE_TOKENS


def workload_from_tasks(tasks: list[Any], limit: int | None = None, sample_ids: list[str] | None = None) -> Workload:
    """Count the samples (after --limit or a sample-id selection) and their prompt tokens."""
    samples = 0
    tokens = 0
    wanted = {str(i) for i in sample_ids} if sample_ids else None
    for task in tasks:
        chosen = [s for s in task.dataset if wanted is None or str(s.id) in wanted]
        if limit is not None:
            chosen = chosen[:limit]
        epochs = getattr(task, "epochs", None) or 1
        for sample in chosen:
            text = sample.input if isinstance(sample.input, str) else "\n".join(m.text for m in sample.input)
            samples += epochs
            tokens += epochs * estimate_tokens(text)
    return Workload(samples, tokens)


@dataclass(frozen=True)
class CostLine:
    """One model's share of the run."""

    role: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    price: Price | None

    @property
    def dollars(self) -> float | None:
        if self.price is None:
            return None
        return (self.input_tokens * self.price.input + self.output_tokens * self.price.output) / 1_000_000


def estimate_costs(
    models: dict[str, str],
    workload: Workload,
    prices: dict[str, Price],
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    max_tokens: int | None = None,
    grader: str | None = None,
) -> list[CostLine]:
    """Requests, tokens and dollars per audited model and, when an LLM judge is used, for its grader."""
    answer = min(output_tokens, max_tokens) if max_tokens else output_tokens
    lines = [
        CostLine(role, spec, workload.samples, workload.prompt_tokens, workload.samples * answer, price_for(spec, prices))
        for role, spec in models.items()
    ]
    if grader:
        judged = workload.samples * len(models)
        grader_input = len(models) * (workload.prompt_tokens + workload.samples * (answer + GRADER_RUBRIC_TOKENS))
        lines.append(CostLine("grader", grader, judged, grader_input, judged * GRADER_OUTPUT_TOKENS, price_for(grader, prices)))
    return lines
