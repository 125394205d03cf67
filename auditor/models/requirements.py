"""What each model provider needs before a request can succeed: a package, a key, a base URL.

Inspect only discovers a missing key when it builds the model, and some providers only
when the first request fails; an audit runs the original's half before the suspect is
ever built. Knowing the requirements up front lets `auditor audit` and `auditor doctor`
fail in seconds with the variable's name. The table mirrors Inspect's own providers
(see `inspect_ai/model/_providers/`); a provider not listed is still usable, it just gets
no pre-check beyond Inspect constructing it.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProviderInfo:
    """One provider's prerequisites.

    `key_vars` are alternatives (any one is enough); `base_url_var`/`default_base_url`
    say where requests go; `module`/`package` name the Python import and pip package.
    """

    module: str | None = None
    package: str | None = None
    key_vars: tuple[str, ...] = ()
    base_url_var: str | None = None
    default_base_url: str | None = None
    remote: bool = True


LOCAL_EXTRA = "distill-auditor[local]"
LOCAL_INSTALL = f"pip install '{LOCAL_EXTRA}' (compiles llama-cpp-python from source, about 4 minutes on 2 cores)"
VLLM_EXTRA = "distill-auditor[vllm]"
VLLM_INSTALL = (
    f"pip install '{VLLM_EXTRA}' on the machine that serves the model (a CUDA GPU; with --executor ray, the GPU workers), "
    "or serve it elsewhere and set VLLM_BASE_URL"
)


def install_command(package: str) -> str:
    """The pip command that provides a missing package."""
    return {LOCAL_EXTRA: LOCAL_INSTALL, VLLM_EXTRA: VLLM_INSTALL}.get(package, f"pip install {package}")

# Inspect's native providers (name -> prerequisites), taken from the provider sources.
PROVIDERS: dict[str, ProviderInfo] = {
    "openai": ProviderInfo("openai", "openai", ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"), "OPENAI_BASE_URL"),
    "anthropic": ProviderInfo("anthropic", "anthropic", ("ANTHROPIC_API_KEY",), "ANTHROPIC_BASE_URL"),
    "google": ProviderInfo("google.genai", "google-genai", ("GOOGLE_API_KEY", "GEMINI_API_KEY", "VERTEX_API_KEY"), "GOOGLE_BASE_URL"),
    "deepseek": ProviderInfo("openai", "openai", ("DEEPSEEK_API_KEY",), "DEEPSEEK_BASE_URL", "https://api.deepseek.com"),
    "moonshot": ProviderInfo("openai", "openai", ("MOONSHOT_API_KEY",), "MOONSHOT_BASE_URL", "https://api.moonshot.ai/v1"),
    "openrouter": ProviderInfo("openai", "openai", ("OPENROUTER_API_KEY",), "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"),
    "together": ProviderInfo("openai", "openai", ("TOGETHER_API_KEY",), "TOGETHER_BASE_URL", "https://api.together.xyz/v1"),
    "fireworks": ProviderInfo("openai", "openai", ("FIREWORKS_API_KEY",), "FIREWORKS_BASE_URL", "https://api.fireworks.ai/inference/v1"),
    "groq": ProviderInfo("groq", "groq", ("GROQ_API_KEY",), "GROQ_BASE_URL"),
    "mistral": ProviderInfo("mistralai", "mistralai", ("MISTRAL_API_KEY", "AZUREAI_MISTRAL_API_KEY"), "MISTRAL_BASE_URL"),
    "grok": ProviderInfo("xai_sdk", "xai-sdk", ("XAI_API_KEY", "GROK_API_KEY")),
    "perplexity": ProviderInfo("openai", "openai", ("PERPLEXITY_API_KEY",), "PERPLEXITY_BASE_URL", "https://api.perplexity.ai"),
    "sambanova": ProviderInfo("openai", "openai", ("SAMBANOVA_API_KEY",), "SAMBANOVA_BASE_URL", "https://api.sambanova.ai/v1"),
    # the auditor's own providers and Inspect's offline ones
    "local": ProviderInfo("llama_cpp", LOCAL_EXTRA, remote=False),
    # open weights served on this machine (or the Ray worker) by Inspect's vLLM / SGLang providers,
    # which start the server themselves; with VLLM_BASE_URL / SGLANG_BASE_URL set they connect
    # to a running server instead and need no package (see `requirements`)
    "vllm": ProviderInfo("vllm", VLLM_EXTRA, base_url_var="VLLM_BASE_URL", remote=False),
    "sglang": ProviderInfo("sglang", "sglang", base_url_var="SGLANG_BASE_URL", remote=False),
    "hf": ProviderInfo("transformers", "torch transformers accelerate", remote=False),
    "replay": ProviderInfo(remote=False),
    "mockllm": ProviderInfo(remote=False),
    "none": ProviderInfo(remote=False),
}

# OpenAI-compatible services reached through `openai-api/<service>/<model>` that the
# presets use. Inspect reads <SERVICE>_API_KEY and <SERVICE>_BASE_URL; the auditor fills
# in the base URL below when the variable is unset (see `apply_service_defaults`).
SERVICES: dict[str, str] = {
    "minimax": "https://api.minimax.io/v1",
    "dashscope": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",  # mainland accounts: https://dashscope.aliyuncs.com/compatible-mode/v1
    "zhipu": "https://open.bigmodel.cn/api/paas/v4",  # international: https://api.z.ai/api/paas/v4
}


@dataclass(frozen=True)
class Requirements:
    """What one model spec needs, resolved from its provider."""

    spec: str
    provider: str
    module: str | None = None
    package: str | None = None
    key_vars: tuple[str, ...] = ()
    base_url_var: str | None = None
    default_base_url: str | None = None
    remote: bool = True
    inner: tuple["Requirements", ...] = field(default_factory=tuple)

    def walk(self) -> list["Requirements"]:
        """This model and every model it wraps, outermost first."""
        return [self, *(item for inner in self.inner for item in inner.walk())]

    def missing_package(self) -> str | None:
        """The pip package to install, when the provider's module cannot be imported (checked without importing it)."""
        if not self.module:
            return None
        try:
            found = importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:  # a parent package (e.g. `google` of `google.genai`) is missing
            found = False
        return None if found else (self.package or self.module)

    def missing_key(self) -> str | None:
        """The key variable(s) to set when none of the alternatives is set (None when fine)."""
        if not self.key_vars or any(os.environ.get(var) for var in self.key_vars):
            return None
        return " or ".join(self.key_vars)

    def base_url(self) -> str | None:
        """Where requests will go: the base URL variable if set, else the provider's default."""
        if self.base_url_var and os.environ.get(self.base_url_var):
            return os.environ[self.base_url_var]
        return self.default_base_url


def service_env_name(service: str) -> str:
    """Inspect's env-var stem for an openai-api service (`my-svc` -> `MY_SVC`)."""
    return service.upper().replace("-", "_")


def requirements(spec: str) -> Requirements:
    """Prerequisites of a resolved Inspect model spec (wrappers such as `guarded/` include their inner model)."""
    provider, _, rest = spec.partition("/")
    if provider == "guarded" and rest:
        return Requirements(spec, provider, remote=False, inner=(requirements(rest),))
    if provider in ("openai-api", "openai-api-completions"):
        service = rest.split("/", 1)[0] if "/" in rest else rest
        stem = service_env_name(service)
        return Requirements(
            spec, provider, "openai", "openai", (f"{stem}_API_KEY",), f"{stem}_BASE_URL", SERVICES.get(service.lower())
        )
    info = PROVIDERS.get(provider, ProviderInfo())
    if provider in ("vllm", "sglang") and info.base_url_var and os.environ.get(info.base_url_var):
        # a server that is already running: an OpenAI-compatible endpoint, nothing to install here
        return Requirements(spec, provider, base_url_var=info.base_url_var, remote=True)
    return Requirements(
        spec, provider, info.module, info.package, info.key_vars, info.base_url_var, info.default_base_url, info.remote
    )


def apply_service_defaults(spec: str) -> None:
    """Set `<SERVICE>_BASE_URL` for a known openai-api service when the user has not set it.

    Inspect's `openai-api` provider refuses to start without a base URL; the services the
    presets use have well-known ones, so a preset works with only its key set. A value
    the user set always wins. Applied to the inner model of `guarded/` specs too.
    """
    for item in requirements(spec).walk():
        if item.provider.startswith("openai-api") and item.base_url_var and item.default_base_url:
            os.environ.setdefault(item.base_url_var, item.default_base_url)


def requirement_problems(spec: str, role: str) -> list[str]:
    """Missing packages, keys and base URLs of a resolved spec and any model it wraps (no network)."""
    problems: list[str] = []
    for item in requirements(spec).walk():
        where = f"{role} model '{spec}'" + (f" (inner model '{item.spec}')" if item.spec != spec else "")
        package = item.missing_package()
        if package:
            problems.append(f"{where} needs the {package} package: {install_command(package)}")
            continue
        key = item.missing_key()
        if key:
            first = item.key_vars[0]
            problems.append(f"{where} needs {key}, which is not set: export {first}=<your key>")
        if item.provider.startswith("openai-api") and not item.base_url():
            problems.append(
                f"{where} needs {item.base_url_var}, which is not set: export {item.base_url_var}=<the service's OpenAI-compatible URL>"
            )
    return problems
