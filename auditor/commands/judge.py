"""`auditor judge` and `auditor judge-eval`: judge recorded responses, and measure a judge on labels.

`judge` is how a team runs any judge over responses it already has (one JSON object per
input row, in order); `judge-eval` is how it checks a judge against its own labelled
data before trusting audit verdicts built on it, and can save the measurement where
reports pick it up (AUDITOR_JUDGE_RELIABILITY).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from auditor.errors import ConfigError
from auditor.judges import DEFAULT_JUDGE, JUDGES, get_judge
from auditor.judges.base import JudgeInput, Judgement
from auditor.judges.records import read_rows, require_columns, text_or_none

RESPONSE_COLUMNS = ("response", "Response", "completion", "output")
VARIANTS = ("harmful", "benign")


def build_judge(name: str | None, grader: str | None = None) -> Any:
    """A judge by name; `llm`/`cascade` need a grader, and a model spec alone means the llm judge."""
    name = name or DEFAULT_JUDGE
    if name not in JUDGES and "/" in name:
        name, grader = "llm", name
    if name in ("llm", "cascade"):
        if not grader:
            raise ConfigError(f"--judge {name} needs a grader model outside an audit: add --grader MODEL (e.g. openai/gpt-4o)")
        from auditor.judges.llm import LLMJudge
        from auditor.models.presets import resolve_model

        llm = LLMJudge(grader=resolve_model(grader))
        if name == "llm":
            return llm
        from auditor.judges.cascade import CascadeJudge

        return CascadeJudge(llm=llm)
    return get_judge(name)


def _response_column(path: Path, columns: list[str], chosen: str | None) -> str:
    if chosen:
        return chosen
    for candidate in RESPONSE_COLUMNS:
        if candidate in columns:
            return candidate
    raise ConfigError(f"{path}: name the response column with --response-col; columns: {', '.join(columns) or '(none)'}")


def load_items(args: argparse.Namespace, extra: Sequence[tuple[str, str | None]] = ()) -> tuple[list[dict[str, Any]], list[JudgeInput], str]:
    """Rows of the input file and the judge inputs built from the chosen columns."""
    rows, columns = read_rows(args.file)
    response_col = _response_column(args.file, columns, args.response_col)
    require_columns(args.file, columns, [("--response-col", response_col), ("--prompt-col", args.prompt_col), ("--variant-col", args.variant_col), *extra])
    items = []
    for line, row in enumerate(rows, start=1):
        variant = text_or_none(row.get(args.variant_col)) if args.variant_col else None
        if variant is not None and variant.strip().lower() not in VARIANTS:
            raise ConfigError(f"{args.file}: row {line}: variant {variant!r} in column '{args.variant_col}' is not harmful or benign")
        items.append(JudgeInput(
            response=text_or_none(row.get(response_col)),
            prompt=text_or_none(row.get(args.prompt_col)) if args.prompt_col else None,
            variant=variant.strip().lower() if variant else None,
        ))
    return rows, items, response_col


def language_of(text: str) -> str:
    """The judge's language detection, imported on use (it loads numpy/mmh3; `auditor --help` should not)."""
    from auditor.judges.features import language_of as detect

    return detect(text)


def judgement_record(index: int, judgement: Judgement, response: str | None) -> dict[str, Any]:
    """One output line: the labels first, then what explains them."""
    harmful = None if judgement.harmful is None or math.isnan(judgement.harmful) else judgement.harmful
    record: dict[str, Any] = {
        "row": index,
        "refusal": judgement.refusal,
        "harmful": harmful,
        "confidence": judgement.confidence,
        "judge": judgement.judge,
        "language": language_of(response or ""),
    }
    if judgement.unscored:
        record["unscored"] = judgement.unscored
    if judgement.explanation:
        record["explanation"] = judgement.explanation
    return record


def _open_out(path: Path | None) -> TextIO:
    if path is None or str(path) == "-":
        return sys.stdout
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8")


def _check_writable(path: Path | None) -> None:
    """Fail before any judging when --out cannot be written (an existing file is left as it is until then)."""
    if path is None or str(path) == "-":
        return
    if path.is_dir():
        raise ConfigError(f"--out {path} is a folder; name a file (or - for standard output)")
    from auditor.options import check_output_dir

    check_output_dir(path.parent, "the folder of --out")


def run_judge(args: argparse.Namespace) -> int:
    judge = build_judge(args.judge, args.grader)
    _, items, _ = load_items(args)
    _check_writable(args.out)  # before judging: a path that cannot be written must not cost a judging run
    judgements = judge.judge_batch(items)
    handle = _open_out(args.out)
    try:
        for index, (item, judgement) in enumerate(zip(items, judgements)):
            handle.write(json.dumps(judgement_record(index, judgement, item.response), ensure_ascii=False) + "\n")
    finally:
        if handle is not sys.stdout:
            handle.close()
    counts: dict[str, int] = {}
    for judgement in judgements:
        key = "unscored" if judgement.unscored else judgement.refusal
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    where = f" to {args.out}" if args.out and str(args.out) != "-" else ""
    print(f"auditor: judged {len(items)} rows with {getattr(judge, 'name', args.judge)}{where} ({summary})", file=sys.stderr)
    return 0


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def format_block(title: str, block: dict[str, Any]) -> list[str]:
    """A readable table for one agreement block."""
    ci = block.get("accuracy_ci95")
    lines = [f"{title}: n={block['n']}  accuracy {_fmt(block.get('accuracy'))}"
             + (f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else "") + f"  kappa {_fmt(block.get('kappa'))}"]
    per_class = block.get("per_class") or {}
    if per_class:
        width = max(12, *(len(c) for c in per_class))
        lines.append(f"  {'class':<{width}} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
        for name, m in per_class.items():
            lines.append(f"  {name:<{width}} {_fmt(m['precision']):>9} {_fmt(m['recall']):>7} {_fmt(m['f1']):>6} {m['support']:>8}")
    confusion = block.get("confusion") or {}
    if confusion:
        cols = [c.removeprefix("judged ") for c in next(iter(confusion.values()))]
        width = max(12, *(len(c) for c in cols))
        lines.append("  confusion (rows: label, columns: judged)")
        lines.append("  " + " " * width + "".join(f" {c:>{width}}" for c in cols))
        for row, values in confusion.items():
            lines.append(f"  {row.removeprefix('label '):<{width}}" + "".join(f" {v:>{width}}" for v in values.values()))
    rates = {k: block[k] for k in ("missed_harm_rate", "false_harm_rate", "false_refusal_rate", "missed_refusal_rate") if k in block}
    if rates:
        lines.append("  " + "  ".join(f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in rates.items()))
    for language, sub in (block.get("by_language") or {}).items():
        ci = sub.get("accuracy_ci95")
        small = "  (small n: read the interval, not the point)" if sub["n"] < 100 else ""
        lines.append(f"  language {language}: n={sub['n']} accuracy {_fmt(sub['accuracy'])}"
                     + (f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else "") + f" kappa {_fmt(sub['kappa'])}{small}")
    return lines


TITLES = {
    "harm": "harmful vs not (label 1 = carries out the harmful request)",
    "refusal_proxy": "refusal vs complied (proxy: label 0 read as 'did not comply')",
    "refusal_class": "refusal class",
    "refusal": "refusal (refused/partial/blocked) vs complied",
}


def run_judge_eval(args: argparse.Namespace) -> int:
    from auditor.judges.measure import evaluate, parse_labels, reliability_entry

    judge = build_judge(args.judge, args.grader)
    rows, items, _ = load_items(args, extra=[("--label-col", args.label_col)])
    kind, labels = parse_labels([row.get(args.label_col) for row in rows], args.label_col, args.labels)
    judgements = judge.judge_batch(items)
    languages = [language_of(item.response or "") for item in items]
    result = evaluate(judgements, labels, kind, languages)
    name = getattr(judge, "name", args.judge)
    print(f"judge {name} on {args.file}: {result['rows']} rows ({result['unlabelled']} without a label, {result['unscored']} unscored by the judge)")
    for key, title in TITLES.items():
        if key in result:
            print()
            print("\n".join(format_block(title, result[key])))
    payload = {"judge": name, "file": str(args.file), "response_col": args.response_col, "label_col": args.label_col, **result}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nauditor: wrote {args.json}")
    if args.reliability_out:
        from auditor.judges.reliability import save_reliability

        note = f"measured with auditor judge-eval on {args.file.name}"
        save_reliability(args.reliability_out, reliability_entry(name, str(args.file.name), result, note))
        print(f"auditor: saved {name}'s reliability to {args.reliability_out} (set AUDITOR_JUDGE_RELIABILITY to it for reports)")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV or JSONL of recorded responses")
    parser.add_argument("--response-col", default=None, help="column holding the response text (default: response/completion/output if present)")
    parser.add_argument("--prompt-col", default=None, help="column holding the request (used by the llm judge)")
    parser.add_argument("--variant-col", default=None, help="column saying harmful or benign per row (default: every request treated as harmful)")
    parser.add_argument("--judge", default=None, help=f"judge name ({', '.join(JUDGES)}; default {DEFAULT_JUDGE}) or a grader model spec for the llm judge")
    parser.add_argument("--grader", default=None, help="grader model for --judge llm or cascade (e.g. openai/gpt-4o)")


def register(subparsers: argparse._SubParsersAction) -> None:
    judge = subparsers.add_parser("judge", help="judge a CSV/JSONL of recorded responses (one JSON line per row, in order)")
    _common(judge)
    judge.add_argument("--out", type=Path, default=None, help="output JSONL (default: standard output)")
    judge.set_defaults(func=run_judge)

    evaluate = subparsers.add_parser("judge-eval", help="measure a judge's agreement with labelled responses")
    _common(evaluate)
    evaluate.add_argument("--label-col", required=True, help="column of human labels: 0/1 (1 = harmful) or refusal classes")
    evaluate.add_argument("--labels", choices=["auto", "harm", "refusal"], default="auto", help="what the labels mean (default: inferred from the values)")
    evaluate.add_argument("--json", type=Path, default=None, help="also write the full measurement as JSON")
    evaluate.add_argument("--reliability-out", type=Path, default=None, help="add this judge's measurement to a reliability file for reports (AUDITOR_JUDGE_RELIABILITY)")
    evaluate.set_defaults(func=run_judge_eval)
