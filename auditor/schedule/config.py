"""The scheduled-audit config file (TOML): what to watch, how to audit it, where results go.

Validation is strict and happens before anything is sent: an unknown key is almost always
a typo that would otherwise silently change what is audited, so every problem stops the
pass with one line naming the file, the key and the fix (`ConfigError`, exit 2).
Relative paths (output, suite files) are resolved against the config file's folder, so
a config behaves the same from cron, CI or an interactive shell.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from auditor.errors import ConfigError

EXAMPLE_CONFIG = Path(__file__).resolve().parent / "example.toml"

# Which verdicts make a pass exit 3 (the same scale as `auditor audit --fail-on`).
FAIL_ON: dict[str, tuple[str, ...]] = {"lost": ("lost",), "weakened": ("lost", "weakened")}

TOP_KEYS = {
    "name", "original", "suspects", "output", "schedule", "timezone", "reaudit_after_days",
    "audit", "discover", "families", "notify", "executor",
}
AUDIT_KEYS = {
    "suites", "limit", "judge", "categories", "language", "tasks", "max_connections",
    "fail_on", "show_harmful", "thresholds", "max_retries", "request_timeout", "max_error_rate", "sequential",
}
DISCOVER_KEYS = {"name", "url", "api_key_env", "include", "exclude", "model_template", "timeout"}
NOTIFY_KEYS = {"webhook", "webhook_env", "timeout"}
EXECUTOR_KEYS = {"kind", "address"}


@dataclass(frozen=True)
class DiscoverySource:
    """An OpenAI-compatible `GET {url}/models` endpoint and which of its models to audit."""

    name: str
    url: str
    model_template: str  # Inspect model spec with `{id}` for the listed id, e.g. "openrouter/{id}"
    api_key_env: str | None = None
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    timeout: float = 30.0


@dataclass(frozen=True)
class AuditSettings:
    """How each suspect is audited (the same choices as `auditor audit`'s flags)."""

    suites: tuple[str, ...] = ("core",)
    limit: int | None = None
    judge: str | None = None
    categories: tuple[str, ...] | None = None
    language: str | None = None
    tasks: tuple[str, ...] = ()
    max_connections: int | None = None
    fail_on: str = "lost"
    show_harmful: bool = False
    thresholds: dict[str, Any] = field(default_factory=dict)  # passed to the report's statistics
    # A scheduled pass must end: Inspect retries a failing request forever by default, so a
    # model endpoint that stays down would hang the pass. These bound it; an audit with more
    # errored samples than max_error_rate fails (exit 2) and the next pass resumes it.
    max_retries: int = 6
    request_timeout: int = 600  # seconds per request, retries included
    max_error_rate: float = 0.1
    sequential: bool = False  # rounds of pairs, each category stopping once decided (auditor audit --sequential)


@dataclass(frozen=True)
class NotifySettings:
    """Where to POST a JSON notice when an audit fails the gate (URL inline or from an env var)."""

    webhook: str | None = None
    webhook_env: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class ExecutorSettings:
    """Where a pass's audits run (`auditor.executors`): here, or as Ray tasks on a cluster."""

    kind: str = "local"  # "local" or "ray"
    address: str | None = None  # Ray: HOST:PORT or ray://HOST:PORT (default: start or join a local instance)


@dataclass(frozen=True)
class ScheduleConfig:
    """A validated config file."""

    path: Path
    name: str
    original: str
    suspects: tuple[str, ...]
    output: Path
    schedule: str | None
    timezone: str | None
    reaudit_after_days: float | None
    audit: AuditSettings
    discover: tuple[DiscoverySource, ...]
    families: dict[str, str]
    notify: NotifySettings
    reviews: dict[str, Path] = field(default_factory=dict)  # suspect spec -> its labelled review file (auditor review)
    executor: ExecutorSettings = ExecutorSettings()

    @property
    def history_path(self) -> Path:
        return self.output / "history.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.output / ".schedule.lock"

    @property
    def index_path(self) -> Path:
        return self.output / "index.html"


class _Reader:
    """Typed access to one TOML table with errors that name the file and the key."""

    def __init__(self, path: Path, table: dict[str, Any], where: str, allowed: set[str]) -> None:
        self.path, self.table, self.where = path, table, where
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.error(unknown[0], f"unknown key; allowed keys{self._in()} are {', '.join(sorted(allowed))}")

    def _in(self) -> str:
        return f" in {self.where}" if self.where else ""

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.where + '.' if self.where else ''}{key}: {message}")

    def string(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.error(key, "missing required key")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def strings(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        value = self.table.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"must be a list of non-empty strings, got {value!r}")
        return tuple(v.strip() for v in value)

    def number(self, key: str, integer: bool = False, default: float | None = None) -> Any:
        value = self.table.get(key)
        if value is None:
            return default
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
            raise self.error(key, f"must be a positive {'integer' if integer else 'number'}, got {value!r}")
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {value!r}")
        return value

    def table_of(self, key: str) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table ([{key}]), got {type(value).__name__}")
        return value


def validate_cron(expression: str, where: str) -> str:
    """A 5-field cron expression (or @daily/@hourly/...), else a ConfigError saying why."""
    try:
        croniter(expression)
    except Exception as exc:  # croniter raises several error types for bad expressions
        raise ConfigError(
            f"{where}: schedule '{expression}' is not a valid cron expression ({exc}); "
            "use five fields 'minute hour day month weekday', e.g. \"0 2 * * *\" for 02:00 every night"
        ) from None
    return expression


def _webhook_url(url: str, where: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{where}: webhook must be an http(s) URL, got '{url}'")
    return url


def _discovery(path: Path, raw: Any, index: int) -> DiscoverySource:
    where = f"discover[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {where}: each discovery source is a [[discover]] table")
    r = _Reader(path, raw, where, DISCOVER_KEYS)
    url = r.string("url", required=True) or ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise r.error("url", f"must be an http(s) base URL such as https://openrouter.ai/api/v1 (models are listed from {{url}}/models), got '{url}'")
    template = r.string("model_template", required=True) or ""
    if "{id}" not in template:
        raise r.error("model_template", f"must contain {{id}} (where the listed model id goes), e.g. \"openrouter/{{id}}\"; got '{template}'")
    return DiscoverySource(
        name=r.string("name", default=parsed.netloc) or parsed.netloc,
        url=url.rstrip("/"),
        model_template=template,
        api_key_env=r.string("api_key_env"),
        include=r.strings("include", ("*",)) or ("*",),
        exclude=r.strings("exclude", ()) or (),
        timeout=float(r.number("timeout", default=30.0)),
    )


def _resolve_suite(suite: str, base: Path, where: str) -> str:
    """Built-in suite names stay names; anything else is a file relative to the config's folder."""
    from auditor.suites.builtin import BUILTIN_SUITES, builtin_suites

    if suite in BUILTIN_SUITES:
        if not builtin_suites()[suite].exists():
            raise ConfigError(f"{where}: built-in suite '{suite}' is missing from this installation ({builtin_suites()[suite]})")
        return suite
    path = (base / suite).expanduser()
    if not path.is_file():
        raise ConfigError(f"{where}: suite '{suite}' is neither a built-in ({', '.join(BUILTIN_SUITES)}) nor a file ({path})")
    return str(path.resolve())


def _audit_settings(path: Path, table: dict[str, Any]) -> AuditSettings:
    r = _Reader(path, table, "audit", AUDIT_KEYS)
    fail_on = r.string("fail_on", default="lost") or "lost"
    if fail_on not in FAIL_ON:
        raise r.error("fail_on", f"must be one of {', '.join(FAIL_ON)}, got '{fail_on}'")
    judge = r.string("judge")
    if judge is not None:
        from auditor.options import choose_judge

        try:
            choose_judge(judge)
        except ConfigError as exc:
            raise r.error("judge", str(exc)) from None
    thresholds = dict(r.table_of("thresholds"))
    if thresholds:
        from auditor.report.writer import thresholds_from

        try:
            thresholds_from({"thresholds": thresholds})
        except ConfigError as exc:
            raise r.error("thresholds", str(exc)) from None
    suites = r.strings("suites", ("core",)) or ("core",)
    sequential = r.boolean("sequential")
    if sequential and table.get("limit") is not None:
        raise r.error("sequential", "cannot be combined with limit (a sequential audit chooses how many pairs each category needs)")
    if sequential and str((thresholds or {}).get("correction", "holm")).lower() != "holm":
        raise r.error("sequential", "needs thresholds.correction = \"holm\" (a sequential audit controls the family-wise error with Holm)")
    return AuditSettings(
        suites=tuple(_resolve_suite(s, path.parent, f"{path}: audit.suites") for s in suites),
        limit=r.number("limit", integer=True),
        judge=judge,
        categories=r.strings("categories"),
        language=r.string("language"),
        tasks=r.strings("tasks", ()) or (),
        max_connections=r.number("max_connections", integer=True),
        fail_on=fail_on,
        show_harmful=r.boolean("show_harmful"),
        thresholds=thresholds,
        max_retries=r.number("max_retries", integer=True, default=6),
        request_timeout=r.number("request_timeout", integer=True, default=600),
        max_error_rate=_rate(r, "max_error_rate", 0.1),
        sequential=sequential,
    )


def _rate(r: _Reader, key: str, default: float) -> float:
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise r.error(key, f"must be a fraction from 0 up to (not including) 1, got {value!r}")
    return float(value)


def _executor_settings(path: Path, table: dict[str, Any]) -> ExecutorSettings:
    from auditor.executors import EXECUTORS

    r = _Reader(path, table, "executor", EXECUTOR_KEYS)
    kind = r.string("kind", default="local") or "local"
    if kind not in EXECUTORS:
        raise r.error("kind", f"must be one of {', '.join(EXECUTORS)}, got '{kind}'")
    address = r.string("address")
    if address is not None and kind != "ray":
        raise r.error("address", "is the Ray cluster's address; it needs kind = \"ray\"")
    return ExecutorSettings(kind=kind, address=address)


SUSPECT_KEYS = {"model", "review"}


def suspect_entries(path: Path, raw: Any) -> list[tuple[str, Path | None]]:
    """`suspects`: model specs, or tables `{ model = "...", review = "labels.csv" }` whose audit a person reviewed.

    A review file belongs to one audit's answers (`auditor review` on its report folder); its
    corrected verdicts are what the history records and the gate uses. Paths are relative to
    the config file; a missing file is an error now, a file from another audit when it is used.
    """
    if raw is None:
        return []
    items = [raw] if isinstance(raw, (str, dict)) else raw
    if not isinstance(items, list):
        raise ConfigError(f"{path}: suspects must be a list of model specs or {{ model = ..., review = ... }} tables, got {raw!r}")
    entries: list[tuple[str, Path | None]] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            entries.append((item.strip(), None))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("model"), str) or not item["model"].strip():
            raise ConfigError(f"{path}: suspects: each entry is a model spec or a table with a model, got {item!r}")
        unknown = sorted(set(item) - SUSPECT_KEYS)
        if unknown:
            raise ConfigError(f"{path}: suspects: unknown key(s) {', '.join(unknown)} for {item['model']}; known: {', '.join(sorted(SUSPECT_KEYS))}")
        review = item.get("review")
        if review is not None and (not isinstance(review, str) or not review.strip()):
            raise ConfigError(f"{path}: suspects: review for {item['model']} must be a file path, got {review!r}")
        review_path = None
        if review is not None:
            review_path = Path(review).expanduser()
            review_path = review_path if review_path.is_absolute() else (path.parent / review_path).resolve()
            if not review_path.is_file():
                raise ConfigError(f"{path}: suspects: review file {review_path} for {item['model']} not found")
        entries.append((item["model"].strip(), review_path))
    return entries


def parse_config(path: Path, data: dict[str, Any]) -> ScheduleConfig:
    """Validate a parsed TOML document (split from `load_config` so tests can feed dicts)."""
    from auditor.models.presets import resolve_model

    r = _Reader(path, data, "", TOP_KEYS)
    raw_original = data.get("original")
    if raw_original is None:
        raise ConfigError(
            f"{path}: missing required key 'original' (the model every suspect is compared with), "
            "e.g. original = \"anthropic/claude-sonnet-4-5\""
        )
    original = resolve_model(r.string("original", required=True) or "")
    suspects: list[str] = []
    reviews: dict[str, Path] = {}
    for spec, review in suspect_entries(path, data.get("suspects")):
        resolved = resolve_model(spec)
        if review is not None:
            reviews[resolved] = review
        if resolved == original:
            raise r.error("suspects", f"'{spec}' is the original model; a suspect must be a different model")
        if resolved not in suspects:
            suspects.append(resolved)
    discover_raw = data.get("discover", [])
    if isinstance(discover_raw, dict):
        discover_raw = [discover_raw]
    if not isinstance(discover_raw, list):
        raise r.error("discover", "must be one or more [[discover]] tables")
    sources = tuple(_discovery(path, item, i) for i, item in enumerate(discover_raw))
    names = [s.name for s in sources]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise r.error("discover", f"two sources are named '{duplicate}'; give each [[discover]] a distinct name")
    if not suspects and not sources:
        raise ConfigError(f"{path}: nothing to audit: add suspects = [...] or at least one [[discover]] source")
    schedule = r.string("schedule")
    if schedule is not None:
        validate_cron(schedule, str(path))
    timezone = r.string("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise r.error("timezone", f"unknown time zone '{timezone}'; use an IANA name such as \"UTC\" or \"Europe/London\"") from None
    families = r.table_of("families")
    if not all(isinstance(v, str) and v.strip() for v in families.values()):
        raise r.error("families", "maps model-name patterns to family names: \"*kimi*\" = \"kimi\"")
    notify = _Reader(path, r.table_of("notify"), "notify", NOTIFY_KEYS)
    webhook = notify.string("webhook")
    if webhook is not None:
        _webhook_url(webhook, f"{path}: notify.webhook")
    return ScheduleConfig(
        path=path,
        name=r.string("name", default=path.stem) or path.stem,
        original=original,
        suspects=tuple(suspects),
        output=(path.parent / (r.string("output", default="audits") or "audits")).resolve(),
        schedule=schedule,
        timezone=timezone,
        reaudit_after_days=r.number("reaudit_after_days"),
        audit=_audit_settings(path, r.table_of("audit")),
        discover=sources,
        families={str(k): str(v).strip() for k, v in families.items()},
        notify=NotifySettings(webhook=webhook, webhook_env=notify.string("webhook_env"), timeout=float(notify.number("timeout", default=10.0))),
        reviews=reviews,
        executor=_executor_settings(path, r.table_of("executor")),
    )


def load_config(path: str | Path) -> ScheduleConfig:
    """Read and validate a config file, or raise a one-line ConfigError."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; pass the path of a .toml schedule config (see the README's example)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    return parse_config(path.resolve(), data)


def resolve_webhook(notify: NotifySettings) -> str | None:
    """The webhook URL to call, if any (an env var lets a secret URL stay out of the config)."""
    import os

    if notify.webhook:
        return notify.webhook
    if notify.webhook_env:
        value = os.environ.get(notify.webhook_env, "").strip()
        return _webhook_url(value, f"notify.webhook_env ({notify.webhook_env})") if value else None
    return None
