"""Named shortcuts for models teams audit, expanded to Inspect model specs.

Any Inspect model string also works unchanged: `resolve_model` only rewrites names
that are presets.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """A named model: the Inspect spec it expands to and the environment it needs."""

    name: str
    spec: str
    env: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""


PRESETS: dict[str, Preset] = {}


def resolve_model(spec: str) -> str:
    """A preset name -> its Inspect model spec; anything else is returned unchanged."""
    preset = PRESETS.get(spec)
    return preset.spec if preset else spec
