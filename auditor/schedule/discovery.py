"""Discovery: list the models an OpenAI-compatible endpoint offers and keep the ones to audit.

Providers (DeepSeek, Moonshot, ...) and routers (OpenRouter, Together, ...) all answer
`GET {base}/models` with `{"data": [{"id": ...}, ...]}`, so one small client covers them.
Listed ids are untrusted text from a third party: ids with whitespace or control
characters are skipped (they cannot be real model names and would end up in file names
and model specs), and the API key is sent only as a header, never printed.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from fnmatch import fnmatchcase

from auditor import __version__
from auditor.errors import AuditorError
from auditor.schedule.config import DiscoverySource, ScheduleConfig

MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # router model lists are a few MB at most
_BAD_ID = re.compile(r"[\s\x00-\x1f\x7f]")


class DiscoveryError(AuditorError):
    """A source could not be listed (connection, HTTP or format problem); exit code 2."""


@dataclass(frozen=True)
class Candidate:
    """A model the pass may audit: its Inspect spec and where it came from."""

    spec: str
    source: str  # "fixed" for the config's suspects, else the discovery source's name
    model_id: str | None = None  # the id as the source listed it


def fetch_model_ids(source: DiscoverySource) -> list[str]:
    """GET {url}/models and return the listed ids (in the order listed)."""
    url = f"{source.url}/models"
    headers = {"Accept": "application/json", "User-Agent": f"distill-auditor/{__version__}"}
    if source.api_key_env:
        key = os.environ.get(source.api_key_env, "").strip()
        if not key:
            raise DiscoveryError(
                f"discovery source '{source.name}': environment variable {source.api_key_env} is not set; "
                "export the API key or remove api_key_env from the [[discover]] table"
            )
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=source.timeout) as response:  # noqa: S310 - http(s) checked in config
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise DiscoveryError(
            f"discovery source '{source.name}': GET {url} failed with HTTP {exc.code} {exc.reason}; "
            "check the url and the API key"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DiscoveryError(f"discovery source '{source.name}': cannot connect to {url} ({reason}); check the url and the network") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise DiscoveryError(f"discovery source '{source.name}': {url} returned more than {MAX_RESPONSE_BYTES} bytes; is this a models endpoint?")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DiscoveryError(f"discovery source '{source.name}': {url} did not return JSON; is the url the API's base (ending in /v1)?") from None
    items = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise DiscoveryError(f"discovery source '{source.name}': {url} returned no 'data' list of models")
    ids: list[str] = []
    for item in items:
        model_id = item.get("id") if isinstance(item, dict) else item
        if isinstance(model_id, str) and model_id:
            ids.append(model_id)
    return ids


def matches(model_id: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Case-insensitive glob filter: kept when some include pattern matches and no exclude does."""
    lowered = model_id.lower()
    return any(fnmatchcase(lowered, p.lower()) for p in include) and not any(fnmatchcase(lowered, p.lower()) for p in exclude)


def select(source: DiscoverySource, ids: list[str]) -> tuple[list[Candidate], list[str]]:
    """The candidates a source's listing yields, and warnings about ids that were skipped."""
    from auditor.models.presets import resolve_model

    candidates: list[Candidate] = []
    warnings: list[str] = []
    for model_id in ids:
        if _BAD_ID.search(model_id) or len(model_id) > 200:
            warnings.append(f"discovery source '{source.name}': skipped a listed id with whitespace, control characters or over 200 characters: {model_id[:60]!r}")
            continue
        if matches(model_id, source.include, source.exclude):
            spec = resolve_model(source.model_template.replace("{id}", model_id))
            candidates.append(Candidate(spec=spec, source=source.name, model_id=model_id))
    return candidates, warnings


@dataclass
class Discovery:
    """What a pass found: candidates (fixed suspects first, no duplicates), warnings, errors."""

    candidates: list[Candidate]
    warnings: list[str]
    errors: list[str]


def discover(config: ScheduleConfig) -> Discovery:
    """Fixed suspects plus every matching model of every source; a failing source is an error, not a stop."""
    found: dict[str, Candidate] = {spec: Candidate(spec=spec, source="fixed") for spec in config.suspects}
    warnings: list[str] = []
    errors: list[str] = []
    for source in config.discover:
        try:
            candidates, skipped = select(source, fetch_model_ids(source))
        except AuditorError as exc:
            errors.append(str(exc))
            continue
        warnings.extend(skipped)
        for candidate in candidates:
            if candidate.spec != config.original:
                found.setdefault(candidate.spec, candidate)
    return Discovery(list(found.values()), warnings, errors)
