"""What an audit's result depends on besides the two models: the suite and the judge.

A past audit is only still valid while both are unchanged, so each audit records a
suite version and a judge label and a model is re-audited when either differs. The same
two values key the original's cached logs, so the original is re-run exactly when its
cached answers (or their labels) would be stale.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

from auditor.schedule.config import AuditSettings


def suite_version(settings: AuditSettings) -> str:
    """Hash of the suite files' bytes and the selection (categories, language, limit, extra tasks, sequential)."""
    from auditor.suites.builtin import resolve_suite

    digest = hashlib.sha256()
    for suite in settings.suites:
        digest.update(suite.encode() + b"\0")
        digest.update(resolve_suite(suite).read_bytes())
    selection = {
        "categories": sorted(settings.categories or []),
        "language": settings.language,
        "limit": settings.limit,
        "tasks": list(settings.tasks),
    }
    if settings.sequential:  # only when set, so fixed-sample configs keep their versions
        selection["sequential"] = True
    digest.update(json.dumps(selection, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def judge_label(judge: str | None) -> str:
    """The judge's name and version, plus the grader model for the LLM judge.

    The version is the judge class's `version` attribute when it has one (a judge with
    trained weights or a prompt should set it); otherwise a hash of the module that
    defines the judge and of its weight files (`auditor/judges/weights/<name>.*`), so
    editing its rules or retraining it still counts as a new judge.
    """
    from auditor.options import choose_judge
    from auditor.judges import JUDGES

    choice = choose_judge(judge)
    module_name, factory = JUDGES[choice.name].split(":")
    module = importlib.import_module(module_name)
    version = getattr(getattr(module, factory, None), "version", None)
    if not version:
        digest = hashlib.sha256()
        source = Path(module.__file__ or "")
        weights = sorted((Path(__file__).resolve().parents[1] / "judges" / "weights").glob(f"{choice.name}.*"))
        for path in [source, *weights]:
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        version = "sha-" + digest.hexdigest()[:10]
    label = f"{choice.name}@{version}"
    return f"{label} grader={choice.grader}" if choice.grader else label
