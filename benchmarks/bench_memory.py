"""Peak memory of fitting a Gaussian mixture: emkit against scikit-learn.

Each library fits the same data (N=2,000,000, D=10, K=8, full covariances, float64 by default)
from the same starting parameters, for the same number of iterations (``tol=0``), in a fresh
Python process of its own, so that neither sees the other's memory. Each child reports

* its peak resident set size (``ru_maxrss``; includes the interpreter, the imported libraries
  and the data; ``/usr/bin/time -v`` reports the same figure, printed too when it exists),
* its resident set size just before ``fit`` (the same, without the fit; measured after a
  warm-up fit on 2000 rows, so that lazily imported modules and compiled code are already in),
  and
* in a second run with ``tracemalloc``, the peak of the memory allocated during ``fit`` alone
  (numpy reports its array buffers to tracemalloc).

The data, 160 MB at the default size, is written once to a temporary ``.npy`` file and loaded
by each child, so it is part of both peaks and of neither increment.

With ``--default-init`` it measures emkit alone, fitting with its default initialisation
(k-means, on a sample of ``emkit.models.mixture.INIT_SAMPLE_ROWS`` rows for larger data) once
with the data in memory and once streamed from the ``.npy`` file, and prints both peaks against
issue 13's target for the in-memory fit (at most 1.5 x the data + 300 MiB).

Usage::

    python benchmarks/bench_memory.py
    python benchmarks/bench_memory.py --n-samples 200000 --n-iter 3     # small and quick
    python benchmarks/bench_memory.py --default-init --n-samples 5000000 --n-iter 3
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

MIB = 2 ** 20
TIME = "/usr/bin/time"
LIBRARIES = ("scikit-learn", "emkit")


def _estimator(library):
    if library == "emkit":
        from emkit import GaussianMixture
    else:
        from sklearn.mixture import GaussianMixture
    return GaussianMixture


def _current_rss():
    """Resident set size of this process now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(library, path, measure, n_iter):
    """Fit in this process and print a JSON line of measurements (runs in the child)."""
    cls = _estimator(library)
    with np.load(path) as saved:
        X, kind = saved["X"], str(saved["kind"])
        start = {name: saved[name] for name in ("weights_init", "means_init",
                                                "precisions_init")}

    def fit(rows, max_iter):
        model = cls(start["means_init"].shape[0], covariance_type=kind, max_iter=max_iter,
                    tol=0, init_params="random_from_data", random_state=0, **start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(rows)

    fit(X[:2000], 1)  # warm up: lazy imports, compiled code, thread pools
    before = _current_rss()
    if measure == "tracemalloc":
        import tracemalloc
        tracemalloc.start()
    began = time.perf_counter()
    model = fit(X, n_iter)
    seconds = time.perf_counter() - began
    result = {"library": library, "seconds": seconds, "rss_before_fit": before,
              "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
              "score": float(model.score(X[:100_000]))}
    if measure == "tracemalloc":
        result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
    print(json.dumps(result))


def default_init_child(mode, path, n_components, kind, n_iter):
    """Fit emkit with its default initialisation, in memory or streamed (runs in the child)."""
    import emkit

    source = emkit.sources.open_source(path) if mode == "streamed" else np.load(path)
    model = emkit.GaussianMixture(n_components, covariance_type=kind, max_iter=n_iter, tol=0,
                                  random_state=0)
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(source)
    print(json.dumps({"mode": mode, "seconds": time.perf_counter() - began,
                      "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def default_init_main(args):
    """Peaks of an in-memory and a streamed fit with the default initialisation."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "X.npy")
        rng = np.random.default_rng(args.seed)
        X = rng.standard_normal((args.n_samples, args.n_features))
        X += rng.integers(0, 5, size=(args.n_samples, 1))
        np.save(path, X)
        data_bytes = X.nbytes
        del X
        print(f"N={args.n_samples:,} D={args.n_features} K={args.n_components} "
              f"{args.covariance_type}, {args.n_iter} iterations, default (k-means) "
              f"initialisation; data {data_bytes / MIB:.0f} MiB")
        for mode in ("in-memory", "streamed"):
            done = subprocess.run(
                [sys.executable, __file__, "--default-init-child", mode, "--path", path,
                 "--n-components", str(args.n_components), "--covariance-type",
                 args.covariance_type, "--n-iter", str(args.n_iter)],
                check=True, capture_output=True, text=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{mode:10} peak RSS {row['peak_rss'] / MIB:7.0f} MiB "
                  f"({row['peak_rss'] / data_bytes:.2f} x the data), fit {row['seconds']:.1f} s")
            if mode == "in-memory":
                target = 1.5 * data_bytes + 300 * MIB
                print(f"{'':10} target 1.5 x data + 300 MiB = {target / MIB:.0f} MiB: "
                      f"{'met' if row['peak_rss'] <= target else 'NOT met'}")


def write_problem(path, n_samples, n_features, n_components, covariance_type, seed):
    """Save the data and a common start (scikit-learn's after one step on 5000 rows)."""
    from sklearn.mixture import GaussianMixture
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X += rng.integers(0, 5, size=(n_samples, 1))
    base = GaussianMixture(n_components, covariance_type=covariance_type, max_iter=1,
                           init_params="random_from_data", random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base.fit(X[:5000])
    np.savez(path, X=X, weights_init=base.weights_, means_init=base.means_,
             precisions_init=base.precisions_, kind=covariance_type)
    return X.nbytes


def run_child(library, path, measure, n_iter):
    """Run :func:`child` in a fresh process (under ``/usr/bin/time -v`` when there is one).

    Returns
    -------
    dict
        The child's measurements, with ``time_v_max_rss`` (bytes) from ``/usr/bin/time -v``
        when it ran under it.
    """
    command = [sys.executable, __file__, "--child", library, "--path", path,
               "--measure", measure, "--n-iter", str(n_iter)]
    if os.access(TIME, os.X_OK):
        command = [TIME, "-v", *command]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for line in done.stderr.splitlines():
        if "Maximum resident set size (kbytes)" in line:
            result["time_v_max_rss"] = int(line.rsplit(":", 1)[1]) * 1024
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=2_000_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--covariance-type", default="full",
                        choices=["full", "tied", "diag", "spherical"])
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    parser.add_argument("--default-init", action="store_true",
                        help="emkit alone, default initialisation, in memory and streamed")
    parser.add_argument("--default-init-child", choices=["in-memory", "streamed"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.default_init_child:
        return default_init_child(args.default_init_child, args.path, args.n_components,
                                  args.covariance_type, args.n_iter)
    if args.default_init:
        return default_init_main(args)
    if args.child:
        return child(args.child, args.path, args.measure, args.n_iter)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "problem.npz")
        data_bytes = write_problem(path, args.n_samples, args.n_features, args.n_components,
                                   args.covariance_type, args.seed)
        print(f"N={args.n_samples:,} D={args.n_features} K={args.n_components} "
              f"{args.covariance_type}, {args.n_iter} iterations; data {data_bytes / MIB:.0f} MiB")
        rows = {lib: {**run_child(lib, path, "rss", args.n_iter),
                      **{"tracemalloc_peak": run_child(lib, path, "tracemalloc",
                                                       args.n_iter)["tracemalloc_peak"]}}
                for lib in LIBRARIES}
    print(f"{'':14}{'peak RSS':>10}{'RSS before fit':>16}{'fit adds':>10}"
          f"{'tracemalloc peak':>18}{'fit s':>8}")
    for lib, row in rows.items():
        added = row["peak_rss"] - row["rss_before_fit"]
        print(f"{lib:14}{row['peak_rss'] / MIB:>6.0f} MiB{row['rss_before_fit'] / MIB:>12.0f} MiB"
              f"{added / MIB:>6.0f} MiB{row['tracemalloc_peak'] / MIB:>14.1f} MiB"
              f"{row['seconds']:>8.1f}")
    for lib, row in rows.items():
        if "time_v_max_rss" in row:
            print(f"{lib}: /usr/bin/time -v maximum resident set size "
                  f"{row['time_v_max_rss'] / MIB:.0f} MiB")
    sk, em = rows["scikit-learn"], rows["emkit"]
    print(f"ratio scikit-learn / emkit: peak RSS {sk['peak_rss'] / em['peak_rss']:.2f}x, "
          f"tracemalloc peak {sk['tracemalloc_peak'] / em['tracemalloc_peak']:.1f}x")
    print(f"scores on the first 100,000 rows: scikit-learn {sk['score']:.10f}, "
          f"emkit {em['score']:.10f}")


if __name__ == "__main__":
    main()
