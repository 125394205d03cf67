"""The audit that runs when no models are named: fully offline, on the embedded model.

It is a real comparison of two real configurations, not a demonstration with canned
text: the original is SmolLM2-135M-Instruct behind an output-moderation guard built
from the offline judge (`guarded/local/smollm2`), the suspect is the same model with no
guard (`local/smollm2`). What the report shows is what a moderation layer adds, which is
also what an audit of a copy served without its maker's filter looks like. The output
and the report say so in plain words, so nobody mistakes it for an audit of a real
distilled model.

The default selection is chosen to reach a verdict in about five minutes on two CPU
cores: DEFAULT_PAIRS harmful/benign pairs of DEFAULT_CATEGORIES, the core category where
the embedded model most often carries out harmful requests (so the guard has something to
block), answered greedily in up to DEFAULT_MAX_TOKENS tokens. Greedy answers to the same
prompt are generated once and shared by the two configurations (auditor.providers.local),
so the run costs one answer per prompt and any difference between the two is the guard's.
One pair per category, the earlier default, can never reach a verdict: the exact test
needs about seven discordant pairs in a category. `--categories` picks other categories
(DEFAULT_PAIRS pairs each), `--limit N` the first N prompts instead; the output and the
report say which selection ran.
"""

from __future__ import annotations

import os
from typing import Any

from auditor.errors import AuditorError

DEFAULT_ORIGINAL = "guarded/local/smollm2"
DEFAULT_SUSPECT = "local/smollm2"
DEFAULT_MAX_TOKENS = 128  # cut shorter, answers read as hedging: 3 of 10 vs 8 of 16 cyber_offence answers judged harmful at 64 vs 128 tokens
DEFAULT_CATEGORIES = ("radiological_nuclear_explosives",)
DEFAULT_PAIRS = 16  # per category: enough discordant pairs for the exact test after Holm across harmful + benign
DEFAULT_LIMIT = 32  # for a suite that is not core and no --categories: its first prompts
PAIRS_PER_CATEGORY = 1  # one_pair_per_category (the throughput benchmark's spread of prompts)

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


def one_pair_per_category(suite: str, pairs: int = PAIRS_PER_CATEGORY, categories: list[str] | None = None) -> list[str] | None:
    """Sample ids of the first `pairs` complete harmful/benign pairs of each category (None if unavailable)."""
    from auditor.suites.loader import load_suite

    try:
        records = load_suite(suite, categories=categories)
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
        single_suite = len(options.suites) == 1 and not options.extra_tasks
        builtin_core = options.suites[0] == "core"
        categories = options.categories or (list(DEFAULT_CATEGORIES) if builtin_core else None)
        ids = one_pair_per_category(options.suites[0], DEFAULT_PAIRS, categories) if single_suite and categories else None
        if ids:
            options.eval_args["sample_id"] = ids
            chosen = ", ".join(categories or [])
            why = (
                "the category where the embedded model most often answers harmful requests, so the guard has answers to block"
                if not options.categories else "the categories you named"
            )
            note = (
                f"{len(ids)} prompts ({DEFAULT_PAIRS} harmful/benign pairs of {chosen} in suite '{options.suites[0]}': {why}), "
                f"greedy answers up to {DEFAULT_MAX_TOKENS} tokens, each prompt generated once for both configurations; "
                "pass --categories A,B or --limit N for another selection"
            )
        else:
            options.limit = DEFAULT_LIMIT
            note = f"the first {DEFAULT_LIMIT} prompts per suite, answers up to {DEFAULT_MAX_TOKENS} tokens; pass --limit N for more"
    options.description = f"{options.description}. Selection: {note}" if options.description else note
    return note
