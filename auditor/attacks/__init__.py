"""Jailbreak variants (attack families) and the solver that applies them."""

from auditor.attacks.solver import jailbreak
from auditor.attacks.translations import Translation, load_translations
from auditor.attacks.variants import ATTACKS, Attack, AttackRequest, attack_names, get_attacks

__all__ = ["ATTACKS", "Attack", "AttackRequest", "Translation", "attack_names", "get_attacks", "jailbreak", "load_translations"]
