"""`inspect eval evals/jailbreaks.py --model M -T suite=core -T attacks=base64,many_shot -T judge=offline`"""

from auditor.tasks.jailbreaks import jailbreaks

__all__ = ["jailbreaks"]
