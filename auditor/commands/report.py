"""`auditor report LOG_DIR --original M --suspect M --out DIR`: rebuild outputs from logs, calling no model."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditor.commands.audit import add_common_report_args, default_out_dir, fail_on_exit, report_options


def run(args: argparse.Namespace) -> int:
    from auditor.audit import build_outputs  # imports Inspect: only when reporting
    from auditor.options import AuditOptions
    from auditor.models.presets import resolve_model

    out_dir = args.out or default_out_dir()
    original, suspect = resolve_model(args.original), resolve_model(args.suspect)
    options = AuditOptions(
        original=original, suspect=suspect, log_dir=args.log_dir, out_dir=out_dir,
        report_options=report_options(args), suites=[],
    )
    result = build_outputs(args.log_dir, original, suspect, out_dir, options)
    paired = result["paired"]
    print(f"auditor: {len(paired.paired)} samples paired, {len(paired.unpaired)} unpaired")
    for kind, path in result["_outputs"].items():
        print(f"auditor: wrote {kind}: {path}")
    return fail_on_exit(result.get("data", {}), args.fail_on)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="rebuild an audit's reports from existing Inspect logs")
    parser.add_argument("log_dir", type=Path)
    parser.add_argument("--original", required=True)
    parser.add_argument("--suspect", required=True)
    add_common_report_args(parser)
    parser.set_defaults(func=run)
