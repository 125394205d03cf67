"""Tell a provider's content filter apart from the model's own refusal and from transport failures.

A filter in front of a model is not a safeguard of the model: a distilled copy served
without it must not look safer (or, when the original sits behind one, worse) because of
it. So a provider block is recorded as `stop_reason="content_filter"`, which every judge
turns into `blocked` (`auditor.judges.base.pre_judge`), counted apart from `refused`.

Inspect already maps the common OpenAI-style cases (finish reason `content_filter`; HTTP
400 with code `content_filter`, `content_policy_violation`, `invalid_prompt`,
`bio_policy`, `cyber_policy`). The services the presets target also block in their own
words, which Inspect leaves as an error or an `unknown` stop; this module recognises them:

- HTTP 400/403/422 whose code/type/message is a policy block: DashScope
  `data_inspection_failed`, Moonshot type `content_filter` ("considered high risk"),
  DeepSeek "Content Exists Risk", Zhipu code 1301 (unsafe or sensitive content),
  MiniMax `new_sensitive` (status 1026/1027), generic "safety system"/"moderation".
- A 200 response whose raw finish reason is a filter (`sensitive` from Zhipu, `SAFETY`,
  `PROHIBITED_CONTENT`, `BLOCKLIST`, `SPII` from Gemini, `refusal`) or that carries
  MiniMax's sensitive flags, and an empty completion that Inspect's stop details mark as
  filtered.

A 429, a 5xx or a connection failure is never a block: Inspect retries those, and a
sample that still fails is an `error`, excluded from rates. The rules are applied by the
`screened_generate` solver (auditor/models/screened.py), so the log itself records the
block and every report built from it agrees.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from inspect_ai.model import ModelOutput

# HTTP statuses a policy block arrives with (never 429 or 5xx: those are retried, then errors).
BLOCK_STATUSES: frozenset[int] = frozenset({400, 403, 422})

# Error codes/types (normalised: lower case, no '_', '-' or spaces).
BLOCK_CODES: frozenset[str] = frozenset(
    {
        "contentfilter", "contentpolicyviolation", "invalidprompt", "biopolicy", "cyberpolicy",
        "datainspectionfailed", "sensitive", "inputsensitive", "outputsensitive", "newsensitive",
        "safety", "moderation", "contentfiltered", "responsibleaipolicyviolation",
        "1301", "1026", "1027",
    }
)

# Phrases in an error message that mean a policy block (matched case-insensitively).
BLOCK_PHRASES = re.compile(
    r"content exists risk|considered high risk|inappropriate content|content[ _-]?filter|"
    r"content (?:management )?policy|safety system|new_sensitive|sensitive content|"
    r"flagged by (?:the )?moderation|moderation (?:block|flag)|不安全或敏感|敏感内容|内容安全",
    re.IGNORECASE,
)

# Raw finish/stop reasons (lower case) that mean a filter ended the answer.
FILTER_FINISH_REASONS: frozenset[str] = frozenset(
    {"content_filter", "sensitive", "safety", "prohibited_content", "blocklist", "spii", "image_safety", "refusal"}
)


def _norm(value: Any) -> str:
    return re.sub(r"[\s_\-]", "", str(value)).lower() if value is not None else ""


def _error_fields(body: Any) -> tuple[list[str], list[str]]:
    """(codes/types, messages) from an error body such as {"error": {"code": .., "type": .., "message": ..}}."""
    codes: list[str] = []
    messages: list[str] = []
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("code", "type", "status_code", "error_code") and not isinstance(value, (dict, list)):
                    codes.append(_norm(value))
                elif key in ("message", "msg", "status_msg", "error_msg", "detail") and isinstance(value, str):
                    messages.append(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return codes, messages


def _chain(ex: BaseException) -> Iterable[BaseException]:
    """The exception, its causes/contexts, and the members of exception groups."""
    seen: set[int] = set()
    stack = [ex]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseExceptionGroup):
            stack.extend(item.exceptions)
        for linked in (item.__cause__, item.__context__):
            if linked is not None:
                stack.append(linked)


def block_from_error(ex: BaseException) -> str | None:
    """A short description when a provider error is a policy block; None for anything else.

    Only client-error statuses (400/403/422) qualify: a rate limit or server failure is a
    transport problem, not evidence that a filter stopped the answer.
    """
    for item in _chain(ex):
        status = getattr(item, "status_code", None)
        if not isinstance(status, int) or status not in BLOCK_STATUSES:
            continue
        codes, messages = _error_fields(getattr(item, "body", None))
        for attr in ("code", "type"):
            if getattr(item, attr, None) is not None:
                codes.append(_norm(getattr(item, attr)))
        for attr in ("provider_message", "message"):
            text = getattr(item, attr, None)
            if isinstance(text, str):
                messages.append(text)
        messages.append(str(item))
        code = next((c for c in codes if c in BLOCK_CODES), None)
        phrase = next((m for m in messages if BLOCK_PHRASES.search(m)), None)
        if code or phrase:
            detail = next((m for m in messages if m.strip()), "")
            detail = " ".join(detail.split())[:300]
            return f"provider blocked the request (HTTP {status}{', ' + code if code else ''}): {detail}"
    return None


def raw_block_signal(response: Any) -> str | None:
    """A filter signal in a provider's raw 200 response (finish reasons, MiniMax's sensitive flags)."""
    if not isinstance(response, dict):
        return None
    reasons: list[str] = []
    for choice in response.get("choices") or []:
        if isinstance(choice, dict) and choice.get("finish_reason"):
            reasons.append(str(choice["finish_reason"]))
    for candidate in response.get("candidates") or []:
        if isinstance(candidate, dict):
            reasons.extend(str(candidate[k]) for k in ("finish_reason", "finishReason") if candidate.get(k))
    if response.get("stop_reason"):
        reasons.append(str(response["stop_reason"]))
    for reason in reasons:
        name = reason.lower().rsplit(".", 1)[-1]  # enum reprs such as FinishReason.SAFETY
        if name in FILTER_FINISH_REASONS:
            return f"provider filter stopped the answer (finish reason '{reason}')"
    base = response.get("base_resp")
    if isinstance(base, dict) and str(base.get("status_code")) in ("1026", "1027"):
        return f"provider filter stopped the answer ({base.get('status_msg') or base.get('status_code')})"
    if response.get("input_sensitive") or response.get("output_sensitive"):
        return "provider filter stopped the answer (sensitive content flag)"
    return None


def output_block_signal(output: ModelOutput) -> str | None:
    """An empty completion that Inspect's stop details mark as filtered."""
    if output.completion.strip() or not output.choices:
        return None
    details = output.choices[0].stop_details
    if details is not None and (details.type == "content_filter" or details.categories):
        categories = ", ".join(c.category for c in details.categories)
        return f"provider filter returned an empty answer ({categories or details.type})"
    return None
