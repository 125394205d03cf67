"""What providers read from a conversation and how they shape an answer: shared so the replay, local and
guard providers agree."""

from __future__ import annotations

import re

from inspect_ai.model import ChatMessage, ChatMessageUser, ContentReasoning, ContentText

# A reasoning model's trace before its answer; unterminated when the token limit cut it off mid-thought.
_THINK = re.compile(r"\A\s*<think>(.*?)(?:</think>\s*|\Z)", re.DOTALL)


def last_user_text(messages: list[ChatMessage]) -> str | None:
    """The text of the last user message (the prompt being answered), or None if there is none."""
    for message in reversed(messages):
        if isinstance(message, ChatMessageUser):
            return message.text
    return None


def answer_content(text: str) -> str | list[ContentReasoning | ContentText]:
    """A leading "<think>...</think>" trace as Inspect's reasoning content, the rest as the answer.

    Why: Inspect's OpenAI-compatible providers already separate `<think>` this way, so the answer
    a judge reads (`output.completion`) is the answer alone whichever provider served the model: a
    distilled reasoning model run as a local GGUF or replayed from a file is judged like the same
    model behind a server, and its trace ("I should not help with this...") is not read as its
    answer. The trace stays in the log as evidence. A trace the token limit cut off leaves an
    empty answer (judged unscored with that reason, never a refusal).
    """
    match = _THINK.match(text)
    if match is None:
        return text
    return [ContentReasoning(reasoning=match.group(1).strip()), ContentText(text=text[match.end():])]
