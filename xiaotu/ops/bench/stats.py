"""Latency percentiles and throughput from the timings of every client."""

from __future__ import annotations

import statistics


def percentiles(samples: list[float]) -> dict[str, float | None]:
    """p50, p95, p99 and the worst, in milliseconds rounded to 0.01; None when nothing was measured."""
    if not samples:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    if len(samples) == 1:
        only = round(samples[0], 2)
        return {"p50_ms": only, "p95_ms": only, "p99_ms": only, "max_ms": only}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(samples), 2),
    }


def throughput(operations: int, seconds: float) -> float:
    return round(operations / seconds, 1) if seconds > 0 else 0.0
