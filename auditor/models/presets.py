"""Named shortcuts for models teams audit, expanded to Inspect model specs.

Any Inspect model string also works unchanged: `resolve_model` only rewrites names
that are presets. Presets use Inspect's native provider where one exists (openai,
anthropic, google, deepseek, moonshot, openrouter, together) and
`openai-api/<service>/<model>` otherwise (MiniMax, Alibaba DashScope, Zhipu), which
reads `<SERVICE>_API_KEY` and `<SERVICE>_BASE_URL`.

The model names are examples current when this table was written; providers rename
models often, so pass the full spec (e.g. `--suspect deepseek/deepseek-chat`) for any
model not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from auditor.errors import ConfigError
from auditor.models.requirements import apply_service_defaults, requirements


@dataclass(frozen=True)
class Preset:
    """A named model: the Inspect spec it expands to, what it is, and the keys it needs."""

    name: str
    spec: str
    kind: str  # original | maker | router | local
    description: str = ""

    @property
    def env(self) -> tuple[str, ...]:
        """Environment variables the preset needs (alternatives for one key are joined by ' or ')."""
        needed: list[str] = []
        for item in requirements(self.spec).walk():
            if item.key_vars:
                needed.append(" or ".join(item.key_vars[:2]))
            if item.provider.startswith("openai-api") and item.base_url_var:
                default = f" (optional, default {item.default_base_url})" if item.default_base_url else ""
                needed.append(f"{item.base_url_var}{default}")
        return tuple(needed)


_PRESETS: list[Preset] = [
    # originals: frontier API models
    Preset("gpt-4o", "openai/gpt-4o", "original", "OpenAI GPT-4o"),
    Preset("gpt-4.1", "openai/gpt-4.1", "original", "OpenAI GPT-4.1"),
    Preset("gpt-5", "openai/gpt-5", "original", "OpenAI GPT-5 (reasoning model)"),
    Preset("claude-sonnet", "anthropic/claude-sonnet-4-5", "original", "Anthropic Claude Sonnet 4.5"),
    Preset("claude-opus", "anthropic/claude-opus-4-1", "original", "Anthropic Claude Opus 4.1"),
    Preset("claude-haiku", "anthropic/claude-haiku-4-5", "original", "Anthropic Claude Haiku 4.5"),
    Preset("gemini-pro", "google/gemini-2.5-pro", "original", "Google Gemini 2.5 Pro (needs the google-genai package)"),
    Preset("gemini-flash", "google/gemini-2.5-flash", "original", "Google Gemini 2.5 Flash (needs the google-genai package)"),
    # suspects served by their makers
    Preset("deepseek-chat", "deepseek/deepseek-chat", "maker", "DeepSeek V3.x chat, DeepSeek's API"),
    Preset("deepseek-reasoner", "deepseek/deepseek-reasoner", "maker", "DeepSeek V3.x thinking mode, DeepSeek's API"),
    Preset("kimi-k2", "moonshot/kimi-k2-0905-preview", "maker", "Moonshot Kimi K2, Moonshot's API"),
    Preset("kimi-k2-thinking", "moonshot/kimi-k2-thinking", "maker", "Moonshot Kimi K2 thinking, Moonshot's API"),
    Preset("minimax-m2", "openai-api/minimax/MiniMax-M2", "maker", "MiniMax M2, MiniMax's OpenAI-compatible API"),
    Preset("qwen-max", "openai-api/dashscope/qwen-max", "maker", "Alibaba Qwen-Max, DashScope OpenAI-compatible mode"),
    Preset("qwen-plus", "openai-api/dashscope/qwen-plus", "maker", "Alibaba Qwen-Plus, DashScope OpenAI-compatible mode"),
    Preset("qwen3-max", "openai-api/dashscope/qwen3-max", "maker", "Alibaba Qwen3-Max, DashScope OpenAI-compatible mode"),
    Preset("glm-4.6", "openai-api/zhipu/glm-4.6", "maker", "Zhipu GLM-4.6, BigModel OpenAI-compatible API"),
    Preset("glm-4.5", "openai-api/zhipu/glm-4.5", "maker", "Zhipu GLM-4.5, BigModel OpenAI-compatible API"),
    # suspects through routers
    Preset("openrouter-deepseek-v3.1", "openrouter/deepseek/deepseek-chat-v3.1", "router", "DeepSeek V3.1 via OpenRouter"),
    Preset("openrouter-kimi-k2", "openrouter/moonshotai/kimi-k2-0905", "router", "Kimi K2 via OpenRouter"),
    Preset("openrouter-qwen3-235b", "openrouter/qwen/qwen3-235b-a22b-2507", "router", "Qwen3 235B A22B via OpenRouter"),
    Preset("openrouter-glm-4.6", "openrouter/z-ai/glm-4.6", "router", "GLM-4.6 via OpenRouter"),
    Preset("openrouter-minimax-m2", "openrouter/minimax/minimax-m2", "router", "MiniMax M2 via OpenRouter"),
    Preset("together-deepseek-v3.1", "together/deepseek-ai/DeepSeek-V3.1", "router", "DeepSeek V3.1 on Together"),
    Preset("together-kimi-k2", "together/moonshotai/Kimi-K2-Instruct-0905", "router", "Kimi K2 on Together"),
    Preset("together-qwen3-235b", "together/Qwen/Qwen3-235B-A22B-Instruct-2507-tput", "router", "Qwen3 235B A22B on Together"),
    Preset("together-llama-3.3-70b", "together/meta-llama/Llama-3.3-70B-Instruct-Turbo", "router", "Llama 3.3 70B on Together"),
    # keyless, in-process
    Preset("smollm2", "local/smollm2", "local", "SmolLM2-135M-Instruct, embedded (no key, no network)"),
    Preset("smollm2-guarded", "guarded/local/smollm2", "local", "embedded SmolLM2 behind the offline-judge output-moderation guard"),
]

PRESETS: dict[str, Preset] = {preset.name: preset for preset in _PRESETS}

KIND_TITLES: dict[str, str] = {
    "original": "Originals (frontier API models)",
    "maker": "Suspects served by their makers",
    "router": "Suspects through routers",
    "local": "Embedded, keyless",
}


def resolve_model(spec: str) -> str:
    """A preset name -> its Inspect model spec; an Inspect spec is returned unchanged.

    A name without a provider prefix that is not a preset is an error naming the
    closest presets (a typo must not silently become some other model). As a side
    effect, the base URL variable of a known `openai-api` service is filled in when
    unset (see `requirements.apply_service_defaults`). `guarded/<preset>` expands the
    inner preset.
    """
    name = spec.strip()
    if name in PRESETS:
        resolved = PRESETS[name].spec
    elif name.startswith("guarded/") and name.removeprefix("guarded/") in PRESETS:
        resolved = "guarded/" + PRESETS[name.removeprefix("guarded/")].spec
    elif "/" in name:
        resolved = name
    else:
        close = get_close_matches(name, PRESETS, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(
            f"unknown model '{name}'{hint}: not a preset and not an Inspect model spec (provider/model); "
            "run `auditor models` to list presets"
        )
    apply_service_defaults(resolved)
    return resolved
