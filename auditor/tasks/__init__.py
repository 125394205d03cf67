"""The audit's Inspect tasks and the builders that turn `AuditOptions` into them.

- `safeguards.py`: a suite's harmful prompts and their benign twins (every audit runs it);
- `jailbreaks.py`: the harmful prompts under each attack family (solvers in `attacks/`);
- `identity.py`: who the model says made it (extractor in `identity_claims.py`);
- `builders.py`: `build_tasks(options, judge)` and `TASKS`, what the Inspect entry point registers.

`inspect eval auditor/<task>`, the files in `evals/` and `auditor audit` all build the
same tasks from here. Import from the submodules: this package imports nothing, so
reading the attack catalogue (`auditor suites`) does not import Inspect and every task.
"""
