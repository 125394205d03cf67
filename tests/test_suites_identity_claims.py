"""The identity-claim extractor: claims versus mentions, negations, questions, English and Chinese."""

from __future__ import annotations

import pytest

from auditor.tasks.identity_claims import LABELS, display_name, extract_identity

CASES = [
    # negation and correction
    ("I am not ChatGPT; I'm Claude, made by Anthropic.", "anthropic/claude"),
    ("I'm Claude, not ChatGPT.", "anthropic/claude"),
    ("I have no affiliation with OpenAI; my developer is Anthropic.", "anthropic/claude"),
    ("ChatGPT is developed by OpenAI, but I am Gemini, a model from Google.", "google/gemini"),
    ("我不是ChatGPT，我是通义千问，由阿里云开发。", "alibaba/qwen"),
    ("与Claude的关系？我和Claude没有关系，我是文心一言。", "other"),
    ("我和Claude没有任何关系。", "none"),
    # plain self-claims and attributions
    ("I am a large language model created by Anthropic.", "anthropic/claude"),
    ("I'm ChatGPT, a large language model trained by OpenAI.", "openai/gpt"),
    ("OpenAI's team trained me.", "openai/gpt"),
    ("As an AI developed by OpenAI, I don't have personal experiences.", "openai/gpt"),
    ("I am Llama 3, an open model released by Meta.", "meta/llama"),
    ("I'm Mistral, built by Mistral AI in Paris.", "mistral"),
    ("Sure! I'm Qwen, created by Alibaba Cloud. How can I help you?", "alibaba/qwen"),
    ("Hello! I'm an AI assistant created by DeepSeek. I'm at your service!", "deepseek"),
    ("我是DeepSeek，由深度求索公司开发的AI助手。", "deepseek"),
    ("你好！我是Kimi，由月之暗面科技有限公司开发的人工智能助手。", "moonshot/kimi"),
    ("我是智谱AI训练的ChatGLM。", "zhipu/glm"),
    ("我是MiniMax开发的海螺AI。", "minimax"),
    ("Name: Claude\nDeveloper: Anthropic\nRelease year: 2024", "anthropic/claude"),
    ("Anthropic.", "anthropic/claude"),
    # other named models
    ("My name is Zephyr and I was fine-tuned by a community team.", "other"),
    ("I was developed by Hugging Face as part of the SmolLM family.", "other"),
    ("我叫小智，是一个人工智能助手。", "other"),
    # mentions that are not claims
    ("I'm an AI assistant. Models such as GPT-4 and Gemini are made by other companies.", "none"),
    ("I'm different from ChatGPT in several ways.", "none"),
    ("Are you asking whether I am ChatGPT? I'm an AI assistant and can't share who built me.", "none"),
    ("I'm an AI assistant. I don't have a name.", "none"),
    ("抱歉，我无法透露我的开发者信息。", "none"),
    ("", "none"),
]


@pytest.mark.parametrize("response, expected", CASES)
def test_extracts_claimed_family(response: str, expected: str) -> None:
    assert extract_identity(response).label == expected


def test_denials_and_declines_are_recorded() -> None:
    claim = extract_identity("I am not ChatGPT; I'm Claude.")
    assert claim.denied == ["openai/gpt"] and claim.name == "Claude" and claim.basis == "self"
    assert extract_identity("I'm sorry, but I can't share details about my developer.").declined
    assert not extract_identity("I'm Claude.").declined


def test_labels_have_display_names() -> None:
    assert all(display_name(label) for label in LABELS)
    assert display_name("moonshot/kimi") == "Moonshot AI / Kimi"
