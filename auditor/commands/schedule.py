"""`auditor schedule run|serve|check CONFIG`: scheduled audits of new copies of a model.

Exit codes are the gate CI and cron rely on: 0 when no new audit found a lost safeguard,
3 when one did (or a weakened one, with fail_on = "weakened"), 2 for configuration or
connection errors (a config error stops before anything is sent).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditor.commands.argtypes import positive_int
from auditor.errors import AuditInterrupted, AuditorError, ConfigError

DISPLAYS = ["full", "rich", "plain", "log", "none"]


def _run(args: argparse.Namespace) -> int:
    from auditor.schedule.config import load_config
    from auditor.schedule.runner import run_pass

    config = load_config(args.config)
    if args.executor or args.ray_address:  # the command line wins over the config's [executor]
        from dataclasses import replace

        from auditor.schedule.config import ExecutorSettings

        kind = args.executor or ("ray" if args.ray_address else config.executor.kind)
        if args.ray_address and kind != "ray":
            raise ConfigError("--ray-address needs --executor ray")
        config = replace(config, executor=ExecutorSettings(kind, args.ray_address or config.executor.address))
    result = run_pass(config, display=args.display, dry_run=args.dry_run)
    return result.exit_code


def _serve(args: argparse.Namespace) -> int:
    from auditor.schedule.config import load_config
    from auditor.schedule.runner import run_pass
    from auditor.schedule.serve import Server

    config = load_config(args.config)
    if not config.schedule:
        raise ConfigError(f"{config.path}: no schedule; add schedule = \"0 2 * * *\" (cron) to serve, or call `auditor schedule run` from cron/CI")

    def one_pass() -> int:
        # re-read the config each pass so edits take effect without a restart
        try:
            current = load_config(args.config)
            return run_pass(current, display=args.display).exit_code
        except AuditInterrupted as exc:  # a signal during a pass: its samples are kept for the next one
            print(f"auditor: {exc}", file=sys.stderr)
            return exc.exit_code
        except AuditorError as exc:
            print(f"auditor: error: {exc}", file=sys.stderr)
            return exc.exit_code

    server = Server(config.schedule, one_pass, tz=config.timezone)
    return server.serve(max_passes=args.max_passes, run_now=args.run_now)


def _check(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from auditor.schedule.config import load_config
    from auditor.schedule.serve import next_run

    config = load_config(args.config)
    print(f"auditor: {config.path}: valid")
    print(f"  original: {config.original}")
    print(f"  fixed suspects: {', '.join(config.suspects) or 'none'}")
    for source in config.discover:
        print(f"  discover '{source.name}': {source.url}/models include {list(source.include)} exclude {list(source.exclude)} -> {source.model_template}")
    print(f"  output: {config.output}")
    if config.schedule:
        moment = datetime.now(timezone.utc)
        runs = []
        for _ in range(3):
            moment = next_run(config.schedule, moment, config.timezone)
            runs.append(moment.isoformat(timespec="minutes"))
        print(f"  schedule '{config.schedule}': next passes {', '.join(runs)}")
    else:
        print("  schedule: none (run passes with `auditor schedule run` from cron or CI)")
    return 0


def _example(args: argparse.Namespace) -> int:
    from auditor.schedule.config import EXAMPLE_CONFIG

    print(EXAMPLE_CONFIG.read_text(encoding="utf-8"), end="")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule", help="audit new copies of a model on a schedule (config file)",
        description="Scheduled audits from a TOML config. Exit codes: 0 no lost safeguard, 3 a new audit found one, 2 config/connection error.",
    )
    actions = parser.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)

    run = actions.add_parser("run", help="one pass: discover, audit new or due models, record, notify")
    run.add_argument("config", type=Path, help="schedule config (.toml)")
    run.add_argument("--dry-run", action="store_true", help="discover and list what would be audited; send no model requests")
    run.add_argument("--display", default="none", choices=DISPLAYS, help="Inspect progress display (default: none)")
    run.add_argument("--executor", choices=["local", "ray"], default=None, help="where the audits' units run (default: the config's [executor] kind, else local)")
    run.add_argument("--ray-address", default=None, metavar="ADDRESS", help="with --executor ray: the cluster to join (default: the config's [executor] address, else start or join a local Ray instance)")
    run.set_defaults(func=_run)

    serve = actions.add_parser("serve", help="run passes on the config's cron schedule until stopped")
    serve.add_argument("config", type=Path, help="schedule config (.toml)")
    serve.add_argument("--run-now", action="store_true", help="run a pass at once, then follow the schedule")
    serve.add_argument("--max-passes", type=positive_int, default=None, help="stop after this many passes (exit code: the most severe pass)")
    serve.add_argument("--display", default="none", choices=DISPLAYS, help="Inspect progress display (default: none)")
    serve.set_defaults(func=_serve)

    check = actions.add_parser("check", help="validate the config and show the next scheduled passes (no network)")
    check.add_argument("config", type=Path, help="schedule config (.toml)")
    check.set_defaults(func=_check)

    example = actions.add_parser("example", help="print an example config (nightly DeepSeek/Moonshot/MiniMax audit)")
    example.set_defaults(func=_example)
