"""Benchmarks that print figures (not tests). Run with `make bench`; see bench/README.md."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str  # the name in bench/results.json
    value: float
    unit: str
    target: str = ""  # what we aim for, in words: "< 300", "≥ 2× peer"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)])
