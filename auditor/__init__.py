"""distill-auditor: which safety guardrails did a suspected distilled copy lose?

The package is laid out the way data flows through an audit:
suites (what we ask) -> providers (who answers) -> judges (what the answer was)
-> results (paired samples) -> compare/verdicts (statistics) -> report (what we say).
"""

__version__ = "0.1.0"
