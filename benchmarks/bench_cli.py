"""Wall time of the ``emkit`` command on a 2-million-row Parquet file: fit, predict, report.

Each command runs as a fresh process (``python -m emkit``), as a user types it, so the
times include starting Python and importing emkit; the import alone is timed too
(``emkit --version``) so that it can be subtracted. The reference is the same work done in
the library from one Python process (``GaussianMixture.fit`` on the array in memory,
``predict``), printed as a ratio.

    python benchmarks/bench_cli.py                       # 2,000,000 rows, 3 features, K=3
    python benchmarks/bench_cli.py --rows 200000 --repeats 1

Prints the median wall seconds of each command over ``--repeats`` runs.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_table(path, n_rows, n_features, seed=0):
    """Three Gaussian clusters, plus an ``id`` column, written as Parquet."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (3, n_features))
    labels = rng.integers(0, 3, n_rows)
    X = centres[labels] + rng.normal(size=(n_rows, n_features))
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(n_features)])
    frame.insert(0, "id", np.arange(n_rows))
    frame.to_parquet(path, index=False, row_group_size=1 << 17)
    return X


def timed(argv, env):
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "emkit", *map(str, argv)], env=env,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"emkit {' '.join(map(str, argv))} failed: {run.stderr}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1)
    options = parser.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    flags = subprocess.run(["grep", "-o", "-w", "-E", "avx512f|avx2|fma|sse4_2",
                            "/proc/cpuinfo"], capture_output=True, text=True).stdout.split()
    print(f"CPU SIMD flags: {sorted(set(flags))}; cores: {os.cpu_count()}; "
          f"load average: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        data, model = folder / "data.parquet", folder / "model"
        X = make_table(data, options.rows, options.features)
        print(f"{options.rows:,} rows x {options.features} features (+ id), "
              f"{data.stat().st_size / 1e6:.0f} MB Parquet")
        commands = {
            "import (emkit --version)": ["--version"],
            "fit -k 3 (streamed)": ["fit", data, "--columns", ",".join(
                f"f{j}" for j in range(options.features)), "-k", 3, "--random-state", 0,
                "--max-iter", 30, "-o", model, "--force", "-q"],
            "predict --id-column id -o preds.parquet": ["predict", model, data, "--id-column",
                                                        "id", "-o", folder / "preds.parquet",
                                                        "-q"],
            "report -o report.html": ["report", model, data, "-o", folder / "report.html"],
        }
        medians = {}
        for name, argv in commands.items():
            times = [timed(argv, env) for _ in range(options.repeats)]
            medians[name] = float(np.median(times))
            print(f"{name:45s} {medians[name]:8.2f} s  (runs: "
                  f"{', '.join(f'{t:.2f}' for t in times)})")
        sys.path.insert(0, src)
        import emkit

        fitted = emkit.load(model)
        started = time.perf_counter()
        library = emkit.GaussianMixture(3, random_state=0, max_iter=30).fit(X)
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        library.predict(X)
        predict_seconds = time.perf_counter() - started
        print(f"library, in memory: fit {fit_seconds:.2f} s ({library.n_iter_} iterations; "
              f"command: {fitted.n_iter_}), predict {predict_seconds:.2f} s")
        base = medians["import (emkit --version)"]
        for name, seconds in (("fit -k 3 (streamed)", fit_seconds),
                              ("predict --id-column id -o preds.parquet", predict_seconds)):
            beyond = medians[name] - base
            ratio = f"{beyond / seconds:.2f}x the library" if beyond > 0 else \
                "within the noise of the import time"
            print(f"{name}: {beyond:.2f} s beyond the import, {ratio}")


if __name__ == "__main__":
    main()
