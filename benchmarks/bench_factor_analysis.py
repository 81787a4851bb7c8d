"""emkit.FactorAnalysis against scikit-learn's: time to the same maximum likelihood.

Run by hand:
    python benchmarks/bench_factor_analysis.py [--repeats 3]

Both fit the same simulated data with the same ``tol`` on the total log-likelihood; printed
are the CPU's SIMD flags, the median wall time of each over ``--repeats`` fits, their ratio,
the iterations, and the relative difference of the final log-likelihoods. scikit-learn's
algorithm (an SVD per iteration) is not EM; emkit's iterations are EM steps with the anatomy
recorded and checked.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.decomposition import FactorAnalysis as SklearnFactorAnalysis

import emkit

SIMD_FLAGS = ("sse4_2", "avx2", "fma", "avx512f")


def simd_flags():
    try:
        with open("/proc/cpuinfo") as handle:
            words = set(handle.read().split())
    except OSError:
        return "unknown"
    return " ".join(flag for flag in SIMD_FLAGS if flag in words)


def simulated(n_samples, n_features, n_factors, seed=0):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n_features, n_factors))
    noise = rng.uniform(0.2, 1.0, n_features)
    return (rng.normal(size=(n_samples, n_factors)) @ loadings.T
            + rng.normal(size=(n_samples, n_features)) * np.sqrt(noise))


def timed(make, X, repeats):
    times, model = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        model = make().fit(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"SIMD: {simd_flags()}")
    for n_samples, n_features, n_factors in [(2000, 10, 2), (5000, 50, 5), (2000, 100, 5)]:
        X = simulated(n_samples, n_features, n_factors)
        ours_time, ours = timed(lambda: emkit.FactorAnalysis(n_factors, tol=1e-4,
                                                             max_iter=5000), X, args.repeats)
        theirs_time, theirs = timed(lambda: SklearnFactorAnalysis(n_factors, tol=1e-4,
                                                                  max_iter=5000), X,
                                    args.repeats)
        gap = (ours.loglike_[-1] - theirs.loglike_[-1]) / abs(theirs.loglike_[-1])
        print(f"n={n_samples} D={n_features} Q={n_factors}: emkit {ours_time:.3f} s "
              f"({ours.n_iter_} it), scikit-learn {theirs_time:.3f} s ({theirs.n_iter_} it), "
              f"ratio {ours_time / theirs_time:.2f}, log-likelihood gap {gap:.1e}")


if __name__ == "__main__":
    main()
