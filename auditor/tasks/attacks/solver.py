"""The Inspect solver that applies a jailbreak variant to a sample before generation.

It replaces the sample's user prompt (keeping any system message) with the variant's
conversation. The attack comes from the solver argument, or else from the sample's
`attack` metadata, which is how one `jailbreaks` task runs every variant in one pass.
"""

from __future__ import annotations

from inspect_ai.model import ChatMessageSystem
from inspect_ai.solver import Generate, Solver, TaskState, solver

from auditor.tasks.attacks.translations import Translation
from auditor.tasks.attacks.variants import ATTACKS, AttackRequest, get_attacks


@solver
def jailbreak(attack: str | None = None, translations: dict[str, Translation] | None = None) -> Solver:
    """Rewrite the user prompt with `attack` (default: the sample's `attack` metadata)."""
    fixed = get_attacks([attack])[0] if attack else None
    supplied = translations or {}

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        chosen = fixed
        if chosen is None:
            name = (state.metadata or {}).get("attack")
            if name not in ATTACKS:
                raise ValueError(f"sample {state.sample_id} has no known 'attack' in its metadata ({name!r})")
            chosen = ATTACKS[name]
        metadata = state.metadata or {}
        text = metadata.get("prompt") or state.user_prompt.text
        suite_id = metadata.get("suite_id")
        translation = supplied.get(str(suite_id)) if suite_id is not None else None
        request = AttackRequest(
            text=text,
            language=metadata.get("language") or "en",
            translation=translation.text if translation else None,
            translation_language=translation.language if translation else None,
        )
        system = [m for m in state.messages if isinstance(m, ChatMessageSystem)]
        state.messages = system + chosen.messages(request)
        return state

    return solve
