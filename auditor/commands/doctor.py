"""`auditor doctor`: will this audit work, and what will it cost? Answered before spending anything.

For each model (original, suspect, and the LLM judge's grader when one is named) it
checks the provider package, the key variable (by name; values are never printed), the
base URL of OpenAI-compatible services, that Inspect can construct the model, and that
each base URL answers (skipped with --offline). `--live` also sends one tiny request per
model. Then it estimates the run: requests and tokens per model from the suite sizes,
and dollars where the price is known. Exit code 2 when anything would make the audit fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from auditor.commands.argtypes import positive_float, positive_int
from auditor.errors import AuditorError
from auditor.models.requirements import requirement_problems, requirements


def _key_note(spec: str) -> str:
    notes = []
    for item in requirements(spec).walk():
        present = [var for var in item.key_vars if os.environ.get(var)]
        if present:
            notes.append(f"{present[0]} set")
        url = item.base_url()
        if item.remote and url:
            notes.append(f"endpoint {url}")
        if not item.remote and item.provider in ("local", "guarded", "replay"):
            notes.append("runs in this process" if item.provider != "replay" else "recorded responses")
    return ", ".join(dict.fromkeys(notes)) or "no key needed"


def check_one(role: str, spec: str, offline: bool, live: bool, timeout: float) -> list[str]:
    """Problems with one model (empty when it is ready); prints one status line per check."""
    from auditor.models.preflight import check_model, live_request, probe_base_url, remote_urls

    problems = requirement_problems(spec, role)
    if not problems:
        try:
            check_model(spec, role)
        except AuditorError as exc:
            problems.append(str(exc))
    if not problems and not offline:
        for item, url in remote_urls(spec):
            problem = probe_base_url(url, timeout=min(timeout, 10.0))
            if problem:
                hint = f" (set by {item.base_url_var})" if item.base_url_var and item.base_url() != item.default_base_url else ""
                problems.append(f"{role} model '{spec}': {problem}{hint}")
    if problems:
        for problem in problems:
            print(f"  FAIL  {role:<9} {spec}: {problem}")
        return problems
    print(f"  ok    {role:<9} {spec} ({_key_note(spec)})")
    if live:
        result = asyncio.run(live_request(spec, timeout=timeout))
        status = "ok  " if result.ok else "FAIL"
        print(f"  {status}  {role:<9} live request: {result.detail} in {result.seconds:.1f} s")
        if not result.ok:
            return [f"{role} model '{spec}' live request failed: {result.detail}"]
    return []


def _estimate(args: argparse.Namespace, models: dict[str, str], default_run: bool, grader: str | None, judge_name: str) -> list[str]:
    """Print the cost estimate; return problems (e.g. a suite that cannot be loaded)."""
    from auditor.options import AuditOptions, JudgeChoice
    from auditor.tasks.builders import build_tasks
    from auditor.models.costs import DEFAULT_OUTPUT_TOKENS, estimate_costs, load_prices, workload_from_tasks

    options = AuditOptions(
        original=models.get("original", ""),
        suspect=models.get("suspect", ""),
        suites=args.suite or ["core"],
        limit=args.limit,
        categories=[c for c in (args.categories or "").split(",") if c] or None,
        language=args.language,
        extra_tasks=[t for t in (args.tasks or "").split(",") if t],
    )
    if default_run:
        from auditor.models.defaults import apply_offline_defaults

        apply_offline_defaults(options, limit_given=args.limit is not None)
    try:
        tasks = build_tasks(options, JudgeChoice(judge_name, grader))
    except AuditorError as exc:
        print(f"  FAIL  cost estimate: {exc}")
        return [str(exc)]
    prices = load_prices(args.prices)
    workload = workload_from_tasks(tasks, options.limit, options.eval_args.get("sample_id"))
    max_tokens = args.max_tokens or options.eval_args.get("max_tokens")
    lines = estimate_costs(models, workload, prices, args.output_tokens or DEFAULT_OUTPUT_TOKENS, max_tokens, grader)
    answer = min(args.output_tokens or DEFAULT_OUTPUT_TOKENS, max_tokens) if max_tokens else (args.output_tokens or DEFAULT_OUTPUT_TOKENS)
    print(
        f"\nEstimated run: {workload.samples} samples per model over {len(tasks)} task(s); input tokens = prompt characters / 4 "
        f"+ template; each answer assumed {answer} tokens (--output-tokens)"
    )
    total = 0.0
    unknown = []
    for line in lines:
        dollars = line.dollars
        cost = f"${dollars:,.2f}" if dollars is not None else "price unknown (add it with --prices FILE)"
        if dollars is None:
            unknown.append(line.model)
        else:
            total += dollars
        print(
            f"  {line.role:<9} {line.model}: {line.requests:,} requests, ~{line.input_tokens:,} input + "
            f"~{line.output_tokens:,} output tokens, {cost}"
        )
    suffix = f" plus {len(unknown)} model(s) without a known price" if unknown else ""
    print(f"  total     ~${total:,.2f}{suffix}")
    if grader:
        print("  (the grader line is an upper bound: the cascade judge sends only uncertain answers to it)")
    return []


def run(args: argparse.Namespace) -> int:
    from auditor.options import choose_judge
    from auditor.models.presets import resolve_model

    default_run = args.original is None and args.suspect is None
    named: dict[str, str] = {}
    if default_run:
        from auditor.models.defaults import default_pair

        original, suspect, description = default_pair()
        named = {"original": original, "suspect": suspect}
        print(f"auditor doctor: no models named; checking the offline default: {description}")
    else:
        named = {role: spec for role, spec in (("original", args.original), ("suspect", args.suspect)) if spec}
    models = {role: resolve_model(spec) for role, spec in named.items()}
    judge = choose_judge(args.judge)
    checked = dict(models)
    if judge.grader:
        checked["grader"] = judge.grader
    mode = "one tiny live request per model" if args.live else ("no network" if args.offline else "no requests sent; --live sends one tiny request per model")
    print(f"auditor doctor: checking {len(checked)} model(s) ({mode})")
    problems: list[str] = []
    for role, spec in checked.items():
        problems.extend(check_one(role, spec, args.offline, args.live, args.timeout))
    problems.extend(_estimate(args, models, default_run, judge.grader, judge.name))
    if problems:
        print(f"\nauditor doctor: {len(problems)} problem(s); the audit would fail. First: {problems[0]}")
        return 2
    print("\nauditor doctor: ready")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check models, keys and endpoints, and estimate the run's cost")
    parser.add_argument("--original", help="the original model (Inspect model spec or preset name)")
    parser.add_argument("--suspect", help="the suspected copy (Inspect model spec or preset name)")
    parser.add_argument("--judge", default=None, help="judge name, or a grader model spec for the LLM judge")
    parser.add_argument("--suite", action="append", help="suite(s) the audit will run (default: core)")
    parser.add_argument("--limit", type=positive_int, default=None, help="at most this many samples per task, as for `auditor audit`")
    parser.add_argument("--categories", default=None, help="comma-separated categories, as for `auditor audit`")
    parser.add_argument("--language", default=None, help="only prompts in this language")
    parser.add_argument("--tasks", default=None, help="extra tasks, comma-separated, as for `auditor audit`")
    parser.add_argument("--live", action="store_true", help="send one tiny request per model (a few tokens, billed)")
    parser.add_argument("--offline", action="store_true", help="skip network checks (base URL probes)")
    parser.add_argument("--timeout", type=positive_float, default=30.0, help="seconds to wait for each network check (default 30)")
    parser.add_argument("--prices", type=Path, default=None, help="JSON or TOML price table overriding the built-in one (USD per million tokens)")
    parser.add_argument("--output-tokens", type=positive_int, default=None, help="assumed answer length for the estimate (default 500)")
    parser.add_argument("--max-tokens", type=positive_int, default=None, help="the max_tokens the audit will use, if any (caps the answer estimate)")
    parser.set_defaults(func=run)
