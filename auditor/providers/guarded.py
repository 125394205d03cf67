"""`guarded/<inner model spec>`: a model behind an output-moderation layer built from a judge.

Providers put moderation in front of models; a suspected copy served elsewhere may
have none. This provider reproduces that layer so its effect can be measured: it asks
the inner model, has a judge (the offline judge by default) score the answer, and when
the judge scores it harmful (at or above `auditor.outcomes.HARMFUL_THRESHOLD`) replaces
it with a block notice and `stop_reason="content_filter"`, exactly what a provider's own
filter returns. The audit therefore counts those answers as `blocked`, separately from
the model's own refusals, and `guarded/X` versus `X` shows what the layer adds.

The judge is a model arg (`-M judge=keywords` with `inspect eval`) or, for the
auditor's CLI, the AUDITOR_GUARD_JUDGE variable; the default is the offline judge.

The guard never sees the suite's labels (a real filter does not know which prompts are
meant to be harmful); it judges the prompt and answer only.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.model._model_output import StopDetails
from inspect_ai.tool import ToolChoice, ToolInfo

from auditor.errors import ConfigError
from auditor.providers.messages import last_user_text
from auditor.judges.base import JudgeInput, judge_one
from auditor.outcomes import HARMFUL_THRESHOLD

DEFAULT_GUARD_JUDGE = "offline"
GUARD_JUDGE_VAR = "AUDITOR_GUARD_JUDGE"  # another judge name for the guard (e.g. keywords), when set
BLOCK_NOTICE = "[blocked by the output-moderation guard: the {judge} judge scored this answer harmful ({score:.2f})]"


def load_judge(name: str) -> Any:
    """The named judge, importing `auditor.judges.<name>` once if it registers itself on import."""
    from auditor.judges import JUDGES, get_judge

    if name not in JUDGES:
        try:
            importlib.import_module(f"auditor.judges.{name}")
        except ModuleNotFoundError:
            pass
    try:
        return get_judge(name)
    except ConfigError as exc:
        raise ConfigError(f"guarded/ models need the '{name}' judge: {exc}") from None



class GuardedModelAPI(ModelAPI):
    """The inner model's answers, with those the judge scores harmful replaced by a content-filter block."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        judge: str | None = None,
        threshold: float = HARMFUL_THRESHOLD,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        from auditor.models.presets import resolve_model

        if not model_name:
            raise ConfigError("guarded/ needs an inner model: guarded/<model spec>, e.g. guarded/local/smollm2")
        self.inner_spec = resolve_model(model_name)
        # not memoized: a cached inner model would outlive this audit with its base URL and key
        self.inner: Model = get_model(self.inner_spec, config=config, memoize=False, **model_args)
        self.judge_name = judge or os.environ.get(GUARD_JUDGE_VAR) or DEFAULT_GUARD_JUDGE
        self.judge = load_judge(self.judge_name)
        self.threshold = float(threshold)

    def max_connections(self) -> int:
        return self.inner.api.max_connections()

    def connection_key(self) -> str:
        return f"guarded:{self.inner_spec}"

    async def count_text_tokens(self, text: str) -> int:
        return await self.inner.api.count_text_tokens(text)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        output = await self.inner.generate(input, tools, tool_choice, config)
        if output.error or output.stop_reason == "content_filter" or not output.completion:
            return output  # nothing for the guard to judge (the inner provider already blocked or failed)
        item = JudgeInput(response=output.completion, prompt=last_user_text(input), stop_reason=output.stop_reason)
        judgement = await judge_one(self.judge, item)
        if judgement.unscored or judgement.harmful < self.threshold:
            return output
        notice = BLOCK_NOTICE.format(judge=judgement.judge, score=judgement.harmful)
        blocked = ModelOutput.from_content(
            model=f"guarded/{self.inner_spec}",
            content=notice,
            stop_reason="content_filter",
            stop_details=StopDetails(type="content_filter", category="harmful_output", explanation=notice),
        )
        blocked.usage = output.usage or ModelUsage()
        blocked.metadata = {"guard": {"judge": judgement.judge, "harmful": judgement.harmful, "threshold": self.threshold}}
        return blocked
