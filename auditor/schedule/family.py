"""Model families: which audits belong on one trend line.

Copies of one model appear under many names (`deepseek/deepseek-chat`,
`openrouter/deepseek/deepseek-chat-v3.1:free`, `together/deepseek-ai/DeepSeek-V3.1`);
the trend chart is only useful if they are grouped. The rule is deliberately simple and
predictable rather than clever:

1. the config's `[families]` map wins: its keys are case-insensitive glob patterns matched
   against the full model spec and against the model's own name (e.g. `"*kimi*" = "kimi"`);
2. otherwise the family is the leading letters of the model's own name (the part after
   the last `/`, before any `:tag`), lower-cased: `deepseek-chat-v3.1` -> `deepseek`,
   `Kimi-K2-Instruct-0905` -> `kimi`, `MiniMax-M2` -> `minimax`, `gpt-4o` -> `gpt`;
3. a name that starts with no letter is its own family (lower-cased).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

_LEADING_LETTERS = re.compile(r"[a-z]+")


def model_name(spec: str) -> str:
    """The model's own name: provider prefixes and `:tag` suffixes (OpenRouter's `:free`) removed."""
    return spec.rsplit("/", 1)[-1].split(":", 1)[0]


def model_family(spec: str, overrides: dict[str, str] | None = None) -> str:
    """The family a model spec belongs to (see the module docstring for the rule)."""
    name = model_name(spec)
    for pattern, family in (overrides or {}).items():
        pattern = pattern.lower()
        if fnmatchcase(spec.lower(), pattern) or fnmatchcase(name.lower(), pattern):
            return family
    match = _LEADING_LETTERS.match(name.lower())
    return match.group(0) if match else name.lower()
