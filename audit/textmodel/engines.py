"""Where the cache misses are scored: a registry of engines, each a function
``(texts, options) -> probabilities`` that runs :func:`audit.textmodel.forward.probabilities`.

Why a registry (as papermill registers its notebook engines): the scoring code asks for an engine
by name and an unknown name fails with one clear sentence; a new engine is one entry here.

* ``local`` - this process.
* ``dask`` - a ``dask.distributed`` cluster (an address, or a local cluster): each worker loads the
  model once and scores its partition, so results equal the local engine's. The cache stays with
  the caller: workers only compute.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audit.common.cluster import connect
from audit.common.errors import AuditInputError
from audit.textmodel.forward import probabilities

Engine = Callable[[list[str], dict], np.ndarray]


def local(texts: list[str], options: dict) -> np.ndarray:
    return probabilities(texts, **options)


def _partitions(n: int, parts: int) -> list[slice]:
    size = max(1, -(-n // parts))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _score_partition(texts: list[str], options: dict) -> np.ndarray:
    return probabilities(texts, **{**options, "show_progress": False})


def score_on_dask(texts: list[str], options: dict) -> np.ndarray:
    """``options`` may carry ``scheduler`` (an address; none = a local cluster), ``n_workers``
    and ``partition_size``; the rest goes to the scoring function."""
    from dask.distributed import Client, LocalCluster

    options = dict(options)
    address = options.pop("scheduler", None)
    n_workers = int(options.pop("n_workers", 2))
    partition_size = int(options.pop("partition_size", 2000))
    cluster = None
    if address:
        client = connect(address)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        n_parts = max(len(client.scheduler_info().get("workers", {})), 1)
        n_parts = max(n_parts, -(-len(texts) // partition_size))
        futures = [client.submit(_score_partition, texts[s], options, pure=False) for s in _partitions(len(texts), n_parts)]
        return np.concatenate(client.gather(futures)) if futures else np.zeros((0, 3), dtype=np.float32)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


ENGINES: dict[str, Engine] = {"local": local, "dask": score_on_dask}


def get_engine(name: str) -> Engine:
    """The engine registered as ``name``; an unknown name is a user's mistake, said in one sentence."""
    try:
        return ENGINES[name]
    except KeyError:
        raise AuditInputError(f"No engine named '{name}'. Choose one of: {', '.join(sorted(ENGINES))}.") from None
