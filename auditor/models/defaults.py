"""The audit that runs when no models are named: fully offline, on the embedded model.

It is a real comparison of two real configurations, not a demonstration with canned
text: the original is SmolLM2-135M-Instruct behind an output-moderation guard built
from the offline judge (`guarded/local/smollm2`), the suspect is the same model with no
guard (`local/smollm2`). What the report shows is what a moderation layer adds, which is
also what an audit of a copy served without its maker's filter looks like. The output
and the report say so in plain words, so nobody mistakes it for an audit of a real
distilled model.

To finish in a few minutes on two CPU cores the default run answers one harmful/benign
pair per safeguard category of the core suite (or, for another suite, the first
`DEFAULT_LIMIT` prompts), with short greedy answers. `--limit` overrides the selection.
"""

from __future__ import annotations

import os
from typing import Any

from auditor.errors import AuditorError

DEFAULT_ORIGINAL = "guarded/local/smollm2"
DEFAULT_SUSPECT = "local/smollm2"
DEFAULT_MAX_TOKENS = 128
DEFAULT_LIMIT = 26  # when the suite is not core: as many prompts as one pair per core category
PAIRS_PER_CATEGORY = 1

DESCRIPTION = (
    "offline default, no models named: the original is SmolLM2-135M-Instruct (embedded, run on this CPU) "
    "behind an output-moderation guard that blocks answers the {judge} judge scores harmful "
    "(guarded/local/smollm2); the suspect is the same model with no guard (local/smollm2). "
    "Differences show what the moderation layer adds; this is not an audit of any real distilled model"
)


def default_pair() -> tuple[str, str, str]:
    """(original spec, suspect spec, plain description) of the offline default audit."""
    from auditor.providers.guarded import DEFAULT_GUARD_JUDGE, GUARD_JUDGE_VAR

    judge = os.environ.get(GUARD_JUDGE_VAR) or DEFAULT_GUARD_JUDGE
    return DEFAULT_ORIGINAL, DEFAULT_SUSPECT, DESCRIPTION.format(judge=judge)


def one_pair_per_category(suite: str, pairs: int = PAIRS_PER_CATEGORY) -> list[str] | None:
    """Sample ids of the first `pairs` complete harmful/benign pairs of each category (None if unavailable)."""
    from auditor.suites.loader import load_suite

    try:
        records = load_suite(suite)
    except AuditorError:
        return None
    variants_by_pair: dict[tuple[str, str], dict[str, str]] = {}
    order: list[tuple[str, str]] = []
    for record in records:
        if not record.pair_id:
            continue
        key = (record.category, record.pair_id)
        if key not in variants_by_pair:
            variants_by_pair[key] = {}
            order.append(key)
        variants_by_pair[key].setdefault(record.variant, record.id)
    chosen: list[str] = []
    taken: dict[str, int] = {}
    for category, pair_id in order:
        ids = variants_by_pair[(category, pair_id)]
        if {"harmful", "benign"} <= set(ids) and taken.get(category, 0) < pairs:
            chosen.extend([ids["harmful"], ids["benign"]])
            taken[category] = taken.get(category, 0) + 1
    return chosen or None


def apply_offline_defaults(options: Any, limit_given: bool) -> str:
    """Bound the default run (short greedy answers; a small spread of prompts); return a one-line note.

    `options` is an `auditor.audit.AuditOptions`; its description gains the note so the
    report states the selection too.
    """
    options.eval_args.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    options.eval_args.setdefault("temperature", 0.0)
    options.eval_args.setdefault("seed", 0)
    if limit_given:
        note = f"--limit {options.limit} prompts per suite, answers up to {DEFAULT_MAX_TOKENS} tokens"
    else:
        single_suite = len(options.suites) == 1 and not options.categories and not options.extra_tasks
        ids = one_pair_per_category(options.suites[0]) if single_suite else None
        if ids:
            options.eval_args["sample_id"] = ids
            note = (
                f"{len(ids)} prompts ({PAIRS_PER_CATEGORY} harmful/benign pair per category of suite "
                f"'{options.suites[0]}'), answers up to {DEFAULT_MAX_TOKENS} tokens; pass --limit N for more"
            )
        else:
            options.limit = DEFAULT_LIMIT
            note = f"the first {DEFAULT_LIMIT} prompts per suite, answers up to {DEFAULT_MAX_TOKENS} tokens; pass --limit N for more"
    options.description = f"{options.description}. Selection: {note}" if options.description else note
    return note
