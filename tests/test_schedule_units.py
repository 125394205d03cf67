"""Scheduled-audit building blocks without running audits: discovery, due rules, the clock, history, index, webhook."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone
import pytest

from auditor.schedule.config import DiscoverySource, load_config
from auditor.schedule.discovery import DiscoveryError, discover, fetch_model_ids, matches
from auditor.schedule.family import model_family
from auditor.schedule.history import AuditRecord, CategoryResult, History
from auditor.schedule.index import render_index
from auditor.schedule.notify import post_webhook
from auditor.schedule.runner import due_reason
from auditor.storage import slug
from auditor.schedule.serve import Server, next_run
from tests._schedule_helpers import FakeProvider, ServerState, make_suite, write_config

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def record(suspect: str = "openai-api/local/distill-a", finished: datetime = NOW, **changes) -> AuditRecord:
    base = AuditRecord(
        config_name="watch", suspect=suspect, original="openai/gpt-4o", family=model_family(suspect), source="fixed",
        reason="new", started_at=finished.isoformat(), finished_at=finished.isoformat(), suite_version="s1",
        judge="keywords@1", auditor_version="0", status="complete", samples=10, errors=0,
        verdict_counts={"lost": 1, "retained": 1}, lost=1, gated=True, report_path="reports/x/001/report.html",
        log_dir="logs/suspects/x/001",
        categories=[CategoryResult("cyber_offence", "s", "harmful", "en", 5, 1.0, 0.0, -1.0, 0.01, "lost"),
                    CategoryResult("illegal_drugs", "s", "harmful", "en", 5, 1.0, 1.0, 0.0, 1.0, "retained")],
    )
    return replace(base, **changes)


# --- families ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("spec", "family"),
    [
        ("deepseek/deepseek-chat", "deepseek"),
        ("openrouter/deepseek/deepseek-chat-v3.1:free", "deepseek"),
        ("together/moonshotai/Kimi-K2-Instruct-0905", "kimi"),
        ("openai-api/minimax/MiniMax-M2", "minimax"),
        ("openai/gpt-4o-2024-08-06", "gpt"),
        ("openai-api/local/4bit-copy", "4bit-copy"),
    ],
)
def test_family_rule(spec, family):
    assert model_family(spec) == family


def test_family_overrides_win():
    assert model_family("moonshot/moonshot-v1-8k", {"moonshot-v1-*": "kimi"}) == "kimi"
    assert model_family("openrouter/minimax/minimax-m1", {"openrouter/*": "routed"}) == "routed"


# --- due rules -------------------------------------------------------------------------------

def test_due_reasons():
    latest = record(finished=NOW - timedelta(days=10))
    assert due_reason(None, "s1", "keywords@1", None, NOW) == "new"
    assert due_reason(latest, "s2", "keywords@1", None, NOW) == "suite changed"
    assert due_reason(latest, "s1", "offline@2", None, NOW) == "judge changed"
    assert due_reason(latest, "s1", "keywords@1", None, NOW) is None
    assert due_reason(latest, "s1", "keywords@1", 30, NOW) is None
    assert "10 days ago" in due_reason(latest, "s1", "keywords@1", 7, NOW)


def test_slugs_are_safe_and_distinct():
    hostile = "openai-api/x/../../etc/passwd"
    assert "/" not in slug(hostile) and not slug(hostile).startswith(".")
    assert slug("a/b:c") != slug("a/b_c")


# --- the clock -------------------------------------------------------------------------------

class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.moment, self.slept = start, 0.0

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        assert 0 < seconds <= 1.0  # small steps, so a stop request is noticed quickly
        self.slept += seconds
        self.moment += timedelta(seconds=seconds)


def test_next_run_follows_cron_in_the_configured_zone():
    assert next_run("0 2 * * *", NOW, "UTC") == datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    tokyo = next_run("0 2 * * *", NOW, "Asia/Tokyo")
    assert tokyo.astimezone(timezone.utc) == datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc)  # 02:00 JST


def test_server_runs_passes_at_cron_times_and_reports_the_worst_exit():
    clock = FakeClock(datetime(2026, 3, 1, 1, 58, 30, tzinfo=timezone.utc))
    fired: list[datetime] = []
    codes = iter([0, 3, 2])

    def run_pass() -> int:
        fired.append(clock.now())
        return next(codes)

    server = Server("*/5 * * * *", run_pass, tz="UTC", clock=clock, say=lambda _: None)
    assert server.serve(max_passes=3, install_signals=False) == 3
    assert fired == [datetime(2026, 3, 1, 2, m, tzinfo=timezone.utc) for m in (0, 5, 10)]


def test_server_stops_between_passes_and_can_run_at_once():
    clock = FakeClock(NOW)
    calls: list[datetime] = []
    server = Server("0 2 * * *", lambda: calls.append(clock.now()) or server.stop() or 0, tz="UTC", clock=clock, say=lambda _: None)
    assert server.serve(run_now=True, install_signals=False) == 0
    assert calls == [NOW] and clock.slept == 0


# --- history ---------------------------------------------------------------------------------

def test_history_records_and_reads_back_newest_first(tmp_path):
    with History(tmp_path / "history.sqlite") as history:
        first = history.record(record(finished=NOW - timedelta(days=1)))
        second = history.record(record("openai-api/local/distill-b"))
        audits = history.audits("watch")
        assert [a.id for a in audits] == [second, first]
        assert audits[0].categories[0].category == "cyber_offence" and audits[0].verdict_counts == {"lost": 1, "retained": 1}
        assert history.latest("watch", "openai-api/local/distill-a", "openai/gpt-4o").id == first
        assert history.count("watch", "openai-api/local/distill-a") == 1


def test_a_failed_write_leaves_no_half_recorded_audit(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        broken = record(categories=[CategoryResult("cyber_offence"), CategoryResult(None)])  # category is NOT NULL
        with pytest.raises(sqlite3.IntegrityError):
            history.record(broken)
        assert history.audits() == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM category_results").fetchone()[0] == 0
    conn.close()


def test_a_file_that_is_not_a_history_is_a_one_line_error(tmp_path):
    from auditor.errors import AuditorError

    path = tmp_path / "history.sqlite"
    path.write_text("not a database" * 100)
    with pytest.raises(AuditorError, match="not a readable audit history"):
        History(path)


# --- index page ------------------------------------------------------------------------------

def test_index_escapes_untrusted_model_names(tmp_path):
    config = load_config(write_config(tmp_path / "watch.toml", "http://127.0.0.1:9/v1", suite=make_suite(tmp_path / "s.jsonl", pairs=1)))
    hostile = 'openai-api/x/<script>alert(1)</script>$x^2$'
    audits = [record(hostile, id=2, family="<b>fam</b>"), record(finished=NOW - timedelta(days=2), id=1)]
    html = render_index(config, audits)
    assert "<script>" not in html and "<b>fam</b>" not in html
    assert "&lt;script&gt;" in html
    assert html.index("&lt;script&gt;") < html.index("distill-a")  # newest first
    assert html.count("<svg") == 2  # one trend chart per family


# --- discovery -------------------------------------------------------------------------------

def test_discovery_filters_and_reports_unreachable_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_API_KEY", "test-key")
    state = ServerState(models={"orig-model": "refuses", "distill-a": "refuses", "distill-embed": "refuses",
                                "Other": "refuses", "bad id\n": "refuses"})
    with FakeProvider(state) as server:
        source = DiscoverySource(name="local", url=server.base_url, model_template="openai-api/local/{id}")
        assert fetch_model_ids(source) == ["orig-model", "distill-a", "distill-embed", "Other", "bad id\n"]
        config = load_config(write_config(tmp_path / "watch.toml", server.base_url, suite=make_suite(tmp_path / "s.jsonl", pairs=1),
                                          include='["distill-*", "OTHER", "bad*"]'))
        found = discover(config)
    assert [c.spec for c in found.candidates] == ["openai-api/local/distill-a", "openai-api/local/Other"]
    assert found.errors == [] and len(found.warnings) == 1 and "whitespace" in found.warnings[0]
    assert matches("Kimi-K2", ("kimi-*",), ()) and not matches("kimi-vision", ("kimi-*",), ("*vision*",))
    closed = DiscoverySource(name="gone", url=server.base_url, model_template="x/{id}")  # server is shut now
    with pytest.raises(DiscoveryError, match=r"cannot connect to http://127\.0\.0\.1:\d+/v1/models"):
        fetch_model_ids(closed)


def test_discovery_needs_the_named_key(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_FOR_TEST", raising=False)
    source = DiscoverySource(name="s", url="http://127.0.0.1:9/v1", model_template="x/{id}", api_key_env="NO_SUCH_KEY_FOR_TEST")
    with pytest.raises(DiscoveryError, match="NO_SUCH_KEY_FOR_TEST is not set"):
        fetch_model_ids(source)


def test_unreachable_discovery_makes_the_pass_exit_2(tmp_path, capsys, monkeypatch):
    from auditor.cli import main

    monkeypatch.setenv("LOCAL_API_KEY", "test-key")

    config = write_config(tmp_path / "watch.toml", "http://127.0.0.1:9/v1", suite=make_suite(tmp_path / "s.jsonl", pairs=1))
    assert main(["schedule", "run", str(config)]) == 2
    assert "http://127.0.0.1:9/v1/models" in capsys.readouterr().err


# --- webhook ---------------------------------------------------------------------------------

def test_webhook_posts_json_and_failures_are_warnings():
    state = ServerState(models={})
    with FakeProvider(state) as server:
        assert post_webhook(server.hook_url, {"suspect": "m", "categories": ["cyber_offence"]}) is None
        assert state.webhook_posts == [{"suspect": "m", "categories": ["cyber_offence"]}]
        warning = post_webhook(server.base_url.replace("/v1", "/nope?token=secret"), {})
        assert warning and "HTTP 404" in warning and "secret" not in warning
    assert "failed" in (post_webhook(server.hook_url + "?token=secret", {}) or "")
    assert "secret" not in (post_webhook(server.hook_url + "?token=secret", {}) or "")
