"""The in-memory backend: the E-step over row chunks, on a few threads.

Memory is O(chunk_size x K) per thread, never O(n_samples x K): a chunk's responsibilities are
reduced to statistics before the next chunk is read. emkit's kernels release the GIL, so
threads run chunks in parallel; BLAS is held to one thread meanwhile to avoid oversubscription.
"""
from __future__ import annotations

import functools
import itertools
import numbers
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

from ..engine.tree import tree_sum

__all__ = ["NumpyBackend"]


def _thread_count(n_jobs):
    """Threads for ``n_jobs``: None or -1 mean every core, as in scikit-learn."""
    if n_jobs is None or n_jobs == -1:
        return os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, -1 or None (every core); got "
                         f"{n_jobs!r}.")
    return int(n_jobs)


@functools.lru_cache(maxsize=1)
def _controller():
    return ThreadpoolController()


def _blas_single_thread():
    """Context manager holding BLAS to one thread while our threads run."""
    return _controller().limit(limits=1, user_api="blas")


def _bounded_map(executor, fn, items, window):
    """Like ``executor.map`` but with at most ``window`` items in flight (streams the input)."""
    pending = []
    for item in items:
        pending.append(executor.submit(fn, item))
        if len(pending) >= window:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


class NumpyBackend:
    """Run the E-step over chunks of rows held in memory (or streamed from a file).

    Parameters
    ----------
    chunk_size : int, default=8192
        Rows per E-step call. Peak extra memory is about ``n_jobs * chunk_size * K`` floats.
    n_jobs : int or None, default=None
        Threads; None or -1 use every core (``os.cpu_count()``), 1 runs in the calling
        thread.
    """

    def __init__(self, chunk_size: int = 8192, n_jobs: int | None = None):
        if int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}")
        self.chunk_size = int(chunk_size)
        self.n_jobs = _thread_count(n_jobs)

    def map_reduce(self, e_step, params, data):
        """Sum ``e_step(params, block)`` over the blocks of ``data`` (pairwise, in order).

        Returns
        -------
        EStep
            Summed statistics, evidence and entropy over all rows.
        """
        blocks = iter(data.blocks(self.chunk_size))
        first = next(blocks, None)
        if first is None:
            raise ValueError("the data source produced no rows; X must have at least one row")
        second = next(blocks, None)
        if second is None:  # one chunk: no thread start-up cost on small data
            return e_step(params, first)
        blocks = itertools.chain((first, second), blocks)
        if self.n_jobs == 1:
            return tree_sum(e_step(params, block) for block in blocks)
        with _blas_single_thread(), ThreadPoolExecutor(self.n_jobs) as pool:
            results = _bounded_map(pool, lambda b: e_step(params, b), blocks, 2 * self.n_jobs)
            return tree_sum(results)

    def map_rows(self, fn, params, data):
        """Concatenate ``fn(params, block)`` over the blocks of ``data`` (row outputs).

        Returns
        -------
        ndarray whose first axis has length ``data.n_samples``
        """
        return np.concatenate([fn(params, block) for block in data.blocks(self.chunk_size)])

    def __repr__(self):
        return f"NumpyBackend(chunk_size={self.chunk_size}, n_jobs={self.n_jobs})"
