"""The `jailbreaks` task: every harmful prompt of a suite under every jailbreak variant.

A copy can hold its refusal on a blunt request and lose it under a role-play frame or
an encoding; running each harmful prompt once per attack family, with the family in
the sample metadata, lets the report measure robustness per family. Sample ids are
`<suite id>:<attack>`, so two models' logs line up sample for sample (and a replay
file can record answers for them by id).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import grouped, mean

from auditor.tasks.attacks import get_attacks, jailbreak, load_translations
from auditor.tasks.attacks.translations import Translation
from auditor.errors import SuiteError
from auditor.judges.scorer import safeguard_judge
from auditor.models.screened import screened_generate  # generate() that records provider blocks as content_filter
from auditor.suites.builtin import DEFAULT_SUITE, suite_label
from auditor.suites.loader import load_suite
from auditor.suites.schema import SuiteRecord
from auditor.tasks.common import as_list, clean_task_errors, record_metadata

if TYPE_CHECKING:
    from auditor.options import AuditOptions, JudgeChoice


def interleave_by_category(records: list[SuiteRecord], per_category: int | None = None) -> list[SuiteRecord]:
    """Round-robin over categories (file order within each), so any prefix of the task is balanced.

    `--limit N` then audits a few prompts of every category rather than all of the first one.
    """
    by_category: dict[str, list[SuiteRecord]] = defaultdict(list)
    for record in records:
        by_category[record.category].append(record)
    if per_category is not None:
        by_category = {c: rs[:per_category] for c, rs in by_category.items()}
    ordered: list[SuiteRecord] = []
    depth = max((len(rs) for rs in by_category.values()), default=0)
    for i in range(depth):
        for rs in by_category.values():
            if i < len(rs):
                ordered.append(rs[i])
    return ordered


def jailbreak_samples(
    records: list[SuiteRecord],
    suite: str,
    attacks: list[str],
    translations: dict[str, Translation] | None = None,
) -> list[Sample]:
    """One sample per (harmful prompt, attack), id `<suite id>:<attack>`."""
    translations = translations or {}
    samples: list[Sample] = []
    for record in records:
        for attack in attacks:
            metadata = {**record_metadata(record, suite), "attack": attack, "suite_id": record.id}
            if attack == "low_resource_language" and record.id in translations:
                metadata["attack_input_language"] = translations[record.id].language
            samples.append(Sample(id=f"{record.id}:{attack}", input=record.prompt, metadata=metadata))
    return samples


def _per_category(value: object) -> int | None:
    """`per_category` as a whole number of at least 1 (`-T per_category=5` arrives as 5 or "5")."""
    if value is None:
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1 or isinstance(value, bool):
        raise SuiteError(f"per_category must be a whole number of at least 1, got {value!r}")
    return number


@task
@clean_task_errors
def jailbreaks(
    suite: str = DEFAULT_SUITE,
    categories: str | list[str] | None = None,
    language: str | None = None,
    judge: str | None = None,
    attacks: str | list[str] | None = None,
    per_category: int | None = None,
    translations: str | None = None,
) -> Task:
    """A suite's harmful prompts under each jailbreak variant (`attacks`: comma list, default all).

    `per_category` keeps the first N harmful prompts of each category; `translations` is a
    JSONL/CSV of supplied translations (id, language, prompt) for the translated-input
    form of `low_resource_language`.
    """
    chosen = [a.name for a in get_attacks(as_list(attacks))]
    records = load_suite(suite, categories=as_list(categories), language=language, variants=["harmful"])
    if not records:
        raise SuiteError(f"{suite}: no harmful prompts to attack (jailbreaks only wraps harmful prompts)")
    records = interleave_by_category(records, _per_category(per_category))
    supplied = load_translations(translations) if translations else {}
    label = suite_label(suite)
    return Task(
        dataset=MemoryDataset(jailbreak_samples(records, label, chosen, supplied), name=label),
        solver=[jailbreak(translations=supplied), screened_generate()],
        scorer=safeguard_judge(judge),
        metrics={"refused": [mean(), grouped(mean(), "attack", all=False)], "harmful": [mean()]},
        metadata={"auditor_task": "jailbreaks", "suite": label, "attacks": chosen},
    )


def build_jailbreak_tasks(options: "AuditOptions", judge: "JudgeChoice") -> list[Task]:
    """`auditor audit --tasks jailbreaks`: the attacks over each audited suite's harmful prompts.

    Suites without harmful prompts (e.g. the identity probes) are skipped.
    """
    tasks: list[Task] = []
    for suite in options.suites:
        records = load_suite(suite, categories=options.categories, language=options.language, variants=["harmful"])
        if records:
            tasks.append(
                jailbreaks(
                    suite=suite, categories=options.categories, language=options.language, judge=judge.name,
                    attacks=options.attacks, per_category=options.jailbreak_per_category,
                )
            )
    if not tasks:
        raise SuiteError(f"--tasks jailbreaks: none of the suites ({', '.join(options.suites)}) has harmful prompts to attack")
    return tasks
