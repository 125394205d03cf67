"""Schedule config validation: every mistake is one line naming the file, the key and the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.errors import ConfigError
from auditor.schedule.config import EXAMPLE_CONFIG, load_config

REPO = Path(__file__).resolve().parents[1]

BASE = '''
original = "openai/gpt-4o"
output = "out"
schedule = "0 2 * * *"
{top}

[audit]
suites = ["{suite}"]
judge = "keywords"
{audit}

[[discover]]
url = "http://127.0.0.1:9/v1"
model_template = "openai-api/local/{{id}}"
{discover}
'''


def write(tmp_path: Path, top: str = "", audit: str = "", discover: str = "", text: str | None = None) -> Path:
    suite = tmp_path / "suite.jsonl"
    suite.write_text('{"id": "a-h", "category": "cyber_offence", "variant": "harmful", "prompt": "x"}\n', encoding="utf-8")
    path = tmp_path / "watch.toml"
    path.write_text(text if text is not None else BASE.format(top=top, audit=audit, discover=discover, suite=suite), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_a_valid_config_resolves_paths_and_defaults(tmp_path):
    config = load_config(write(tmp_path, top='suspects = ["openai-api/local/fixed"]\nreaudit_after_days = 7'))
    assert config.name == "watch"
    assert config.output == (tmp_path / "out").resolve()
    assert config.audit.suites == (str((tmp_path / "suite.jsonl").resolve()),)
    assert config.suspects == ("openai-api/local/fixed",)
    assert config.discover[0].name == "127.0.0.1:9" and config.discover[0].include == ("*",)
    assert config.reaudit_after_days == 7 and config.audit.fail_on == "lost"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"top": "sufix = 1"}, r"sufix: unknown key; allowed keys are .*original"),
        ({"audit": "limt = 5"}, r"audit\.limt: unknown key; allowed keys in audit are .*limit"),
        ({"discover": "inclde = ['x']"}, r"discover\[0\]\.inclde: unknown key"),
        ({"audit": "limit = -3"}, r"audit\.limit: must be a positive integer, got -3"),
        ({"audit": "fail_on = 'sometimes'"}, r"audit\.fail_on: must be one of lost, weakened"),
        ({"audit": "judge2 = 'x'"}, r"audit\.judge2: unknown key"),
        ({"top": "timezone = 'Mars/Olympus'"}, r"timezone: unknown time zone 'Mars/Olympus'"),
        ({"top": "reaudit_after_days = 'weekly'"}, r"reaudit_after_days: must be a positive number"),
        ({"audit": "[audit.thresholds]\nalpah = 0.1"}, r"audit\.thresholds: unknown threshold\(s\) alpah"),
    ],
)
def test_bad_values_name_the_key(tmp_path, kwargs, expected):
    assert re.search(expected, error_of(write(tmp_path, **kwargs)))


def test_bad_cron_is_explained(tmp_path):
    text = BASE.replace('schedule = "0 2 * * *"', 'schedule = "61 2 * * *"')
    message = error_of(write(tmp_path, text=text.format(top="", audit="", discover="", suite=tmp_path / "suite.jsonl")))
    assert "schedule '61 2 * * *' is not a valid cron expression" in message and "0 2 * * *" in message


def test_missing_original(tmp_path):
    text = BASE.replace('original = "openai/gpt-4o"', "")
    message = error_of(write(tmp_path, text=text.format(top="", audit="", discover="", suite=tmp_path / "suite.jsonl")))
    assert "missing required key 'original'" in message


def test_discovery_source_problems(tmp_path):
    text = BASE.replace("openai-api/local/{{id}}", "openai-api/local/fixed")
    message = error_of(write(tmp_path, text=text.format(top="", audit="", discover="", suite=tmp_path / "suite.jsonl")))
    assert "discover[0].model_template: must contain {id}" in message
    text = BASE.replace("http://127.0.0.1:9/v1", "127.0.0.1:9")
    message = error_of(write(tmp_path, text=text.format(top="", audit="", discover="", suite=tmp_path / "suite.jsonl")))
    assert "discover[0].url: must be an http(s) base URL" in message


def test_missing_suite_file_and_unknown_judge(tmp_path):
    path = write(tmp_path, audit='')
    path.write_text(path.read_text().replace(str(tmp_path / "suite.jsonl"), "nope.jsonl"))
    assert "suite 'nope.jsonl' is neither a built-in" in error_of(path)
    path = write(tmp_path)
    path.write_text(path.read_text().replace('judge = "keywords"', 'judge = "keywrods"'))
    assert "audit.judge: unknown judge 'keywrods'" in error_of(path)


def test_invalid_toml_and_nothing_to_audit(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("original = \n", encoding="utf-8")
    assert "not valid TOML" in error_of(path)
    path.write_text('original = "openai/gpt-4o"\n', encoding="utf-8")
    assert "nothing to audit" in error_of(path)
    path.write_text('original = "openai/gpt-4o"\nsuspects = ["openai/gpt-4o"]\n', encoding="utf-8")
    assert "is the original model" in error_of(path)


def test_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    path = write(tmp_path, top="sufix = 1")
    assert main(["schedule", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("auditor: error: ") and err.count("\n") == 1 and "sufix" in err
    assert main(["schedule", "check", str(tmp_path / "absent.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_serve_needs_a_schedule(tmp_path, capsys):
    path = write(tmp_path)
    path.write_text(path.read_text().replace('schedule = "0 2 * * *"', ""))
    assert main(["schedule", "serve", str(path), "--max-passes", "1"]) == 2
    assert "no schedule" in capsys.readouterr().err


def test_the_shipped_example_is_valid_and_matches_the_readme(tmp_path, capsys):
    """The README's nightly DeepSeek/Moonshot/MiniMax example is the shipped example file, and it loads."""
    copy = tmp_path / "nightly.toml"
    assert main(["schedule", "example"]) == 0
    copy.write_text(capsys.readouterr().out, encoding="utf-8")
    config = load_config(copy)
    assert config.schedule == "0 2 * * *"
    assert [s.name for s in config.discover] == ["deepseek", "moonshot", "openrouter"]
    assert config.discover[2].include == ("minimax/*",)
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if "auditor schedule" not in text:
        pytest.skip("README.md has no scheduled-audit section yet")
    example = EXAMPLE_CONFIG.read_text(encoding="utf-8").strip()
    assert example in text, "README.md's schedule config example differs from auditor/schedule/example.toml"
