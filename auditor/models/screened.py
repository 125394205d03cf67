"""`screened_generate`: Inspect's `generate()` that records provider blocks as content-filter stops.

Every audit task uses this solver instead of `generate()`. It calls `generate()` and then
applies `auditor.models.blocking`: a provider's policy error becomes an output with
`stop_reason="content_filter"` (instead of a sample error), a filter signalled in the
raw response or by an empty filtered completion becomes the same, and anything else
(rate limits, 5xx, connection failures that survived Inspect's retries) is re-raised so
the sample is an `error`. Doing it here, before scoring, means the log holds the
decision and every judge and report reads the same `blocked` outcome.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.event import ModelEvent
from inspect_ai.log import transcript
from inspect_ai.model import ModelOutput, ModelUsage
from inspect_ai.model._model_output import StopDetails
from inspect_ai.solver import Generate, Solver, TaskState, solver

from auditor.models.blocking import block_from_error, output_block_signal, raw_block_signal

BLOCKED_PREFIX = "[blocked by the provider] "


def _last_model_response() -> Any:
    """The raw response of the sample's latest model call that recorded one (None when none did).

    Wrapping providers (`guarded/`) and in-process ones record no raw call; for a wrapper
    the wrapped model's call, made just before, is the one that reached the provider.
    """
    try:
        events = transcript().events
    except Exception:  # transcript history unavailable: nothing to read
        return None
    for event in reversed(events):
        if isinstance(event, ModelEvent) and event.call is not None and event.call.response is not None:
            return event.call.response
    return None


def mark_blocked(output: ModelOutput, reason: str) -> None:
    """Turn an output into a content-filter stop, keeping the provider's words in the stop details."""
    for choice in output.choices:
        choice.stop_reason = "content_filter"
        if choice.stop_details is None or not choice.stop_details.explanation:
            categories = choice.stop_details.categories if choice.stop_details else []
            choice.stop_details = StopDetails(type="content_filter", explanation=reason, categories=categories)


def screen_output(output: ModelOutput, raw_response: Any = None) -> ModelOutput:
    """Apply the output-side rules to a finished generation (in place; returned for convenience)."""
    if output.stop_reason == "content_filter":
        if output.error:
            # some providers (e.g. Anthropic's "content filtering" 400) set both; the block is the fact
            reason = str(output.error)
            output.error = None
            mark_blocked(output, reason)
        return output
    reason = raw_block_signal(raw_response) or output_block_signal(output)
    if reason is not None and output.choices:
        mark_blocked(output, reason)
    return output


def blocked_output(model: str, reason: str) -> ModelOutput:
    """The output recorded when the provider refused the request with a policy error."""
    output = ModelOutput.from_content(
        model=model,
        content=BLOCKED_PREFIX + reason,
        stop_reason="content_filter",
        stop_details=StopDetails(type="content_filter", explanation=reason),
    )
    output.usage = ModelUsage()
    return output


@solver
def screened_generate(**generate_args: Any) -> Solver:
    """Generate, recording provider blocks as `content_filter` stops and leaving real failures as errors."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        try:
            state = await generate(state, **generate_args)
        except Exception as ex:
            reason = block_from_error(ex)
            if reason is None:
                raise
            state.output = blocked_output(str(state.model), reason)
            state.messages.append(state.output.message)
            return state
        screen_output(state.output, _last_model_response())
        return state

    return solve
