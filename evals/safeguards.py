"""`inspect eval evals/safeguards.py --model M -T suite=core -T judge=offline`"""

from auditor.tasks import safeguards

__all__ = ["safeguards"]
