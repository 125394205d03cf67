"""What providers read from a conversation: shared so the replay and guard providers agree."""

from __future__ import annotations

from inspect_ai.model import ChatMessage, ChatMessageUser


def last_user_text(messages: list[ChatMessage]) -> str | None:
    """The text of the last user message (the prompt being answered), or None if there is none."""
    for message in reversed(messages):
        if isinstance(message, ChatMessageUser):
            return message.text
    return None
