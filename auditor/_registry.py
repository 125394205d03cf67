"""Inspect entry point (`[project.entry-points.inspect_ai]`): registers tasks and model providers.

Importing this module is what makes `inspect eval auditor/safeguards` and
`--model replay/<file>` work once the package is installed. Providers are
registered as factories so their heavy imports happen only when used.

Inspect namespaces an extension's objects as `<package>/<name>` only when it can
tell the package is installed non-editably; in an editable install (how the README
sets the project up) the distribution name differs from the import name and the
objects stay unqualified. `_namespace` registers them under `auditor/<name>` in
every case, so `inspect eval auditor/safeguards` works however the package was installed.
"""

# ruff: noqa: F401
from inspect_ai._util.registry import RegistryInfo, registry_add, registry_info
from inspect_ai.model import modelapi

from auditor.tasks.builders import TASKS

PACKAGE = "auditor"


def _namespace(obj: object) -> None:
    info = registry_info(obj)
    if "/" not in info.name:
        registry_add(obj, RegistryInfo(type=info.type, name=f"{PACKAGE}/{info.name}", metadata=info.metadata))


for _task in TASKS:
    _namespace(_task)


@modelapi(name="replay")
def replay():  # type: ignore[no-untyped-def]
    """Recorded responses from a JSONL/CSV file (`replay/<path>`)."""
    from auditor.providers.replay import ReplayModelAPI

    return ReplayModelAPI


@modelapi(name="local")
def local():  # type: ignore[no-untyped-def]
    """A GGUF model run in-process with llama-cpp-python (`local/smollm2`, `local/<path>.gguf`)."""
    from auditor.providers.local import LocalModelAPI

    return LocalModelAPI


@modelapi(name="guarded")
def guarded():  # type: ignore[no-untyped-def]
    """A model behind an output-moderation guard built from a judge (`guarded/<model spec>`)."""
    from auditor.providers.guarded import GuardedModelAPI

    return GuardedModelAPI
