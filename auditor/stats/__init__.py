"""Paired statistics for comparing two models on the same prompts.

Kept apart from pandas and the report so each formula can be checked against
published reference values on its own (see tests/test_report_stats.py).
"""

from auditor.stats.multiplicity import CORRECTIONS, adjust_pvalues, correction_label, resolve_correction
from auditor.stats.paired import (
    PairedCounts,
    PairedResult,
    compare_counts,
    compare_paired,
    mcnemar_exact_p,
    newcombe_paired_ci,
    wilson_interval,
)
from auditor.stats.power import PowerResult, pairs_for_power

__all__ = [
    "CORRECTIONS",
    "PairedCounts",
    "PairedResult",
    "PowerResult",
    "adjust_pvalues",
    "compare_counts",
    "compare_paired",
    "mcnemar_exact_p",
    "correction_label",
    "pairs_for_power",
    "resolve_correction",
    "newcombe_paired_ci",
    "wilson_interval",
]
