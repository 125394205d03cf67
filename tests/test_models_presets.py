"""Presets: every family the issue names is there, specs use Inspect's providers, bad names get suggestions."""

from __future__ import annotations

import pytest
from inspect_ai.model import get_model

from auditor.cli import main
from auditor.errors import ConfigError
from auditor.models.presets import PRESETS, resolve_model
from auditor.models.requirements import SERVICES, requirements

NATIVE = ("openai/", "anthropic/", "google/", "deepseek/", "moonshot/", "openrouter/", "together/", "local/", "guarded/")


def test_every_family_has_a_preset() -> None:
    specs = [p.spec for p in PRESETS.values()]
    for prefix in ("deepseek/", "moonshot/", "openai-api/minimax/", "openai-api/dashscope/", "openai-api/zhipu/",
                   "openrouter/", "together/", "openai/", "anthropic/", "google/", "local/smollm2"):
        assert any(spec.startswith(prefix) for spec in specs), prefix


def test_presets_use_native_providers_or_openai_api_with_a_known_service() -> None:
    for preset in PRESETS.values():
        if preset.spec.startswith("openai-api/"):
            service = preset.spec.split("/")[1]
            assert service in SERVICES, preset.name
            stem = service.upper()
            assert f"{stem}_API_KEY" in preset.env[0] and any(f"{stem}_BASE_URL" in e for e in preset.env)
        else:
            assert preset.spec.startswith(NATIVE), preset.name


def test_inspect_specs_pass_through_and_presets_expand() -> None:
    assert resolve_model("openai/gpt-4o-mini") == "openai/gpt-4o-mini"
    assert resolve_model("openrouter/some-org/some-model") == "openrouter/some-org/some-model"
    assert resolve_model("deepseek-chat") == "deepseek/deepseek-chat"
    assert resolve_model("guarded/smollm2") == "guarded/local/smollm2"


def test_unknown_preset_suggests_the_closest_names() -> None:
    with pytest.raises(ConfigError) as err:
        resolve_model("deepseek-chta")
    message = str(err.value)
    assert "unknown model 'deepseek-chta'" in message and "deepseek-chat" in message and "auditor models" in message


def test_known_service_gets_its_base_url_unless_the_user_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_BASE_URL", raising=False)
    resolve_model("qwen-max")
    import os

    assert os.environ["DASHSCOPE_BASE_URL"] == SERVICES["dashscope"]
    monkeypatch.setenv("ZHIPU_BASE_URL", "http://127.0.0.1:1/v1")
    resolve_model("glm-4.6")
    assert os.environ["ZHIPU_BASE_URL"] == "http://127.0.0.1:1/v1"


def test_key_variables_match_what_inspect_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-check names the same variable Inspect would fail on, for openai-api services and native ones."""
    for var in ("AUDITTESTSVC_API_KEY", "DEEPSEEK_API_KEY", "MOONSHOT_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AUDITTESTSVC_BASE_URL", "http://127.0.0.1:1/v1")
    for spec in ("openai-api/audittestsvc/m", "deepseek/deepseek-chat", "moonshot/kimi-k2-0905-preview"):
        expected = requirements(spec).key_vars[0]
        with pytest.raises(Exception) as err:
            get_model(spec, memoize=False)
        assert expected in str(err.value), spec


def test_models_command_lists_presets_and_their_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("deepseek-chat", "kimi-k2", "minimax-m2", "qwen-max", "glm-4.6", "gpt-4o", "claude-sonnet", "gemini-pro", "smollm2"):
        assert name in out
    assert "DEEPSEEK_API_KEY" in out and "DASHSCOPE_BASE_URL" in out


def test_models_command_unknown_name_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "kimi-k3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("auditor: error: unknown model 'kimi-k3'") and "kimi-k2" in err
