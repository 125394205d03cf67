"""`inspect eval evals/identity.py --model M -T language=zh`"""

from auditor.tasks.identity import identity

__all__ = ["identity"]
