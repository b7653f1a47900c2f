"""A Dask cluster, for the two things that use one: the ``dask`` scoring engine (partitions of
texts) and ``social-audit batch --scheduler`` (one client per task).

Why one place: both must say the same clear sentence when the scheduler cannot be reached (a
user's mistake: one line naming the address, exit status 2, no traceback), and both want every
task's outcome even when another task fails. ``dask.distributed`` is imported on use: a local
run never pays for it.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from audit.common.errors import AuditInputError


def connect(address: str) -> Any:
    """A client of the scheduler at ``address``. Waits at most Dask's connect timeout
    (``distributed.comm.timeouts.connect``, 30 s; ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``
    sets it), then says so in one sentence naming the address."""
    from dask.distributed import Client

    try:
        return Client(address)
    except (OSError, ValueError) as exc:  # unreachable (a timeout), or not an address at all
        reason = next(iter(str(exc).strip().splitlines()), "") or type(exc).__name__
        raise AuditInputError(f"Could not reach the Dask scheduler at '{address}': {reason}.") from None


def describe(client: Any) -> str:
    """The cluster in words: its workers and the tasks they run at once (their threads)."""
    workers = client.scheduler_info().get("workers", {})
    threads = sum(w.get("nthreads", 1) for w in workers.values())
    return f"{len(workers)} worker(s), {threads} task(s) at a time"


def each_task(client: Any, fn: Callable[..., Any], calls: list[tuple]) -> Iterator[tuple[int, Any, float]]:
    """``fn(*call)`` for every call, each one task, as they finish: ``(index, result, seconds)``,
    the result being the exception of a task that failed or whose worker was lost, so one
    failure never loses the others. Never retried elsewhere (a call is not assumed idempotent)
    and never merged with an identical call (``pure=False``)."""
    from dask.distributed import as_completed

    started = time.time()
    futures = [client.submit(fn, *call, pure=False, retries=0) for call in calls]
    index = {future.key: i for i, future in enumerate(futures)}
    for future in as_completed(futures):
        try:
            result = future.result()
        except Exception as exc:  # the task's own error, a lost worker, a cancelled task
            result = exc
        yield index[future.key], result, round(time.time() - started, 1)


def child_env() -> dict[str, str] | None:
    """The environment for a process a task starts. On a Dask worker: the worker's, less the
    thread caps its nanny set (``OMP_NUM_THREADS=1`` and the like, for tasks sharing one process),
    so that a client's ``run`` scores with the machine's cores, as from the command line.
    Elsewhere ``None``: this process's own."""
    if "distributed" not in sys.modules:  # a worker has it loaded; a local batch never pays for it
        return None
    import dask
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:  # not in a task
        return None
    caps = {k: str(v) for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
            if k.endswith("_NUM_THREADS")}
    return {k: v for k, v in os.environ.items() if caps.get(k) != v}
