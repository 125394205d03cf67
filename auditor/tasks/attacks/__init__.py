"""Jailbreak variants (attack families) and the solver that applies them.

The catalogue (`ATTACKS`, plain data) imports nothing heavy, so `auditor suites` can list
it quickly; the Inspect solver `jailbreak` is loaded on first use.
"""

from typing import TYPE_CHECKING, Any

from auditor.tasks.attacks.translations import Translation, load_translations
from auditor.tasks.attacks.variants import ATTACKS, Attack, AttackRequest, attack_names, get_attacks

if TYPE_CHECKING:
    from auditor.tasks.attacks.solver import jailbreak


def __getattr__(name: str) -> Any:
    if name == "jailbreak":
        from auditor.tasks.attacks.solver import jailbreak

        return jailbreak
    raise AttributeError(f"module 'auditor.tasks.attacks' has no attribute '{name}'")


__all__ = ["ATTACKS", "Attack", "AttackRequest", "Translation", "attack_names", "get_attacks", "jailbreak", "load_translations"]
