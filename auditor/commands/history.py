"""`auditor history CONFIG`: the audits a schedule has recorded, newest first."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from fnmatch import fnmatchcase
from pathlib import Path

from auditor.commands.argtypes import positive_int
from auditor.errors import AuditorError


def _verdicts(counts: dict[str, int]) -> str:
    return ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items())) or "-"


def run(args: argparse.Namespace) -> int:
    from auditor.schedule.config import load_config
    from auditor.schedule.history import History

    config = load_config(args.config)
    if not config.history_path.exists():
        print(f"auditor: no audits recorded yet ({config.history_path} does not exist); run `auditor schedule run {args.config}`")
        return 0
    with History(config.history_path) as history:
        audits = history.audits(config.name)
        if args.audit is not None:
            audits = [a for a in audits if a.id == args.audit]
            if not audits:
                raise AuditorError(f"no audit {args.audit} in {config.history_path}; run `auditor history {args.config}` to list them")
        if args.suspect:
            audits = [a for a in audits if fnmatchcase(a.suspect.lower(), args.suspect.lower())]
        if args.limit:
            audits = audits[: args.limit]
        if args.write_index:
            from auditor.schedule.index import write_index

            print(f"auditor: wrote index: {write_index(config, history)}")
    if args.json:
        print(json.dumps([asdict(a) for a in audits], indent=2))
        return 0
    if not audits:
        print("auditor: no matching audits")
        return 0
    header = f"{'id':>4}  {'finished (UTC)':<20}  {'suspect':<44}  {'family':<12}  {'verdicts':<28}  report"
    print(header)
    for a in audits:
        flag = " !" if a.gated else ""
        print(f"{a.id:>4}  {a.finished_at[:19].replace('T', ' '):<20}  {a.suspect:<44}  {a.family:<12}  {_verdicts(a.verdict_counts) + flag:<28}  {config.output / a.report_path}")
        if args.audit is not None:
            print(f"      original {a.original}; reason: {a.reason}; suite {a.suite_version}; judge {a.judge}; status {a.status} ({a.samples} samples, {a.errors} with errors)")
            for c in a.categories:
                rates = f"{_pct(c.original_rate)} -> {_pct(c.suspect_rate)}"
                print(f"      {c.category:<34} {c.variant or '':<8} {c.language or '':<4} n={c.n if c.n is not None else '-':<4} {rates:<16} p_adj={_num(c.p_adjusted):<8} {c.verdict or '-'}")
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="list the audits a schedule config has recorded")
    parser.add_argument("config", type=Path, help="schedule config (.toml)")
    parser.add_argument("--suspect", default=None, help="only suspects matching this glob (e.g. '*deepseek*')")
    parser.add_argument("--limit", type=positive_int, default=None, help="at most this many audits (newest first)")
    parser.add_argument("--audit", type=positive_int, default=None, help="show one audit with its per-category results")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--write-index", action="store_true", help="rebuild the index page from the history")
    parser.set_defaults(func=run)
