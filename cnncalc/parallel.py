"""Work on many inputs in worker processes, results in input order, a bounded number in flight.

``check`` over thousands of spec files is CPU-bound Python: threads would share one interpreter
lock, so the files go to worker processes. Each result is yielded in the order of the inputs (the
output is the same whatever the scheduling), and at most ``ahead`` results wait in the parent at
any time, so memory does not grow with the number of files.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, as a container or ``taskset`` sets
    it), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def ordered_map(
    work: Callable[[T], R], items: Iterable[T], jobs: int, ahead: int | None = None
) -> Iterator[R]:
    """``work`` of each item, in the items' order, computed by ``jobs`` worker processes (in this
    process when ``jobs`` is 1). ``work`` and its results must pickle; workers are forked where
    the platform can, so they start with the modules already imported."""
    if jobs <= 1:
        yield from map(work, items)
        return
    # imported here: a single file, the usual case, pays nothing for them
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = ahead or 4 * jobs
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
