"""`inspect eval evals/safeguards.py --model M [-T suite=core -T judge=offline -T categories=a,b -T language=zh]`

Thin on purpose: Inspect discovers tasks in a file by their `@task` decorator, so this
file declares one and delegates to the library (`auditor.tasks.safeguards.safeguards`).
"""

from inspect_ai import Task, task

from auditor.tasks.safeguards import safeguards as safeguards_task


@task
def safeguards(
    suite: str = "core",
    categories: str | None = None,
    language: str | None = None,
    judge: str | None = None,
    variants: str | None = None,
) -> Task:
    """A suite's harmful prompts and their benign twins, judged per response."""
    return safeguards_task(suite=suite, categories=categories, language=language, judge=judge, variants=variants)
