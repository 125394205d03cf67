"""Extensions of `auditor suites`: jailbreak variants and importers (filled in by the suites module)."""

from __future__ import annotations

import argparse


def print_extras() -> None:
    """Print what else the suites offer (jailbreak variants, identity probes)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add `auditor suites import KIND PATH --out FILE`."""
