"""What every benchmark's options share."""

from __future__ import annotations

import argparse


def positive(value: str) -> int:
    """An argparse type: a whole number of 1 or more (sizes, counts, clients)."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number
