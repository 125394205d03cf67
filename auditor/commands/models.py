"""`auditor models`: the model presets, what each expands to, and which keys it needs.

`auditor models NAME` resolves one name (a preset or any Inspect spec) and says what it
still needs; an unknown name gets the closest presets. Key values are never printed,
only whether each variable is set.
"""

from __future__ import annotations

import argparse
import json

from auditor.models.presets import KIND_TITLES, PRESETS, resolve_model
from auditor.models.requirements import SERVICES, requirement_problems, requirements


def _status(spec: str) -> str:
    """'ready' when the provider package and key are present, else what is missing (no network)."""
    problems = requirement_problems(spec, "model")
    if not problems:
        return "ready"
    missing = []
    for item in requirements(spec).walk():
        package = item.missing_package()
        if package:
            missing.append(f"package {package}")
        elif item.missing_key():
            missing.append(f"set {item.key_vars[0]}")
    return "; ".join(missing) or problems[0]


def _rows() -> list[dict[str, str]]:
    return [
        {
            "name": preset.name,
            "spec": preset.spec,
            "kind": preset.kind,
            "needs": ", ".join(preset.env) or "nothing",
            "status": _status(preset.spec),
            "description": preset.description,
        }
        for preset in PRESETS.values()
    ]


def _print_table(rows: list[dict[str, str]]) -> None:
    name_width = max(len(r["name"]) for r in rows)
    spec_width = max(len(r["spec"]) for r in rows)
    for kind, title in KIND_TITLES.items():
        group = [r for r in rows if r["kind"] == kind]
        if not group:
            continue
        print(f"\n{title}")
        for row in group:
            print(f"  {row['name']:<{name_width}}  {row['spec']:<{spec_width}}  {row['status']}")
            print(f"  {'':<{name_width}}  {row['description']}; needs: {row['needs']}")
    print(
        "\nAny Inspect model spec also works unchanged (e.g. openai/gpt-4o-mini, openrouter/<org>/<model>, "
        "openai-api/<service>/<model> with <SERVICE>_API_KEY and <SERVICE>_BASE_URL)."
    )
    print("Known openai-api services (base URL filled in when unset): " + ", ".join(f"{k} {v}" for k, v in SERVICES.items()))
    print("Local models: local/smollm2 (embedded) or local/<path to a .gguf file>; guarded/<spec> puts a model behind the offline-judge moderation guard.")
    print("Model names are examples; providers rename models often. Check keys and cost with `auditor doctor`.")


def run(args: argparse.Namespace) -> int:
    if args.name:
        spec = resolve_model(args.name)
        status = _status(spec)
        if args.json:
            print(json.dumps({"name": args.name, "spec": spec, "status": status}, indent=2))
        else:
            print(f"{args.name} -> {spec} ({status})")
        return 0
    rows = _rows()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_table(rows)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list model presets and the keys each needs")
    parser.add_argument("name", nargs="?", help="resolve one preset name or model spec")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)
