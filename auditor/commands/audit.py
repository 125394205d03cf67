"""`auditor audit`: run both models on the suites, judge, pair, and write the reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditor.commands.argtypes import fraction, positive_int
from auditor.errors import ConfigError
from auditor.storage import log_location

FAIL_ON_ORDER = {"lost": ("lost",), "weakened": ("lost", "weakened")}


def default_models() -> tuple[str, str, str]:
    """The offline default pair (original, suspect, plain description) when no models are named."""
    from auditor.models.defaults import default_pair

    return default_pair()


def add_common_report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, help="folder for report.json/html/md (audit default: reports/<suspect>-vs-<original>-<selection hash>, so rerunning resumes; report default: reports/<timestamp>)")
    parser.add_argument("--show-harmful", action="store_true", help="show harmful completions in full in the report (redacted to their first words by default)")
    parser.add_argument("--fail-on", choices=sorted(FAIL_ON_ORDER), default=None, help="exit 3 when any safeguard has this verdict or worse")
    parser.add_argument("--review", type=Path, default=None, metavar="FILE", help="a labelled review file (from `auditor review`): add judge-vs-human agreement and judge-error-corrected rates and verdicts")
    stats = parser.add_argument_group("verdict thresholds")
    stats.add_argument("--alpha", type=fraction(open_top=True), default=None, help="significance level after adjustment (default 0.05)")
    stats.add_argument("--lost-drop", type=fraction(), default=None, help="a significant drop of at least this fraction is 'lost', a smaller one 'weakened' (default 0.20)")
    stats.add_argument("--retain-margin", type=fraction(), default=None, help="'retained' when the 95%% interval excludes a drop larger than this fraction (default 0.10)")
    stats.add_argument("--correction", choices=["holm", "bh"], default=None, help="multiplicity adjustment across categories: holm (default) or bh (Benjamini-Hochberg)")


def report_options(args: argparse.Namespace) -> dict:
    """The report options from the common flags, validated now so a bad value fails before any model is called."""
    from auditor.report.writer import validate_report_options

    options = {
        "show_harmful": args.show_harmful,
        "alpha": args.alpha,
        "lost_drop": args.lost_drop,
        "retain_margin": args.retain_margin,
        "correction": args.correction,
        "review": str(args.review) if getattr(args, "review", None) else None,
    }
    options = {k: v for k, v in options.items() if v is not None}
    validate_report_options(options)
    return options


def fail_on_exit(report: dict, fail_on: str | None) -> int:
    """Exit code 3 when any safeguard verdict is at or worse than --fail-on."""
    if not fail_on:
        return 0
    summary = report.get("summary") or {}
    bad = [cat for verdict in FAIL_ON_ORDER[fail_on] for cat in summary.get(verdict, [])]
    if bad:
        print(f"auditor: safeguards with verdict {' or '.join(FAIL_ON_ORDER[fail_on])}: {', '.join(map(str, bad))}")
        return 3
    return 0


def default_out_dir() -> Path:
    from datetime import datetime

    return Path("reports") / datetime.now().strftime("%Y%m%d-%H%M%S")


def _slug(spec: str, width: int = 40) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9.]+", "-", spec).strip("-.")[:width].strip("-.") or "model"


def stable_out_dir(original: str, suspect: str, args: argparse.Namespace) -> Path:
    """`reports/<suspect>-vs-<original>-<hash of the selection>`: the same command always writes (and resumes) there.

    A timestamped default would start a fresh audit on every rerun, so "rerun the same
    command to resume" would not resume (scripts/audit.sh passes no --out).
    """
    import hashlib
    import json

    selection = {
        key: getattr(args, key, None)
        for key in ("suite", "judge", "limit", "categories", "language", "tasks", "attacks", "jailbreak_per_category")
    }
    selection["suite"] = [str(Path(s).resolve()) if Path(s).exists() else s for s in (selection["suite"] or ["core"])]
    if getattr(args, "sequential", False):  # only when set, so fixed-sample audits keep their folders
        selection["sequential"] = True
    digest = hashlib.sha256(json.dumps([original, suspect, selection], sort_keys=True).encode("utf-8")).hexdigest()[:8]
    return Path("reports") / f"{_slug(suspect)}-vs-{_slug(original)}-{digest}"


def run(args: argparse.Namespace) -> int:
    from auditor.options import AuditOptions, check_options

    description = None
    original, suspects = args.original, list(args.suspect or [])
    # several suspects (auditor.multi): joined only to name the default output folder
    suspect = suspects[0] if len(suspects) == 1 else ("+".join(suspects) if suspects else None)
    if (original is None) != (suspect is None):
        raise ConfigError("name both --original and --suspect, or neither (to run the offline embedded default)")
    chosen_report_options = report_options(args)  # thresholds and review file: checked before anything runs
    if original is None:
        original, suspect, description = default_models()
    out_dir = args.out or stable_out_dir(original, suspect, args)
    options = AuditOptions(
        original=original,
        suspect=suspect,
        suites=args.suite or ["core"],
        judge=args.judge,
        limit=args.limit,
        log_dir=args.log_dir or (out_dir / "logs"),
        out_dir=out_dir,
        categories=[c for c in (args.categories or "").split(",") if c] or None,
        language=args.language,
        extra_tasks=[t for t in (args.tasks or "").split(",") if t],
        attacks=[a for a in (args.attacks or "").split(",") if a] or None,
        jailbreak_per_category=args.jailbreak_per_category,
        max_connections=args.max_connections,
        display=args.display,
        description=description,
        report_options=chosen_report_options,
        sequential=args.sequential,
    )
    if args.ray_address and args.executor != "ray":
        raise ConfigError("--ray-address needs --executor ray")
    options.executor, options.ray_address = args.executor, args.ray_address  # where the units run (auditor.executors)
    check_options(options)
    check_sequential_folder(options)  # after the executor is known: a sequential audit runs locally
    if description is not None:
        print(f"auditor: no models named; running the offline default: {description}")
    if args.out is None:
        print(f"auditor: output folder {out_dir} (the same for these models and this selection: rerunning this command resumes there; --out DIR for another)")
    if description is not None:
        from auditor.models.defaults import apply_offline_defaults

        print(f"auditor: offline default selection: {apply_offline_defaults(options, args.limit is not None)}")
    from auditor.audit import run_audit  # imports Inspect: only when auditing

    if len(suspects) > 1:  # the original once, every suspect against it, a report each and an index
        from auditor.multi import run_many_command

        return run_many_command(options, suspects, args.fail_on)
    result = run_audit(options)
    paired = result.report["paired"]
    print(f"auditor: {len(paired.paired)} samples paired, {len(paired.unpaired)} unpaired; logs in {result.log_dir}")
    for kind, path in result.outputs.items():
        print(f"auditor: wrote {kind}: {path}")
    for line in (result.report.get("data") or {}).get("headline", [])[:2]:  # what was decided, in the report's words
        print(f"auditor: {line}")
    sequential = (result.report.get("data") or {}).get("sequential")
    if sequential:
        print(f"auditor: sequential: {sequential['queries_used']:,} of {sequential['queries_fixed']:,} prompts of the fixed-sample audit ({sequential['share_of_fixed']:.0%}) in {sequential['rounds']} round(s)")
    return incomplete_exit(result.problem if not result.complete else None) or fail_on_exit(result.report.get("data", {}), args.fail_on)


def check_sequential_folder(options) -> None:
    """--sequential: check its options now; either way, never mix a sequential and a fixed-sample audit in one log folder."""
    from auditor.rounds import STATE_FILE

    log_dir = Path(options.log_dir)
    if options.sequential:
        from auditor.sequential import check_sequential

        check_sequential(options)
        if not (log_dir / STATE_FILE).exists() and log_dir.is_dir() and any(log_dir.rglob("*.eval")):
            raise ConfigError(f"{log_dir} holds a fixed-sample audit; a sequential audit needs its own folder: pass another --out (or --log-dir)")
    elif (log_dir / STATE_FILE).exists():
        raise ConfigError(f"{log_dir} holds a sequential audit; add --sequential to resume it, or pass another --out (or --log-dir)")


def incomplete_exit(problem: str | None) -> int:
    """Exit 2 with one line when the audit did not complete (a gate must not pass on part of an audit)."""
    if problem is None:
        return 0
    import sys

    print(f"auditor: error: the audit is incomplete, so its verdicts cannot gate: {problem}", file=sys.stderr)
    return 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="audit a suspected copy against the original")
    parser.add_argument("--original", help="the original model (Inspect model spec or preset name)")
    parser.add_argument("--suspect", action="append", help="the suspected distilled copy (Inspect model spec or preset name); repeat for several suspects: the original runs once, each suspect gets OUT/<suspect>/report.* and OUT/index.html compares them")
    parser.add_argument("--suite", action="append", help="built-in suite name or path (repeatable; default: core)")
    parser.add_argument("--judge", default=None, help="judge: offline (default), keywords, a grader model spec for the rubric LLM judge (e.g. openai/gpt-4o), or cascade:MODEL (offline first, the LLM judge only where it is uncertain)")
    parser.add_argument("--limit", type=positive_int, default=None, help="at most this many samples per task")
    parser.add_argument("--categories", default=None, help="comma-separated categories to audit (default: all)")
    parser.add_argument("--language", default=None, help="only prompts in this language (e.g. en, zh)")
    parser.add_argument("--tasks", default=None, help="extra tasks, comma-separated (e.g. jailbreaks,identity)")
    parser.add_argument("--attacks", default=None, help="with --tasks jailbreaks: attack families, comma-separated (default: all; see `auditor suites`)")
    parser.add_argument("--jailbreak-per-category", type=positive_int, default=None, help="with --tasks jailbreaks: harmful prompts per category under each attack (default: all)")
    parser.add_argument("--log-dir", type=log_location, default=None, help="Inspect log directory (default: OUT/logs), a local folder or an fsspec URL such as s3://bucket/audits; rerunning with the same one resumes")
    parser.add_argument("--executor", choices=["local", "ray"], default="local", help="where the audit's units (one eval_set per model and log folder) run: local (this process, default) or ray (Ray tasks; needs the [ray] extra)")
    parser.add_argument("--ray-address", default=None, metavar="ADDRESS", help="with --executor ray: the cluster to join (HOST:PORT or ray://HOST:PORT; default: start or join a local Ray instance)")
    parser.add_argument("--max-connections", type=positive_int, default=None, help="concurrent requests per model")
    parser.add_argument("--display", default="plain", choices=["full", "rich", "plain", "log", "none"], help="Inspect progress display")
    parser.add_argument("--sequential", action="store_true", help="send each category's prompt pairs in rounds (12 pairs, then 12 more, ...) and stop a category as soon as an always-valid test decides it: the same error guarantees for fewer queries")
    add_common_report_args(parser)
    parser.set_defaults(func=run)
