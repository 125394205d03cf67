"""Checks that run before an audit sends anything, so a bad model spec fails in seconds.

An audit runs the original's half before it ever builds the suspect, so without these
checks a missing suspect key surfaces only after the original's requests are paid for.
`check_models` (run by `auditor audit`) looks at every model up front: the provider's
package, its key variable (named in the error), the base URL of an `openai-api`
service, then lets Inspect construct the model (a bad GGUF path or an unknown provider
fails there), and probes each local llama.cpp model in a child process
(`auditor.models.probe`) so a native crash is a one-line error, not a dead audit. `auditor doctor` adds the network checks: whether each base URL answers and,
with `--live`, one tiny request per model.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from inspect_ai.model import GenerateConfig, get_model

from auditor.errors import ConfigError
from auditor.models.requirements import Requirements, requirement_problems, requirements


def _clean(message: str) -> str:
    return " ".join(message.replace("[bold]", "").replace("[/bold]", "").replace("[blue]", "").replace("[/blue]", "").split())


def check_model(spec: str, role: str) -> None:
    """Requirements first (one line naming the variable or package), then let Inspect construct the model."""
    problems = requirement_problems(spec, role)
    if problems:
        raise ConfigError(problems[0] + ("" if len(problems) == 1 else f" (and {len(problems) - 1} more: run `auditor doctor`)"))
    try:
        get_model(spec, memoize=False)  # not cached: the audit builds its own (a cached one would keep this base URL for good)
    except ConfigError:
        raise
    except Exception as exc:  # Inspect raises several types for bad specs/missing keys
        raise ConfigError(f"{role} model '{spec}' cannot be used: {_clean(str(exc))}") from None
    probe_local_models(spec, role)


def probe_local_models(spec: str, role: str) -> None:
    """Load every local (llama.cpp) model in the spec and generate a few tokens in a child process.

    A native crash (SIGILL from a build the CPU cannot run, SIGSEGV from a corrupt file,
    SIGKILL from running out of memory) then stops the audit with one line before any
    request is sent, instead of killing it with a bare exit code midway.
    """
    for item in requirements(spec).walk():
        if item.provider != "local":
            continue
        from auditor.models.probe import probe_local_model
        from auditor.providers.local import default_threads, resolve_gguf

        name = item.spec.partition("/")[2]
        gguf = resolve_gguf(name)
        try:
            probe_local_model(gguf, default_threads(gguf))
        except ConfigError as exc:
            raise ConfigError(f"{role} model '{spec}': {exc}") from None


def check_models(models: dict[str, str]) -> None:
    """Check each (role -> spec) model; the first problem stops the audit with one line."""
    for role, spec in models.items():
        check_model(spec, role)


def probe_base_url(url: str, timeout: float = 5.0) -> str | None:
    """None when something answers HTTP at `url` (any status), else why not.

    Costs nothing: it is a GET on the base URL, not a generation. A 401/404 still proves
    the server is there; only a connection failure or timeout is a problem.
    """
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "distill-auditor-doctor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except urllib.error.URLError as exc:
        return f"base URL {url} does not answer ({_clean(str(exc.reason))})"
    except (TimeoutError, OSError) as exc:
        return f"base URL {url} does not answer ({_clean(str(exc)) or type(exc).__name__})"
    except ValueError as exc:
        return f"base URL {url} is not a valid URL ({exc})"


def remote_urls(spec: str) -> list[tuple[Requirements, str]]:
    """(requirements, base URL) of each remote model in the spec whose endpoint is known."""
    return [(item, url) for item in requirements(spec).walk() if item.remote and (url := item.base_url())]


@dataclass
class LiveResult:
    """What one tiny live request showed."""

    ok: bool
    detail: str
    seconds: float


LIVE_PROMPT = "Reply with the single word OK."


def _live_problem(spec: str, exc: BaseException) -> str:
    """A one-line reason for a failed live request, naming the URL when the server did not answer."""
    text = _clean(str(exc)) or type(exc).__name__
    names = {type(e).__name__ for e in (exc, exc.__cause__, exc.__context__) if e is not None}
    if names & {"APIConnectionError", "APITimeoutError", "ConnectError", "ConnectTimeout", "TimeoutError"}:
        urls = [url for _, url in remote_urls(spec)]
        where = f" at {urls[0]}" if urls else ""
        return f"no answer{where} ({text[:200]})"
    return text[:300]


async def live_request(spec: str, timeout: float = 60.0) -> LiveResult:
    """One tiny generation (a few tokens; it is billed like any request) to prove the model answers."""
    started = time.perf_counter()
    try:
        model = get_model(spec, config=GenerateConfig(max_tokens=8, max_retries=0, timeout=int(timeout)), memoize=False)
        output = await asyncio.wait_for(model.generate(LIVE_PROMPT), timeout=timeout)
    except asyncio.TimeoutError:
        return LiveResult(False, f"no answer within {timeout:.0f} s", time.perf_counter() - started)
    except Exception as exc:
        return LiveResult(False, _live_problem(spec, exc), time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if output.error:
        return LiveResult(False, _clean(output.error)[:300], seconds)
    answer = " ".join(output.completion.split())[:60]
    detail = f"answered {answer!r} (stop: {output.stop_reason})"
    return LiveResult(True, detail, seconds)
