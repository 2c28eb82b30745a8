"""Benchmarks that print figures (not tests). Run with `make bench`; see bench/README.md."""

import gc
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


def settle_heap() -> None:
    """Shape the timing process like a production web worker before the timed requests:
    deploy/gunicorn.conf.py collects and then freezes (gc.freeze) what a worker holds once the
    site is loaded, so a full collection no longer walks it. Without this, a test-client
    benchmark's process — still holding its setup's objects — paused 80 ms for a full
    collection every twentieth request or so, and its p95 measured the collector (compliance:
    p95 118 ms against a median of 38; after freezing, 39 ms)."""
    gc.collect()
    gc.freeze()
