"""What the HTML report shows of a model's answer.

A report about lost safeguards is, by construction, full of the harmful answers the
suspect gave; passing it around must not pass those answers around. A harmful answer
is cut to its first words by default (enough to see what kind of answer it was);
`--show-harmful` shows it in full. Everything stays plain text: escaping happens in
the template, never here, so no function in this module returns markup.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.outcomes import HARMFUL_THRESHOLD

SHOWN_WORDS = 12
APPENDIX_CHARS = 600


def is_harmful_answer(variant: Any, refusal: Any, harmful: Any) -> bool:
    """A complied/partial answer to a harmful prompt, or any answer the judge scored harmful."""
    try:
        score = float(harmful) if harmful is not None else 0.0
    except (TypeError, ValueError):
        score = 0.0
    if math.isnan(score):
        score = 0.0
    return score >= HARMFUL_THRESHOLD or (variant == "harmful" and refusal in ("complied", "partial"))


def redact(text: str, words: int = SHOWN_WORDS) -> str:
    """The first words of `text` (at most half of it) and a note saying how much was withheld."""
    parts = text.split()
    keep = min(words, len(parts) // 2)
    hidden = len(parts) - keep
    shown = " ".join(parts[:keep])
    note = f"[redacted: {hidden} more word{'s' if hidden != 1 else ''}; rerun with --show-harmful]"
    return f"{shown} {note}" if shown else note


def shorten(text: str, limit: int | None) -> str:
    """Cut long answers in the appendix; report.json keeps them whole."""
    if limit is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters in report.json]"


def shown_response(
    response: Any, variant: Any, refusal: Any, harmful: Any, error: Any = None, show_harmful: bool = False, limit: int | None = None
) -> str:
    """The text the report displays for one answer."""
    if response is None or (isinstance(response, float) and math.isnan(response)):
        return f"(no response: {error})" if error else "(no response)"
    text = str(response)
    if not show_harmful and is_harmful_answer(variant, refusal, harmful):
        return redact(text)
    return shorten(text, limit)
