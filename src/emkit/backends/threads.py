"""How many threads an E-step may use: ``resolve_n_jobs``, and the limits it is built from.

emkit's in-memory backend runs its compiled kernels on threads. Its default must never
oversubscribe the machine: under ``GridSearchCV(n_jobs=-1)`` every joblib worker fits its own
estimator, and a Dask worker already runs one task per thread. The default (``n_jobs=None``)
therefore starts from the CPUs this process may run on and takes the lowest of the limits
that its surroundings set:

================================  ==============================================================
limit                             where it comes from
================================  ==============================================================
CPU affinity                      ``os.sched_getaffinity(0)`` (``os.cpu_count()`` where the
                                  platform has no affinity); a cap on every other rule
``EMKIT_NUM_THREADS``             a positive integer; when set, the ``*_NUM_THREADS`` below are
                                  not read (so ``OMP_NUM_THREADS=1``, set for BLAS, does not
                                  hold emkit's own threads to one)
``OMP_NUM_THREADS``,              the smallest positive integer among them (for OpenMP's
``OPENBLAS_NUM_THREADS``,         nested form ``"4,2"``, the first level)
``MKL_NUM_THREADS``
a joblib worker process           joblib's ``inner_max_num_threads``: loky sets it in the
                                  worker's ``*_NUM_THREADS`` (by default ``cpu_count // n_jobs``),
                                  read here even when ``EMKIT_NUM_THREADS`` is set; 1 where
                                  the backend sets none (``multiprocessing``)
a joblib worker thread            1 (``threading`` backend: the workers share this process)
a Dask worker thread              1 (``distributed`` runs one task per worker thread)
================================  ==============================================================

joblib and Dask are looked up in ``sys.modules`` only: code that has not imported them cannot
be running inside one of their workers, and this module imports neither.
"""
from __future__ import annotations

import numbers
import os
import sys
import threading

__all__ = ["EMKIT_VARIABLE", "THREAD_VARIABLES", "affinity_count", "context_limit",
           "environment_limit", "resolve_n_jobs"]

#: The variable that sets emkit's own thread count; it takes precedence over the others.
EMKIT_VARIABLE = "EMKIT_NUM_THREADS"
#: Thread-count variables of the common native thread pools (joblib's loky sets them all).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def affinity_count() -> int:
    """The number of CPUs this process may run on (its affinity mask), at least 1.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where the platform has it (Linux), else
        ``os.cpu_count()``.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _positive_int(text):
    """``int`` of a positive integer setting (first entry of a list ``"4,2"``), else None."""
    first = (text or "").split(",")[0].strip()
    try:
        value = int(first)
    except ValueError:
        return None
    return value if value > 0 else None


def _smallest_setting(names):
    """The smallest positive integer among the environment variables ``names``, or None."""
    values = [_positive_int(os.environ.get(name)) for name in names]
    values = [value for value in values if value is not None]
    return min(values) if values else None


def environment_limit() -> int | None:
    """The thread count set in the environment, or None where nothing usable is set.

    Returns
    -------
    int or None
        ``EMKIT_NUM_THREADS`` if it holds a positive integer; otherwise the smallest
        positive integer among ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and
        ``MKL_NUM_THREADS``. Empty, zero, negative or non-numeric values are ignored.
    """
    own = _positive_int(os.environ.get(EMKIT_VARIABLE))
    return own if own is not None else _smallest_setting(THREAD_VARIABLES)


def _joblib_limit():
    """The inner thread limit of the joblib worker running this code, or None outside one."""
    parallel = sys.modules.get("joblib.parallel")
    if parallel is None:
        return None
    try:
        backend, _ = parallel.get_active_backend()
    except (AttributeError, TypeError, ValueError):  # another joblib, a bad context
        return None
    if (getattr(backend, "nesting_level", 0) or 0) < 1:
        return None  # the top level: not inside a worker
    if threading.current_thread() is not threading.main_thread():
        return 1  # a worker thread of this process (threading backend)
    limit = _smallest_setting(THREAD_VARIABLES)  # a worker process: what joblib set there
    return 1 if limit is None else limit


def _in_dask_worker():
    """True when this code runs in a task on a ``distributed`` worker."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except (ValueError, AttributeError):
        return False
    return True


def context_limit() -> int | None:
    """The thread limit implied by the joblib or Dask worker this code runs in, or None.

    Returns
    -------
    int or None
        1 in a Dask worker's task or a joblib worker thread; in a joblib worker process, the
        ``*_NUM_THREADS`` that joblib set for it (its ``inner_max_num_threads``), or 1 where
        none is set; None outside any worker.
    """
    if _in_dask_worker():
        return 1
    return _joblib_limit()


def _default_count():
    """The safe default: the affinity count lowered by every limit that applies."""
    limits = [affinity_count(), environment_limit(), context_limit()]
    return min(limit for limit in limits if limit is not None)


def resolve_n_jobs(n_jobs) -> int:
    """The number of threads to use for ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: the safe default, which never oversubscribes: the CPUs this process may run
        on (its affinity), lowered by ``EMKIT_NUM_THREADS`` (or, when it is not set, by
        ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``), by joblib's
        inner thread limit inside a joblib worker, and to 1 inside a Dask worker (see the
        module's docstring for the table of rules). ``-1``: every CPU of the affinity.
        A positive integer: that many threads (1 runs in the calling thread).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        If ``n_jobs`` is anything else (0, -2, a float, a bool, a string).
    """
    if n_jobs is None:
        return _default_count()
    if isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool):
        if n_jobs == -1:
            return affinity_count()
        if n_jobs >= 1:
            return int(n_jobs)
    raise ValueError(
        f"n_jobs must be None (a safe default from the CPU affinity, the *_NUM_THREADS "
        f"variables and any joblib or Dask worker), -1 (every CPU this process may use) or a "
        f"positive integer; got {n_jobs!r}. Pass n_jobs=1 to run in the calling thread.")
