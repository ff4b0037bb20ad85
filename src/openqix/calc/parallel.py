"""Large scans split over a small thread pool: numpy releases the GIL in gathers, arithmetic
and bincount, so two chunks use two cores (PERF-NOTES: about 2x on 10M rows).

Below `PARALLEL_MIN` items everything runs inline: threads only pay off on long arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import numpy.typing as npt

PARALLEL_MIN = 2_000_000
WORKERS = 2
T = TypeVar("T")

_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="openqix-calc")


def chunks(n: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges covering n items: one below PARALLEL_MIN, else one per worker."""
    if n < PARALLEL_MIN:
        return [(0, n)]
    step = -(-n // WORKERS)
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def map_chunks(fn: Callable[[int, int], T], n: int) -> list[T]:
    """fn(lo, hi) for every chunk of n items, in parallel when there are several."""
    ranges = chunks(n)
    if len(ranges) == 1:
        return [fn(*ranges[0])]
    futures = [_pool.submit(fn, lo, hi) for lo, hi in ranges]
    return [f.result() for f in futures]


def bincount(
    groups: npt.NDArray[np.integer], weights: npt.NDArray[np.float64], minlength: int
) -> npt.NDArray[np.float64]:
    """np.bincount with weights, chunked: the per-chunk sums are added."""

    def part(lo: int, hi: int) -> npt.NDArray[np.float64]:
        counted = np.bincount(groups[lo:hi], weights=weights[lo:hi], minlength=minlength)
        return np.asarray(counted, dtype=np.float64)

    parts = map_chunks(part, len(groups))
    total = parts[0]
    for other in parts[1:]:
        total = total + other
    return total
