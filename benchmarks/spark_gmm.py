"""emkit against Spark MLlib's GaussianMixture: seconds per EM iteration, same data, same cores.

Run by hand (pyspark is a benchmark-only dependency; Spark needs Java 17):
    pip install pyspark
    PYTHONPATH=src python benchmarks/spark_gmm.py --rows 1000000 --repeats 3

Data: the 5-component mixture of benchmarks/_mixture_data.py (D=10), written to Parquet.
Both fit a 5-component full-covariance Gaussian mixture with 2 cores (Spark ``local[2]``,
emkit's numpy backend with 2 threads) and tolerance 0, so they run exactly the iterations
asked. The time per iteration is ``(T(b) - T(a)) / (b - a)`` for fits of ``a`` and ``b``
iterations, which removes start-up, caching and initialisation from both; medians of
``--repeats`` runs. emkit is timed on the array in memory and streamed from the same file.
Spark uses the system BLAS through netlib when libblas.so.3 is installed (Debian:
``apt-get install libopenblas0-pthread libblas3 liblapack3``), its Java fallback otherwise;
the script prints which.
"""
from __future__ import annotations

import argparse
import ctypes.util
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import _mixture_data as data  # noqa: E402

SHORT, LONG = 2, 12


def _per_iteration(fit, repeats):
    """Median over repeats of (T(LONG) - T(SHORT)) / (LONG - SHORT), and the last result."""
    estimates, last = [], None
    for _ in range(repeats):
        times = {}
        for n_iter in (SHORT, LONG):
            started = time.perf_counter()
            last = fit(n_iter)
            times[n_iter] = time.perf_counter() - started
        estimates.append((times[LONG] - times[SHORT]) / (LONG - SHORT))
    return float(np.median(estimates)), last


def spark_seconds(path, repeats):
    from pyspark.ml.clustering import GaussianMixture
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import SparkSession

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # 2 Spark tasks, one BLAS thread each
    spark = (SparkSession.builder.master("local[2]").appName("emkit-benchmark")
             .config("spark.driver.memory", "6g").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        frame = VectorAssembler(inputCols=data.COLUMNS, outputCol="features").transform(
            spark.read.parquet(str(path))).select("features").cache()
        frame.count()

        def fit(n_iter):
            return GaussianMixture(k=data.N_COMPONENTS, maxIter=n_iter, tol=0.0, seed=0).fit(frame)

        seconds, model = _per_iteration(fit, repeats)
        return seconds, model.summary.logLikelihood
    finally:
        spark.stop()


def emkit_seconds(source, start, repeats, backend=None):
    import emkit
    from emkit.backends import NumpyBackend
    from emkit.engine import run_em

    model = emkit.Mixture(emkit.Gaussian("full"), data.N_COMPONENTS)
    backend = backend or NumpyBackend(chunk_size=65_536, n_jobs=2)

    def fit(n_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run_em(model, source, start, backend=backend, tol=0, max_iter=n_iter)

    seconds, result = _per_iteration(fit, repeats)
    return seconds, result.log_likelihood


def dask_seconds(path, start, repeats):
    """emkit on a Dask LocalCluster of two single-threaded worker processes, data persisted."""
    from distributed import Client, LocalCluster

    from emkit.backends.dask_backend import DaskBackend
    from emkit.sources import open_source

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        backend = DaskBackend(client, chunk_size=65_536)
        source = backend.prepare(open_source(path))
        return emkit_seconds(source, start, repeats, backend=backend)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", help="where to write the data (default: a temp folder)")
    args = parser.parse_args()

    import emkit
    from emkit.engine import Block
    from emkit.sources import open_source

    folder = Path(args.folder or tempfile.mkdtemp(prefix="emkit-bench-"))
    path = data.parquet(args.rows, folder)
    X = data.in_memory(args.rows)
    model = emkit.Mixture(emkit.Gaussian("full"), data.N_COMPONENTS)
    start = model.init_params(Block(X[:100_000]), np.random.RandomState(0))
    emkit_seconds(X[:10_000], start, 1)  # compile the kernels
    results = {
        "emkit, in memory": emkit_seconds(X, start, args.repeats),
        "emkit, Parquet streamed": emkit_seconds(open_source(path), start, args.repeats),
        "emkit, Dask (2 processes)": dask_seconds(path, start, args.repeats),
        "Spark MLlib (local[2])": spark_seconds(path, args.repeats),
    }
    print(f"system BLAS for Spark (libblas.so.3): {ctypes.util.find_library('blas') or 'none'}")
    spark = results["Spark MLlib (local[2])"][0]
    print(f"{args.rows:,} rows x {data.N_FEATURES}, K={data.N_COMPONENTS} full covariance, "
          f"2 cores; median of {args.repeats}, (T({LONG}) - T({SHORT})) / {LONG - SHORT}")
    for name, (seconds, loglik) in results.items():
        print(f"  {name:<26} {seconds:7.3f} s/iteration   Spark / this {spark / seconds:6.2f}"
              f"   log-likelihood after {LONG} iterations {loglik:,.1f}")


if __name__ == "__main__":
    main()
