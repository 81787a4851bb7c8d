"""resolve_n_jobs: the default thread count respects the affinity, the *_NUM_THREADS variables,
joblib's inner limits and Dask workers; -1, positive integers and errors."""
import os
import sys
import types

import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config

from emkit.backends import threads
from emkit.backends.threads import EMKIT_VARIABLE, THREAD_VARIABLES, resolve_n_jobs

CPUS = 6  # the mocked affinity


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No thread variable set, and an affinity of CPUS CPUs."""
    for name in (EMKIT_VARIABLE,) + THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(CPUS)), raising=False)


def _resolve_with(emkit_threads):
    """resolve_n_jobs(None) with EMKIT_NUM_THREADS set, in whatever process runs it."""
    previous = os.environ.get(EMKIT_VARIABLE)
    os.environ[EMKIT_VARIABLE] = emkit_threads
    try:
        return resolve_n_jobs(None)
    finally:
        if previous is None:
            del os.environ[EMKIT_VARIABLE]
        else:
            os.environ[EMKIT_VARIABLE] = previous


def test_default_is_the_affinity_not_the_cpu_count(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert resolve_n_jobs(None) == CPUS


def test_without_affinity_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert resolve_n_jobs(None) == 3


@pytest.mark.parametrize("settings, expected", [
    ({"OMP_NUM_THREADS": "2"}, 2),
    ({"OPENBLAS_NUM_THREADS": "4", "MKL_NUM_THREADS": "3"}, 3),
    ({"OMP_NUM_THREADS": "64"}, CPUS),  # never more than the affinity
    ({"OMP_NUM_THREADS": "3,2"}, 3),  # OpenMP's nested form: the first level
    ({"OMP_NUM_THREADS": "0", "MKL_NUM_THREADS": "", "OPENBLAS_NUM_THREADS": "many"}, CPUS),
    ({"OMP_NUM_THREADS": "1", EMKIT_VARIABLE: "4"}, 4),  # emkit's own takes precedence
    ({"OMP_NUM_THREADS": "2", EMKIT_VARIABLE: "-3"}, 2),  # an unusable one is ignored
    ({EMKIT_VARIABLE: "100"}, CPUS),
], ids=["omp", "smallest", "capped", "nested-form", "ignored", "emkit-first", "emkit-invalid",
        "emkit-capped"])
def test_environment_lowers_the_default(monkeypatch, settings, expected):
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert resolve_n_jobs(None) == expected


def test_minus_one_is_every_cpu_of_the_affinity(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert resolve_n_jobs(-1) == CPUS


@pytest.mark.parametrize("n_jobs", [1, 3, 2 * CPUS, np.int64(2)])
def test_a_positive_integer_is_taken_as_given(monkeypatch, n_jobs):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resolve_n_jobs(n_jobs) == n_jobs
    assert type(resolve_n_jobs(n_jobs)) is int


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, 2.0, True, "2", [2]])
def test_anything_else_is_an_error_naming_n_jobs(n_jobs):
    with pytest.raises(ValueError, match=r"n_jobs must be None .* got ") as caught:
        resolve_n_jobs(n_jobs)
    assert f"got {n_jobs!r}." in str(caught.value)


def test_a_joblib_worker_thread_gets_one_thread(monkeypatch):
    monkeypatch.setenv(EMKIT_VARIABLE, "4")
    got = Parallel(n_jobs=2, backend="threading")(delayed(resolve_n_jobs)(None)
                                                   for _ in range(4))
    assert got == [1] * 4


def test_joblib_at_the_top_level_or_sequential_sets_no_limit():
    with parallel_config(backend="threading", n_jobs=2):
        assert resolve_n_jobs(None) == CPUS
    assert Parallel(n_jobs=1)(delayed(resolve_n_jobs)(None) for _ in range(2)) == [CPUS] * 2


def test_a_loky_worker_keeps_to_joblibs_inner_limit_even_over_emkit_num_threads():
    with parallel_config(backend="loky", inner_max_num_threads=1):
        got = Parallel(n_jobs=2)(delayed(_resolve_with)("4") for _ in range(2))
    assert got == [1, 1]


def _fake_distributed(in_worker):
    def get_worker():
        if not in_worker:
            raise ValueError("No worker found")
        return object()
    return types.SimpleNamespace(get_worker=get_worker)


@pytest.mark.parametrize("in_worker, expected", [(True, 1), (False, CPUS)])
def test_a_dask_worker_gets_one_thread(monkeypatch, in_worker, expected):
    monkeypatch.setitem(sys.modules, "distributed", _fake_distributed(in_worker))
    assert resolve_n_jobs(None) == expected


def test_a_real_dask_worker_thread_gets_one_thread_and_its_client_is_not_limited():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        assert client.submit(resolve_n_jobs, None, pure=False).result() == 1
        assert resolve_n_jobs(None) == CPUS  # the in-process worker does not limit the caller


def test_distributed_is_not_imported_to_find_the_limit(monkeypatch):
    monkeypatch.delitem(sys.modules, "distributed", raising=False)
    assert resolve_n_jobs(None) == CPUS
    assert "distributed" not in sys.modules


def test_the_context_limit_is_none_outside_any_worker():
    assert threads.context_limit() is None
