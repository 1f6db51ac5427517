"""Accuracy metrics with 95% confidence intervals.

- greedy accuracy: Wilson score interval;
- pass@k: the unbiased estimator 1 - C(n-c, k) / C(n, k) per problem (Chen et al. 2021), averaged,
  with a seeded percentile bootstrap over problems;
- maj@k: majority vote over the first k samples' extracted answers, bootstrap CI.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def pass_at_k(n: int, c: int, k: int) -> float:
    if n - c < k:
        return 1.0
    return 1.0 - math.prod((n - c - i) / (n - i) for i in range(k))


def bootstrap_ci(values: np.ndarray, n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    mean = values.mean()
    return float(min(lo, mean)), float(max(hi, mean))


def majority_index(votes: list) -> int | None:
    """Index of the sample holding the most common non-empty vote (ties: the earliest); None when
    no sample voted. Shared by maj@k and the best-of-N majority selector."""
    counts = Counter(v for v in votes if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return next(i for i, v in enumerate(votes) if v is not None and counts[v] == top)


def majority_correct(answers: list, corrects: list[bool]) -> bool:
    """Is the most common non-empty answer a correct one? Ties go to the earliest sample."""
    winner = majority_index(answers)
    return winner is not None and any(c for a, c in zip(answers, corrects) if a == answers[winner])


def pgr(method: float, weak: float, ceiling: float) -> float:
    """Performance gap recovered (Burns et al. 2023): (method - weak) / (ceiling - weak); NaN when the
    ceiling is not above the weak floor (no gap to recover)."""
    gap = ceiling - weak
    return (method - weak) / gap if gap > 0 else float("nan")
