"""Benchmark: probe (being written)."""

from bench import Figure


def run(*, repeat: int | None = None) -> list[Figure]:
    return []
