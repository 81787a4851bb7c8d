"""Speed of the discrete components' E-step pieces, against the alternatives and scipy.stats.

Run by hand:
    PYTHONPATH=src python benchmarks/discrete_components.py [--repeats 15] [--features 20]
        [--components 8]

For one chunk of rows (the numpy backend's default chunk size, 8192) it times, as medians:

* ``log_prob`` and ``expected_stats`` of each component;
* the alternative implementation that was not chosen (a compiled per-element loop for the
  BLAS-based families, a numpy gather / one-hot product for the compiled Categorical);
* the naive reference: ``scipy.stats.<family>.logpmf`` broadcast over (n, K, D).

BLAS is held to one thread, as the numpy backend does while its threads run chunks.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit
from scipy import special, stats
from threadpoolctl import threadpool_limits

from emkit import Bernoulli, Categorical, Poisson, Tree

N, C = 8192, 6


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


@njit(nogil=True)
def loop_poisson(X, log_rates, rate_sums, log_factorial, out):
    n, d = X.shape
    for i in range(n):
        c = 0.0
        for j in range(d):
            c += log_factorial[int(X[i, j])]
        for k in range(log_rates.shape[0]):
            s = -rate_sums[k] - c
            for j in range(d):
                s += X[i, j] * log_rates[k, j]
            out[i, k] = s


@njit(nogil=True)
def loop_bernoulli(X, log_p, log_q, out):
    n, d = X.shape
    for i in range(n):
        for k in range(log_p.shape[0]):
            s = 0.0
            for j in range(d):
                s += log_p[k, j] if X[i, j] == 1.0 else log_q[k, j]
            out[i, k] = s


def numpy_categorical(X, probs):
    log_probs, codes = np.log(probs), X.astype(np.intp)
    out = np.zeros((X.shape[0], probs.shape[0]))
    for d in range(X.shape[1]):
        out += log_probs[:, d, codes[:, d]].T
    return out


def one_hot_counts(X, W, n_categories):
    codes = X.astype(np.intp)
    counts = np.empty((W.shape[1], X.shape[1], n_categories))
    for d in range(X.shape[1]):
        counts[:, d] = W.T @ np.eye(n_categories)[codes[:, d]]
    return counts


def cases(rng, D, K):
    W = rng.dirichlet(np.ones(K), N)
    rates = rng.uniform(0.5, 8, (K, D))
    X_counts = rng.poisson(3.0, (N, D)).astype(float)
    out = np.empty((N, K))
    log_factorial = special.gammaln(np.arange(X_counts.max() + 1) + 1.0)
    poisson = Poisson()
    yield "Poisson log_prob", lambda: poisson.log_prob(Tree(rates=rates), X_counts), {
        "numba loop": lambda: loop_poisson(X_counts, np.log(rates), rates.sum(1),
                                           log_factorial, out),
        "scipy.stats": lambda: stats.poisson.logpmf(X_counts[:, None], rates).sum(-1),
    }
    yield "Poisson stats", lambda: poisson.expected_stats(None, X_counts, W), {}

    probs = rng.uniform(0.05, 0.95, (K, D))
    X_binary = (rng.uniform(size=(N, D)) < 0.4).astype(float)
    bernoulli = Bernoulli()
    yield "Bernoulli log_prob", lambda: bernoulli.log_prob(Tree(probs=probs), X_binary), {
        "numba loop": lambda: loop_bernoulli(X_binary, np.log(probs), np.log1p(-probs), out),
        "scipy.stats": lambda: stats.bernoulli.logpmf(X_binary[:, None], probs).sum(-1),
    }
    yield "Bernoulli stats", lambda: bernoulli.expected_stats(None, X_binary, W), {}

    table = rng.dirichlet(np.ones(C), (K, D))
    X_codes = rng.integers(0, C, (N, D)).astype(float)
    categorical = Categorical(C)
    yield "Categorical log_prob", lambda: categorical.log_prob(Tree(probs=table), X_codes), {
        "numpy gather": lambda: numpy_categorical(X_codes, table),
    }
    yield "Categorical stats", lambda: categorical.expected_stats(None, X_codes, W), {
        "one-hot matmul": lambda: one_hot_counts(X_codes, W, C),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--components", type=int, default=8)
    args = parser.parse_args()
    repeats, D, K = args.repeats, args.features, args.components
    rng = np.random.default_rng(0)
    print(f"one chunk: n={N}, D={D}, K={K}, C={C}; medians of {repeats} runs, BLAS 1 thread")
    with threadpool_limits(1, user_api="blas"):
        for name, ours, others in cases(rng, D, K):
            base = median_ms(ours, repeats)
            print(f"{name:<22} emkit {base:8.3f} ms")
            for label, fn in others.items():
                other = median_ms(fn, repeats)
                print(f"{'':<22} {label:<14} {other:8.3f} ms  ({other / base:5.1f}x emkit)")


if __name__ == "__main__":
    main()
