"""Checks that run before an audit sends anything, so a bad model spec fails in seconds."""

from __future__ import annotations

from inspect_ai.model import get_model

from auditor.errors import ConfigError


def check_model(spec: str, role: str) -> None:
    """Construct the model (no request is sent): unknown providers and missing keys fail here."""
    try:
        get_model(spec)
    except ConfigError:
        raise
    except Exception as exc:  # Inspect raises several types for bad specs/missing keys
        message = " ".join(str(exc).replace("[bold]", "").replace("[/bold]", "").split())
        raise ConfigError(f"{role} model '{spec}' cannot be used: {message}") from None


def check_models(models: dict[str, str]) -> None:
    """Check each (role -> spec) model; the first problem stops the audit with one line."""
    for role, spec in models.items():
        check_model(spec, role)
