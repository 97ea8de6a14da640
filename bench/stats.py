"""Medians with min and max over repeats, and percentiles."""

import statistics
from dataclasses import dataclass


@dataclass
class Spread:
    median: float
    low: float
    high: float
    n: int

    def fmt(self, digits: int = 0, unit: str = "") -> str:
        if self.n == 0:
            return "n/a"
        value = f"{self.median:,.{digits}f}{unit}"
        if self.n == 1:
            return value
        return f"{value} ({self.low:,.{digits}f}-{self.high:,.{digits}f})"


def spread(values: list[float]) -> Spread:
    values = [v for v in values if v is not None]
    if not values:
        return Spread(0, 0, 0, 0)
    return Spread(statistics.median(values), min(values), max(values), len(values))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]
