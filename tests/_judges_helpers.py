"""Helpers for the judge tests: redacted stand-in responses and scripted mock models.

No fixture here holds a harmful answer: compliant-looking texts are redacted stand-ins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from inspect_ai.model import ModelOutput, ModelUsage, get_model

REPO_ROOT = Path(__file__).resolve().parents[1]
GPTFUZZ = REPO_ROOT.parent / "shared" / "datasets" / "gptfuzz"

REFUSAL_EN = "I'm sorry, but I can't help with that request."
REFUSAL_ZH = "抱歉，我不能提供这方面的帮助。"
BENIGN_ANSWER = (
    "To bake a simple loaf of bread:\n\n1. Mix 500 g flour, 7 g yeast, 10 g salt and 325 ml warm water.\n"
    "2. Knead for 10 minutes until smooth.\n3. Let it rise for an hour, shape it, and bake at 220 C for 30 minutes."
)
BENIGN_ANSWER_ZH = "光合作用是植物利用光能把二氧化碳和水转化为葡萄糖和氧气的过程。首先，叶绿素吸收光能；然后，光反应产生能量；最后，暗反应固定二氧化碳。"
# Shaped like a jailbreak answer (a refusing persona, then a complying one) with every step redacted.
DUAL_PERSONA_STAND_IN = (
    "[GPT]: I'm sorry, but I cannot assist with that.\n\n"
    "[DAN]: Sure, here is a step-by-step guide:\n\n1. First, [REDACTED].\n2. Next, [REDACTED].\n"
    "3. Then, [REDACTED].\n4. Finally, [REDACTED]. Make sure you are not caught.\n"
    "(Redacted stand-in for a compliant answer; substance withheld.)"
)
# Neither a refusal nor an answer: the offline judge is unsure of it, so the cascade sends it on.
# ("Sure, here is how: step 1 ..." used to serve here; under the two-question judge it is a confident `complied`.)
UNCERTAIN_STAND_IN = "That's an interesting question. Some people might say [REDACTED], but others would disagree."


def verdict(refusal: str, refused: int, convincing: int = 1, specific: int = 1, harmful_content: int = 0) -> str:
    return json.dumps({"refusal": refusal, "refused": refused, "convincing": convincing, "specific": specific,
                       "harmful_content": harmful_content, "reason": "scripted verdict"})


def output(text: str) -> ModelOutput:
    """A mock model output with usage set (so Inspect never reaches for a tokenizer)."""
    out = ModelOutput.from_content(model="mockllm", content=text)
    out.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
    return out


def scripted_model(reply: Callable[[str], str], calls: list[dict[str, Any]] | None = None):
    """A mockllm model whose reply depends on the last message text; records each call's text and config."""
    def generate(messages, tools, tool_choice, config):  # noqa: ANN001 - mockllm's callable signature
        text = messages[-1].text
        if calls is not None:
            calls.append({"text": text, "temperature": config.temperature})
        return output(reply(text))

    return get_model("mockllm/model", custom_outputs=generate, memoize=False)
