"""Gamma's statistics (run by hand): the start's peak memory and the E-step on tight data.

The start (no parameters) on N x 10, K = 8: the peak traced memory of
``Gamma().expected_stats(None, X, weights)`` beside the data's size, for ordinary data and
for data that are all tight (where the stable form is summed block by block of rows). Then
the E-step (``densities`` + ``stats_from_densities``) with one component of moderate shape
(5e3) holding tight data, the case whose statistics take the stable form from the data.
Compare two checkouts with ``PYTHONPATH=<src> python benchmarks/bench_gamma_statistics.py``.
"""
import argparse
import statistics
import time
import tracemalloc

import numpy as np
from bench_tight_components import simd_flags

import emkit
from emkit import Tree


def start_peak(X, weights):
    tracemalloc.start()
    try:
        start = time.perf_counter()
        emkit.Gamma().expected_stats(None, X, weights)
        seconds = time.perf_counter() - start
        return tracemalloc.get_traced_memory()[1], seconds
    finally:
        tracemalloc.stop()


def tight_e_step(n, repeats):
    rng = np.random.default_rng(5)
    X = rng.gamma(2.0, 1.0, (n, 3))
    X[: n // 4] = 5.0 * (1 + rng.standard_normal((n // 4, 3)) * 1e-5)
    shapes = np.repeat(np.array([2.0, 5.0, 0.7, 5e3])[:, None], 3, axis=1)
    params = Tree(shapes=shapes, rates=shapes / 5.0)
    weights = rng.dirichlet(np.ones(4), n)
    weights[n // 4:, -1] = 1e-12  # the tight rows are the last component's
    weights[: n // 4] = 1e-9
    weights[: n // 4, -1] = 1 - 3e-9
    component, times = emkit.Gamma(), []
    for _ in range(repeats):
        start = time.perf_counter()
        component.stats_from_densities(params, X, weights, component.densities(params, X))
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    n = args.rows
    print(f"emkit {emkit.__file__}; SIMD: {simd_flags()}; N={n}")
    rng = np.random.default_rng(0)
    for name, X in (("gamma(2, 1) data", rng.gamma(2.0, 1.0, (n, 10))),
                    ("all tight (1e-6)", 5.0 * (1 + 1e-6 * rng.standard_normal((n, 10))))):
        weights = rng.dirichlet(np.ones(8), n)
        peak, seconds = start_peak(X, weights)
        print(f"start, {name:17s} K=8: peak {peak / 2**20:7.1f} MiB (data {X.nbytes / 2**20:.1f}"
              f" MiB, weights {weights.nbytes / 2**20:.1f} MiB), {seconds:.2f} s")
    median, best = tight_e_step(n, args.repeats)
    print(f"E-step D=3 K=4, tight data at shape 5e3: median {1e3 * median:.2f} ms, "
          f"min {1e3 * best:.2f} ms")


if __name__ == "__main__":
    main()
