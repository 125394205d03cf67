"""From `AuditOptions` to the Inspect tasks an audit runs.

`auditor audit --tasks jailbreaks,identity` names extra builders; the safeguards task
always runs. This module imports the options (data) and the task modules; neither
imports it back, so there is no import cycle between running audits and building tasks.
"""

from __future__ import annotations

from typing import Callable

from inspect_ai import Task

from auditor.errors import ConfigError
from auditor.options import AuditOptions, JudgeChoice
from auditor.tasks.identity import build_identity_tasks, identity
from auditor.tasks.jailbreaks import build_jailbreak_tasks, jailbreaks
from auditor.tasks.safeguards import build_safeguard_tasks, safeguards

TaskBuilder = Callable[[AuditOptions, JudgeChoice], list[Task]]

TASK_BUILDERS: dict[str, TaskBuilder] = {
    "safeguards": build_safeguard_tasks,
    "jailbreaks": build_jailbreak_tasks,
    "identity": build_identity_tasks,
}

# Every task the package exposes (the Inspect entry point registers each as `auditor/<name>`).
TASKS = [safeguards, jailbreaks, identity]


def build_extra_tasks(options: AuditOptions, judge: JudgeChoice) -> list[Task]:
    """The tasks besides safeguards that the options name (jailbreaks, identity); unknown names: one-line error."""
    tasks: list[Task] = []
    for name in options.extra_tasks:
        if name not in TASK_BUILDERS:
            raise ConfigError(f"unknown audit task '{name}'; available: {', '.join(TASK_BUILDERS)}")
        if name != "safeguards":
            tasks.extend(TASK_BUILDERS[name](options, judge))
    return tasks


def build_tasks(options: AuditOptions, judge: JudgeChoice) -> list[Task]:
    """The safeguards tasks, then each extra task the options name."""
    return build_safeguard_tasks(options, judge) + build_extra_tasks(options, judge)
