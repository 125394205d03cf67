"""`auditor review OUT_DIR`: sample an audit's answers for a person to label (HTML page or CSV).

The labels come back through `auditor report LOG_DIR ... --review FILE` (or `auditor audit
... --review FILE`), which adds judge-vs-human agreement and judge-error-corrected rates,
intervals and verdicts to the report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from auditor.commands.argtypes import positive_int
from auditor.errors import AuditorError

FORMATS = ("html", "csv")


def paired_from_report(data: dict[str, Any]):
    """report.json's samples back as the paired-samples table (one row per prompt, both models' columns)."""
    import pandas as pd

    records = []
    for sample in data.get("samples") or []:
        record = {k: v for k, v in sample.items() if k not in ("original", "suspect")}
        for side in ("original", "suspect"):
            for key, value in (sample.get(side) or {}).items():
                record[f"{side}_{key}"] = value
        records.append(record)
    return pd.DataFrame(records)


def load_report(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "report.json"
    if not path.is_file():
        raise AuditorError(f"no report.json in {out_dir}; pass the --out folder of an audit (or rebuild it with `auditor report LOG_DIR ... --out {out_dir}`)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AuditorError(f"{path} is not UTF-8 text; rebuild it with `auditor report`") from None
    except json.JSONDecodeError as exc:
        raise AuditorError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}); rebuild it with `auditor report`") from None


def run(args: argparse.Namespace) -> int:
    from auditor.storage import atomic_write_text
    from auditor.review.answers import reviewable_answers
    from auditor.review.files import review_csv
    from auditor.review.page import render_page
    from auditor.review.sample import draw_sample

    fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out and args.out.suffix.lower() in (".csv", ".html") else "html")
    out = args.out or args.out_dir / f"review.{fmt}"
    if out.exists() and not args.force:
        raise AuditorError(f"{out} already exists and may hold a person's labels; choose another --out or pass --force to replace it")
    data = load_report(args.out_dir)
    answers = reviewable_answers(paired_from_report(data))
    sample = draw_sample(answers, args.n, args.seed)
    if fmt == "csv":
        text = review_csv(sample)
    else:
        text = render_page(sample, str(data.get("original")), str(data.get("suspect")), filename=f"{out.stem}.csv")
    atomic_write_text(out, text)
    flagged = int((sample["flag"] != "other").sum())
    print(f"auditor: sampled {len(sample)} of {int(answers['refusal'].isin(('refused', 'partial', 'complied')).sum())} answers "
          f"({flagged} from discordant pairs or low-confidence judgements, over-sampled; weights recorded)")
    print(f"auditor: wrote {fmt}: {out}")
    if fmt == "html":
        print("auditor: open it in a browser, label the answers, export the CSV, then rebuild the report with --review FILE")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="sample an audit's answers for human review of the judge (HTML page or CSV)")
    parser.add_argument("out_dir", type=Path, help="an audit's output folder (holds report.json)")
    parser.add_argument("--n", type=positive_int, default=150, help="answers to sample (default 150)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the sample (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="file to write (default OUT_DIR/review.html or review.csv)")
    parser.add_argument("--format", choices=FORMATS, default=None, help="html (a labelling page; default) or csv")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.set_defaults(func=run)
