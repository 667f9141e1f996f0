"""Where the scoring stage's blocks run: in this process, or on a Dask cluster.

Both run the same pure block functions over the same blocks and return the
results in block order, so the choice changes the wall time, never the result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Protocol

from .forked import can_fork, forked_map


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        """[fn(block, *shared) for block in blocks], in order."""

    def map_single_threaded(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        """The same, for blocks that use one core each (an executor may run several at once here)."""

    @property
    def works_meanwhile(self) -> bool:
        """Whether single-threaded work may run in a forked copy of this process alongside the caller
        (`forked.forked_call`)."""


FORK_FROM_BLOCKS = 16


class LocalExecutor:
    """Blocks one after another in this process; kernels that can use threads (the sparse top-k product)
    use one per core."""

    name = "in-process"
    threads = max(1, os.cpu_count() or 1)

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes

    def map(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        return [fn(block, *shared) for block in blocks]

    def map_single_threaded(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        """Blocks that use one core each, spread over `processes` forked copies of this process; fewer
        than FORK_FROM_BLOCKS are computed here (forking a process that holds a whole exchange costs
        about as much as a few blocks: an incremental run's handful of blocks were slower forked)."""
        processes = self.processes if len(blocks) >= FORK_FROM_BLOCKS else 1
        return list(forked_map(partial(_call_block, fn, shared), blocks, processes))

    @property
    def works_meanwhile(self) -> bool:
        return self.processes > 1 and can_fork()


def _call_block(fn: Callable[..., Any], shared: tuple[Any, ...], block: Any) -> Any:
    return fn(block, *shared)


class DaskExecutor:
    """Blocks as tasks on a Dask cluster; large shared inputs are sent to every worker once per call."""

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    def map_single_threaded(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        return self.map(fn, blocks, *shared)

    works_meanwhile = False  # the cluster's workers are not copies of this process

    def map(self, fn: Callable[..., Any], blocks: Sequence[Any], *shared: Any) -> list[Any]:
        if not blocks:
            return []
        # Wrapped in a list: scattering a dict or list itself would scatter its items one by one.
        handles = [self.client.scatter([value], broadcast=True, hash=False)[0] for value in shared]
        futures = [self.client.submit(fn, block, *handles, pure=False) for block in blocks]
        try:
            return self.client.gather(futures)
        finally:
            for f in futures:
                f.release()
            for h in handles:
                h.release()


def dask_executor(scheduler: str | None, workers: int = 2) -> tuple[DaskExecutor, Callable[[], None]]:
    """An executor on the cluster at `scheduler`, or on a new local cluster; and how to close it."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        return DaskExecutor(client), client.close
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return DaskExecutor(client), close
