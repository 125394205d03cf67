"""Extensions of `auditor suites`: the jailbreak variants, the identity probes, and `suites import`."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditor.errors import SuiteError
from auditor.suites.builtin import IDENTITY_SUITE, builtin_suites
from auditor.tasks.attacks.variants import ATTACKS  # plain data: listing it imports no Inspect


def _identity_count() -> str:
    path = builtin_suites().get(IDENTITY_SUITE)
    if path is None or not path.exists():
        return "missing from this installation"
    from auditor.suites.loader import read_suite_file

    records = read_suite_file(path)
    languages = sorted({r.language for r in records})
    return f"{len(records)} prompts ({', '.join(languages)}), suite '{IDENTITY_SUITE}'"


def print_extras() -> None:
    """Print what else the suites offer (jailbreak variants, identity probes, importers)."""
    from auditor.suites.importers import IMPORTERS

    print(f"\njailbreak variants ({len(ATTACKS)}; `--tasks jailbreaks` or `inspect eval auditor/jailbreaks -T attacks=a,b`):")
    width = max(len(name) for name in ATTACKS)
    for name, attack in ATTACKS.items():
        print(f"  {name:<{width}}  {attack.description}")
    print(f"\nidentity probes (`--tasks identity`): {_identity_count()}")
    print("\nimporters (`auditor suites import KIND PATH --out FILE`):")
    width = max(len(kind) for kind in IMPORTERS)
    for kind, (_, description) in IMPORTERS.items():
        print(f"  {kind:<{width}}  {description}")


def run_import(args: argparse.Namespace) -> int:
    from auditor.commands.suites import summarise
    from auditor.suites.importers import import_to_file

    if args.out is None:
        raise SuiteError("suites import: name the output with --out FILE.jsonl")
    result, out = import_to_file(args.kind, args.path, args.out, language=args.language, benign=args.benign)
    print(f"{out}: wrote {len(result.records)} prompts from {args.path} ({result.kind})")
    for reason, count in result.skipped.items():
        print(f"  skipped {count} {reason}")
    for note in result.notes:
        print(f"  note: {note}")
    print(summarise(result.records))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `auditor suites import KIND PATH --out FILE`."""
    from auditor.suites.importers import IMPORTERS

    parser = sub.add_parser(
        "import",
        help="convert a public benchmark file into a suite",
        description="Convert a standard public suite file into the auditor's suite format (JSONL). "
        "Kinds: " + "; ".join(f"{kind}: {desc}" for kind, (_, desc) in IMPORTERS.items()),
    )
    parser.add_argument("kind", metavar="KIND", help=f"one of {', '.join(IMPORTERS)}")
    parser.add_argument("path", metavar="PATH", type=Path, help="the downloaded source file (jbb: the harmful file or its folder)")
    parser.add_argument("--out", type=Path, default=None, help="the suite file to write (.jsonl)")
    parser.add_argument("--language", default=None, help="language code of the prompts (default: en)")
    parser.add_argument("--benign", type=Path, default=None, help="jbb only: the benign-behaviors.csv, when it is not beside PATH")
    parser.set_defaults(func=run_import)
