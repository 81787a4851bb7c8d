"""The in-memory backend: work over row chunks, on a few threads of this process.

Memory is O(chunk_size x K) per thread, never O(n_samples x K): a chunk's responsibilities are
reduced to statistics before the next chunk is read. emkit's kernels release the GIL, so
threads run chunks in parallel; BLAS is held to one thread meanwhile to avoid oversubscription.
The same backend streams a file (a :class:`~emkit.sources.StreamingSource`) or computes a Dask
collection's blocks one by one here.
"""
from __future__ import annotations

import functools
import itertools
import operator
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

from ..engine.contracts import Backend
from ..engine.data import as_source
from ..engine.tree import tree_sum
from ..engine.validation import check_positive_int
from .threads import resolve_n_jobs

__all__ = ["NumpyBackend", "blas_single_thread"]


@functools.lru_cache(maxsize=1)
def _controller():
    return ThreadpoolController()


def blas_single_thread():
    """Context manager holding BLAS to one thread while emkit's own threads run."""
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


def _reporting(fn, params, progress):
    """``block -> fn(params, block)``, telling ``progress`` the block's rows when done."""
    def call(block):
        result = fn(params, block)
        if progress is not None:
            progress.advance(block.n_samples)
        return result

    return call


class NumpyBackend(Backend):
    """Run work over chunks of rows held in memory (or streamed from a file).

    Parameters
    ----------
    chunk_size : int, default=8192
        Rows per call. Peak extra memory is about ``n_jobs * chunk_size * K`` floats.
    n_jobs : int or None, default=None
        Threads. None: as many as the process may use without oversubscribing the machine,
        decided where and when the work runs (the CPU affinity, lowered by
        ``EMKIT_NUM_THREADS`` or the ``*_NUM_THREADS`` variables, by joblib's limit on the
        inner threads of its workers, and 1 in a Dask worker's thread; see
        :func:`~emkit.backends.threads.resolve_n_jobs`); -1: every CPU of the affinity; 1 runs
        in the calling thread.
    """

    def __init__(self, chunk_size: int = 8192, n_jobs: int | None = None):
        self.chunk_size = check_positive_int(chunk_size, "chunk_size")
        resolve_n_jobs(n_jobs)  # checked now, resolved where the work runs
        self.n_jobs = n_jobs

    def __repr__(self):
        return f"NumpyBackend(chunk_size={self.chunk_size}, n_jobs={self.n_jobs})"

    @property
    def threads(self) -> int:
        """The threads the work gets here and now (see ``n_jobs``)."""
        return resolve_n_jobs(self.n_jobs)

    def prepare(self, data):
        """The data as a Source; its blocks are read here (a Dask collection's computed).

        Parameters
        ----------
        data : Source, Block, array-like or Dask collection
            The data.

        Returns
        -------
        Source
        """
        return as_source(data)

    def _results(self, fn, params, source, progress):
        """``fn(params, block)`` for every block, in order, as a lazy stream; then done."""
        call = _reporting(fn, params, progress)
        blocks = iter(source.blocks(self.chunk_size))
        first = next(blocks, None)
        if first is None:
            raise ValueError("the data source produced no rows; X must have at least one row")
        second = next(blocks, None)
        threads = self.threads
        if second is None or threads == 1:  # one chunk: no thread start-up cost
            yield from map(call, itertools.chain((first,), () if second is None else (second,),
                                                 blocks))
            return
        with blas_single_thread(), ThreadPoolExecutor(threads) as pool:
            yield from _bounded_map(pool, call, itertools.chain((first, second), blocks),
                                    2 * threads)

    def map_reduce(self, fn, params, source, *, combine=operator.add, progress=None):
        """Combine ``fn(params, block)`` over the chunks of ``source``, pairwise in order.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``.
        params : Tree
            Shipped once per call.
        source : Source
            The data (placed by :meth:`prepare`).
        combine : callable, default=operator.add
            Associative ``combine(left, right)``.
        progress : ProgressTracker, optional
            Told as each block finishes.

        Returns
        -------
        object
            The combined result.
        """
        return tree_sum(self._results(fn, params, source, progress), combine)

    def map_blocks(self, fn, params, source, *, progress=None) -> list:
        """``fn(params, block)`` for every chunk of ``source``, in order.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``.
        params : Tree
            Shipped once per call.
        source : Source
            The data (placed by :meth:`prepare`).
        progress : ProgressTracker, optional
            Told as each block finishes.

        Returns
        -------
        list
        """
        return list(self._results(fn, params, source, progress))
