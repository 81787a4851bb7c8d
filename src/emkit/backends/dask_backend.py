"""The Dask backend: one E-step task per block, a tree of sums, one compute per iteration.

The data are persisted once (held in the workers' memory); every iteration ships the current
parameters, runs the model's E-step on each block where the block lives, adds the results
pairwise up a tree (``split_every`` at a time) and brings back only the summed statistics.
The M-step runs on the client. A lost worker costs only recomputation: its blocks and tasks
are rebuilt from the graph, and the sums are the same because the tree is fixed.
"""
from __future__ import annotations

import functools
import operator
import threading
import uuid

from ..engine.contracts import Backend
from ..engine.data import Block, InMemory, as_source
from ..engine.tree import tree_sum
from ..engine.validation import check_positive_int
from ..sources.dask_source import DaskSource, compute
from ..sources.streaming import StreamingSource
from .numpy_backend import blas_single_thread

__all__ = ["DaskBackend", "connect", "tree_reduce"]


def _on_block(fn, params, fields, lengths, offset):
    """``fn(params, block)`` on one block, rebuilt from its fields (a task on a worker)."""
    return fn(params, Block(lengths=lengths, offset=offset, **fields))


def _per_block(fn, params, source):
    """One Delayed ``fn(params, block)`` per block; ``fn`` and ``params`` shipped once."""
    import dask

    call = dask.delayed(_on_block, pure=False)
    fn, params = _named(fn, "fn"), _named(params, "params")
    return [call(fn, params, part.fields, part.lengths, part.offset) for part in source.parts()]


def tree_reduce(leaves, split_every: int, combine=operator.add):
    """Combine Delayed results up a tree, ``split_every`` at a time, in a fixed order.

    Each node is one task combining its children with :func:`~emkit.engine.tree.tree_sum`,
    so the depth is ``ceil(log(n_leaves) / log(split_every))``.
    """
    import dask

    add = dask.delayed(functools.partial(tree_sum, combine=combine), pure=False)
    level = list(leaves)
    while len(level) > 1:
        groups = [level[i:i + split_every] for i in range(0, len(level), split_every)]
        level = [add(group) if len(group) > 1 else group[0] for group in groups]
    return level[0]


def _named(value, prefix):
    import dask

    return dask.delayed(value, name=f"emkit-{prefix}-{uuid.uuid4().hex}", traverse=False)


class DaskBackend(Backend):
    """Run work on a Dask cluster (or Dask's local scheduler), block by block.

    Parameters
    ----------
    client : distributed.Client, optional
        The cluster to use. By default the client the data are already on (a
        :class:`~emkit.sources.DaskSource` placed by another backend), else the default client
        if one exists (the last ``Client`` created), else Dask's local threaded scheduler.
    persist : bool, default=True
        Hold the data in the workers' memory after the first pass. With False every
        iteration reads the data again through its graph (data larger than the cluster).
    chunk_size : int, default=65536
        Rows per block when the data are not a Dask collection already (arrays, files).
    split_every : int, default=8
        Fan-in of the tree that combines the blocks' results.
    """

    def __init__(self, client=None, *, persist=True, chunk_size=65536, split_every=8):
        self.client = client
        self.persist = bool(persist)
        self.chunk_size = check_positive_int(chunk_size, "chunk_size")
        self.split_every = check_positive_int(split_every, "split_every", minimum=2)

    def __repr__(self):
        return f"DaskBackend(client={self.client!r}, persist={self.persist})"

    def __deepcopy__(self, memo):  # a handle on a cluster: clones share it
        return self

    def _client(self, data):
        """This backend's client, else the data's, else the default client, else None."""
        if self.client is not None:
            return self.client
        if isinstance(data, DaskSource) and data.client is not None:
            return data.client
        try:
            from distributed import default_client

            return default_client()
        except (ImportError, ValueError):  # no distributed, or no client made yet
            return None

    def prepare(self, data) -> DaskSource:
        """Turn ``data`` into a DaskSource on this backend's cluster, persisted once.

        Parameters
        ----------
        data : Source, Block, array or Dask collection
            An in-memory Block keeps every field; a file is read by the workers.

        Returns
        -------
        DaskSource
        """
        source = as_source(data)
        client = self._client(source)
        if isinstance(source, InMemory):
            source = DaskSource.from_block(source.block, self.chunk_size)
        elif isinstance(source, StreamingSource):
            source = source.to_dask(self.chunk_size, client=client)
        elif not isinstance(source, DaskSource):
            raise TypeError(f"the Dask backend cannot place {source!r}; pass an array, a "
                            "Block, a file source or a Dask collection.")
        if source.client is not client:
            source = source.on(client)
        if self.persist and not source.persisted:
            source = source.persist()
        return source

    def map_reduce(self, fn, params, source, *, combine=operator.add, progress=None):
        """Combine ``fn(params, block)`` over the blocks of ``source`` with one compute.

        The blocks' results are combined on the cluster, up a tree of fixed shape, and only
        the root comes back.

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
            Told as the compute finishes.

        Returns
        -------
        object
            The combined result.
        """
        source = self.prepare(source)
        leaves = _per_block(fn, params, source)
        root = tree_reduce(leaves, self.split_every, combine)
        rows = [part.n_rows for part in source.parts()]
        with blas_single_thread():
            if progress is None:
                return compute(source.client, root)[0]
            return self._compute_with_progress(source.client, root, leaves, rows, progress)

    def _compute_with_progress(self, client, root, leaves, rows, progress):
        if client is None:
            return _local_with_progress(root, leaves, rows, progress)
        from distributed import as_completed

        futures = client.compute([root, *leaves])
        rows_of = {future.key: n for future, n in zip(futures[1:], rows)}
        for future in as_completed(futures[1:], loop=client.loop):
            progress.advance(rows_of[future.key])
        return futures[0].result()

    def map_blocks(self, fn, params, source, *, progress=None) -> list:
        """``fn(params, block)`` for every block of ``source``, in order, with one compute.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``.
        params : Tree
            Shipped once per call.
        source : Source
            The data (placed by :meth:`prepare`).
        progress : ProgressTracker, optional
            Told as the compute finishes.

        Returns
        -------
        list
        """
        source = self.prepare(source)
        outputs = _per_block(fn, params, source)
        with blas_single_thread():
            results = list(compute(source.client, *outputs))
        if progress is not None:
            progress.advance(source.n_samples)
        return results


def _local_with_progress(root, leaves, rows, progress):
    """Compute on the local scheduler, telling ``progress`` as each leaf finishes."""
    import dask
    from dask.callbacks import Callback

    rows_of = {leaf.key: n for leaf, n in zip(leaves, rows)}

    def finished(key, result, dsk, state, worker_id):
        if key in rows_of:
            progress.advance(rows_of[key])

    with Callback(posttask=finished):
        return dask.compute(root)[0]


def _within(fn, timeout):
    """Run ``fn()`` in a daemon thread; return ``(result, error)``, both None on a timeout.

    A daemon thread cannot keep the process alive, so an attempt that never returns is left
    behind instead of blocking the caller.
    """
    outcome = {}

    def attempt():
        try:
            outcome["result"] = fn()
        except Exception as error:  # reported by the caller
            outcome["error"] = error

    thread = threading.Thread(target=attempt, name="emkit-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome.get("result"), outcome.get("error")


async def _handshake(address, timeout):
    """Open a connection to ``address`` and exchange Dask's handshake, within ``timeout``."""
    import asyncio

    from distributed.comm import connect as open_comm

    comm = await asyncio.wait_for(open_comm(address, timeout=timeout), timeout)
    await comm.close()
    return True


def _check_address(address):
    from distributed.comm import parse_address

    if not isinstance(address, str):
        raise ValueError(f"scheduler address must be a string such as 'tcp://host:8786'; got "
                         f"{address!r}.")
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls", "ws", "wss") and ":" not in location:
            raise ValueError("missing port number")
    except ValueError as error:
        raise ValueError(f"scheduler address {address!r} is not valid ({error}); use the form "
                         "tcp://host:8786.") from None


def connect(address: str, timeout: float = 10.0) -> DaskBackend:
    """A DaskBackend on the scheduler at ``address`` (``"tcp://host:8786"``).

    Parameters
    ----------
    address : str
        The scheduler's address.
    timeout : float, default=10.0
        Seconds to wait for the scheduler to answer.

    Returns
    -------
    DaskBackend
        With a client on that scheduler.

    Raises
    ------
    ConnectionError
        If no scheduler answers at ``address`` within about ``timeout`` seconds.
    ValueError
        If ``address`` is not an address.

    Notes
    -----
    ``distributed.Client`` bounds only the opening of the connection by its timeout: a peer
    that accepts and then never answers would block it forever. So the scheduler is first
    asked for Dask's handshake under a strict deadline, and the client is made only then.
    """
    import asyncio

    from distributed import Client

    _check_address(address)
    timeout = float(timeout)
    answered, error = _within(lambda: asyncio.run(_handshake(address, timeout)), timeout + 1)
    client = None
    if answered:
        client, error = _within(lambda: Client(address, timeout=timeout,
                                               set_as_default=False), timeout + 1)
    if client is None:
        cause = f" ({type(error).__name__}: {error})" if str(error or "") else ""
        raise ConnectionError(
            f"no Dask scheduler answered at {address!r} within {timeout:g} s{cause}. Check the "
            "address and port, that `dask scheduler` runs there, and that this machine can "
            "reach it."
        )
    return DaskBackend(client)
