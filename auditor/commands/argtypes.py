"""argparse types that range-check numeric options, so a bad value stops with one line before anything runs."""

from __future__ import annotations

import argparse
import math
from typing import Callable


def positive_int(text: str) -> int:
    """A whole number of at least 1 (0 connections would wait forever; a negative --limit means "all but N" to Inspect)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0 (seconds, for instance)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got '{text}'")
    return value


def fraction(open_top: bool = False) -> Callable[[str], float]:
    """A number above 0 and below 1 (`open_top`, e.g. a significance level) or at most 1 (a share)."""
    bound = "below 1" if open_top else "at most 1"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (0 < value < 1 or (not open_top and value == 1)):
            raise argparse.ArgumentTypeError(f"must be a number above 0 and {bound} (a fraction, e.g. 0.05), got '{text}'")
        return value

    return parse
