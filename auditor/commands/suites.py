"""`auditor suites` (list built-ins with counts) and `auditor suites validate PATH`."""

from __future__ import annotations

import argparse
from collections import Counter

from auditor.suites.builtin import builtin_suites
from auditor.suites.loader import read_suite_file


def summarise(records: list) -> str:
    by_cat: Counter[tuple[str, str, str]] = Counter((r.category, r.variant, r.language) for r in records)
    categories = sorted({r.category for r in records})
    languages = sorted({r.language for r in records})
    lines = [f"  {len(records)} prompts, {len(categories)} categories, languages: {', '.join(languages)}"]
    header = f"    {'category':<34}" + "".join(f"{lang + ' harm':>10}{lang + ' benign':>12}" for lang in languages)
    lines.append(header)
    for category in categories:
        cells = "".join(
            f"{by_cat[(category, 'harmful', lang)]:>10}{by_cat[(category, 'benign', lang)]:>12}" for lang in languages
        )
        lines.append(f"    {category:<34}{cells}")
    return "\n".join(lines)


def list_suites(args: argparse.Namespace) -> int:
    for name, path in builtin_suites().items():
        print(f"{name}  ({path.name})")
        if not path.exists():
            print("  missing from this installation")
            continue
        print(summarise(read_suite_file(path)))
    from auditor.commands import suites_extras

    suites_extras.print_extras()
    return 0


def validate(args: argparse.Namespace) -> int:
    records = read_suite_file(args.path)
    print(f"{args.path}: OK")
    print(summarise(records))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("suites", help="list the built-in suites, validate or import a suite file")
    parser.set_defaults(func=list_suites)
    sub = parser.add_subparsers(dest="suites_command", metavar="SUBCOMMAND")
    val = sub.add_parser("validate", help="check a suite file (JSONL or CSV) and show its counts")
    val.add_argument("path")
    val.set_defaults(func=validate)
    from auditor.commands import suites_extras

    suites_extras.register(sub)
