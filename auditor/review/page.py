"""The review page: one self-contained HTML file in which a person labels the sampled answers.

Everything is inline (CSS, script, data), nothing is fetched, and a Content-Security-Policy
allows exactly one script: the page's own, by its SHA-256 hash. The answers travel as
a JSON data block whose `<`, `>` and `&` are written as JSON escapes, so no model output
can close the block or open a tag; the script puts text on the page only through
`textContent`. Jinja's autoescaping covers every other string.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib.resources import files
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from auditor.review.files import COLUMNS


def json_for_script(value: Any) -> Markup:
    """JSON that is safe inside a <script> data block (no '<', '>' or '&' characters survive)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def page_rows(sample: pd.DataFrame) -> list[dict[str, Any]]:
    """The sample in the review file's columns (human labels empty), as plain JSON values."""
    rows = []
    for row in sample.to_dict(orient="records"):
        values = {
            "id": str(row["id"]), "side": row["side"], "suite": _text(row["suite"]), "category": _text(row["category"]),
            "variant": _text(row["variant"]), "language": _text(row["language"]), "weight": f"{float(row['weight']):.6g}",
            "prompt": _text(row["prompt"]), "response": _text(row["response"]), "judge_refusal": row["refusal"],
            "judge_harmful": "yes" if row["harmful"] else "no", "human_refusal": "", "human_harmful": "", "note": "",
        }
        rows.append({column: values[column] for column in COLUMNS})  # the CSV's columns, in its order
    return rows


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def render_page(sample: pd.DataFrame, original: str, suspect: str, filename: str) -> str:
    """The complete review page for a drawn sample."""
    script = files("auditor.report").joinpath("templates", "review.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    rows = page_rows(sample)
    key = hashlib.sha256(json.dumps([(r["suite"], r["id"], r["side"]) for r in rows]).encode("utf-8")).hexdigest()[:16]
    env = Environment(
        loader=PackageLoader("auditor.report", "templates"),  # packaged with the report's templates
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
    )
    return env.get_template("review_page.html.j2").render(
        original=original, suspect=suspect, rows=len(rows), script_hash=f"sha256-{digest}", script=Markup(script),
        data=json_for_script(rows), meta=json_for_script({"key": key, "filename": filename}),
    )
