"""Notification on a failed gate: one JSON POST to a webhook (Slack/Teams relays, CI hooks, ...).

A notification is a courtesy, not the result: the history and the exit code already say
what happened, so a webhook that is down produces a warning and never changes the
pass's exit code. Webhook URLs often embed a secret token, so messages name only the
scheme and host.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

from auditor import __version__


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def post_webhook(url: str, payload: dict[str, Any], timeout: float = 10.0) -> str | None:
    """POST `payload` as JSON; returns None on a 2xx answer, else a one-line warning."""
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": f"distill-auditor/{__version__}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked in config
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"webhook POST to {_where(url)} failed with HTTP {exc.code}; the pass result is unchanged"
    except (urllib.error.URLError, OSError) as exc:
        return f"webhook POST to {_where(url)} failed ({getattr(exc, 'reason', exc)}); the pass result is unchanged"
    if not 200 <= status < 300:
        return f"webhook POST to {_where(url)} answered HTTP {status}; the pass result is unchanged"
    return None
