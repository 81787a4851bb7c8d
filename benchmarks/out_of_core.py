"""Out-of-core fits: peak memory that does not grow with the rows, and streaming throughput.

Run by hand (sizes in rows; the 10^7-row file takes 0.8 GB of disk):
    PYTHONPATH=src python benchmarks/out_of_core.py memory --sizes 1000000 10000000
    PYTHONPATH=src python benchmarks/out_of_core.py throughput --rows 1000000 --repeats 3

``memory`` fits a 5-component full-covariance Gaussian mixture (D=10) from a Parquet file of
each size, each in a fresh subprocess that reports its own peak resident memory
(``VmHWM``), next to a subprocess that only imports emkit and opens the file.

``throughput`` times the same fit (same start) on the numpy backend from memory, and streamed
from Parquet, ``.npy``, Zarr (default compression) and CSV (2 threads each); it prints the
median seconds per iteration and the ratio to the in-memory fit.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import _mixture_data as data  # noqa: E402

CHUNK = 65_536


def _peak_mb():
    """Peak resident memory of this process, in MiB.

    ``VmHWM`` of /proc/self/status where there is one: unlike ``ru_maxrss`` it starts afresh
    at exec, so it does not include the parent that spawned this process.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(mode, path, max_iter):
    """Runs in a subprocess: open (and fit) the file, report peak memory and timing."""
    import emkit
    from emkit.sources import open_source

    source = open_source(path)
    report = {"rows": source.n_samples, "mode": mode}
    if mode == "fit":
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", emkit.ConvergenceWarning)
            model = emkit.GaussianMixture(data.N_COMPONENTS, tol=0, max_iter=max_iter,
                                          random_state=0, chunk_size=CHUNK, n_jobs=2)
            model.fit(source)
        report["seconds"] = time.perf_counter() - started
        report["seconds_per_iteration"] = float(np.median(model.history_.column("seconds")))
    report["peak_rss_mb"] = _peak_mb()
    print(json.dumps(report))


def _run_child(mode, path, max_iter):
    out = subprocess.run([sys.executable, __file__, "child", mode, str(path), str(max_iter)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory(args):
    folder = Path(args.folder or tempfile.mkdtemp(prefix="emkit-bench-"))
    print(f"data in {folder}")
    print(f"{'rows':>12} {'file MB':>9} {'peak RSS MB (fit)':>18} {'peak RSS MB (open only)':>24}"
          f" {'s/iter':>8}")
    for n_rows in args.sizes:
        path = data.parquet(n_rows, folder)
        opened = _run_child("open", path, args.max_iter)
        fitted = _run_child("fit", path, args.max_iter)
        size = path.stat().st_size / 2**20
        print(f"{n_rows:>12,} {size:>9.0f} {fitted['peak_rss_mb']:>18.0f} "
              f"{opened['peak_rss_mb']:>24.0f} {fitted['seconds_per_iteration']:>8.2f}",
              flush=True)


def _per_iteration(fit_once, repeats):
    times = []
    for _ in range(repeats):
        times.extend(fit_once().history.column("seconds"))
    return float(np.median(times))


def _write_npy(X, folder):
    path = folder / f"mixture-{len(X)}.npy"
    np.save(path, X)
    return path


def _write_zarr(X, folder):
    import zarr

    path = folder / f"mixture-{len(X)}.zarr"
    array = zarr.open_array(str(path), mode="w", shape=X.shape, chunks=(CHUNK, X.shape[1]),
                            dtype="f8")
    array[:] = X
    return path


def _write_csv(X, folder):
    path = folder / f"mixture-{len(X)}.csv"
    if not path.exists():
        import pandas as pd

        pd.DataFrame(X, columns=data.COLUMNS).to_csv(path, index=False, float_format="%.17g")
    return path


def throughput(args):
    import emkit
    from emkit.backends import NumpyBackend
    from emkit.engine import Block, run_em
    from emkit.sources import open_source

    folder = Path(args.folder or tempfile.mkdtemp(prefix="emkit-bench-"))
    X = data.in_memory(args.rows)
    sources = {"in memory": X,
               "parquet (streamed)": open_source(data.parquet(args.rows, folder)),
               "npy (streamed)": open_source(_write_npy(X, folder)),
               "zarr (streamed)": open_source(_write_zarr(X, folder)),
               "csv (streamed)": open_source(_write_csv(X, folder))}
    model = emkit.Mixture(emkit.Gaussian("full"), data.N_COMPONENTS)
    start = model.init_params(Block(X[:100_000]), np.random.RandomState(0))
    backend = NumpyBackend(chunk_size=CHUNK, n_jobs=2)
    run_em(model, X[:10_000], start, backend=backend, max_iter=1)  # compile the kernels
    medians = {}
    for name, source in sources.items():
        medians[name] = _per_iteration(
            lambda: run_em(model, source, start, backend=backend, tol=0, max_iter=args.iters),
            args.repeats)
    base = medians["in memory"]
    print(f"{args.rows:,} rows x {data.N_FEATURES}, K={data.N_COMPONENTS} full, 2 threads, "
          f"chunk {CHUNK}; median of {args.repeats} x {args.iters} iterations")
    for name, seconds in medians.items():
        print(f"  {name:<20} {seconds:8.3f} s/iteration   ratio {seconds / base:5.2f}")


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "child":
        return child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["memory", "throughput"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--max-iter", type=int, default=3)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", help="where to write the data (default: a temp folder)")
    args = parser.parse_args(argv)
    memory(args) if args.what == "memory" else throughput(args)


if __name__ == "__main__":
    main()
