"""`auditor report LOG_DIR --original M --suspect M --out DIR`: rebuild outputs from logs, calling no model."""

from __future__ import annotations

import argparse

from auditor.commands.audit import add_common_report_args, default_out_dir, fail_on_exit, incomplete_exit, report_options
from auditor.errors import ConfigError
from auditor.storage import is_url, log_location


def run(args: argparse.Namespace) -> int:
    from auditor.options import AuditOptions, check_output_dir
    from auditor.models.presets import resolve_model

    if not is_url(args.log_dir) and not args.log_dir.is_dir():
        what = "is a file" if args.log_dir.exists() else "does not exist"
        raise ConfigError(f"log folder {args.log_dir} {what}; pass the folder an audit wrote its logs to (its --log-dir, by default OUT/logs)")
    out_dir = args.out or default_out_dir()
    check_output_dir(out_dir, "--out")
    from auditor.audit import build_outputs  # imports Inspect: only when reporting

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
    return incomplete_exit(result.get("problem")) or fail_on_exit(result.get("data", {}), args.fail_on)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="rebuild an audit's reports from existing Inspect logs")
    parser.add_argument("log_dir", type=log_location, help="the audit's log folder: a local folder or an fsspec URL such as s3://bucket/audits/logs")
    parser.add_argument("--original", required=True)
    parser.add_argument("--suspect", required=True)
    add_common_report_args(parser)
    parser.set_defaults(func=run)
