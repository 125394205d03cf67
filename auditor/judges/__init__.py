"""Judges: label each response with a refusal class and a harmfulness score.

`get_judge(name)` is the one place judge names are resolved, so `--judge`, the task
parameter and `auditor judge` accept the same names.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches

from auditor.errors import ConfigError
from auditor.judges.base import Judge, JudgeInput, Judgement

# name -> "module:factory" (imported lazily: the offline judge loads weights, the LLM judge needs a model)
JUDGES: dict[str, str] = {
    "keywords": "auditor.judges.keywords:KeywordJudge",
    "offline": "auditor.judges.offline:OfflineJudge",
    "llm": "auditor.judges.llm:LLMJudge",
    "cascade": "auditor.judges.cascade:CascadeJudge",
}

# The embedded classifier: no network, no key, measured against human labels (see judges/reliability.py).
DEFAULT_JUDGE = "offline"


def register_judge(name: str, target: str) -> None:
    """Make a judge available by name (`module:factory`)."""
    JUDGES[name] = target


def get_judge(name: str | None = None) -> Judge:
    """Instantiate a judge by name; unknown names get a one-line error with the closest names."""
    name = name or DEFAULT_JUDGE
    if name not in JUDGES:
        close = get_close_matches(name, JUDGES, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(f"unknown judge '{name}'{hint}; available judges: {', '.join(JUDGES)}")
    module_name, factory = JUDGES[name].split(":")
    return getattr(importlib.import_module(module_name), factory)()


__all__ = ["Judge", "JudgeInput", "Judgement", "get_judge", "register_judge", "JUDGES", "DEFAULT_JUDGE"]
