"""E-step time of the VonMisesFisher, Gamma and Poisson components, N = 200k rows (run by hand).

Times what a mixture's E-step asks of the component: ``densities`` then
``stats_from_densities``, at moderate parameters and with one very tight component, or large
counts (where the stable forms of issue 13 do extra work). Prints the median and the minimum over repeats
(the minimum is the steadier figure on a shared machine) and the CPU's SIMD flags. BLAS is held
to one thread, as the engine's backend holds it during a fit (with two OpenBLAS threads on a
busy machine a small matrix product can take 30x longer, which would time the machine). Compare
two checkouts with ``PYTHONPATH=<src> python benchmarks/bench_tight_components.py``.
"""
import argparse
import re
import statistics
import time

import numpy as np

import emkit
from emkit import Tree
from emkit.backends.numpy_backend import blas_single_thread


def simd_flags():
    try:
        with open("/proc/cpuinfo") as info:
            text = info.read()
    except OSError:
        return "unknown"
    return " ".join(sorted(set(re.findall(r"\b(avx512f|avx2|fma|sse4_2)\b", text))))


def e_step_seconds(component, params, X, repeats):
    weights = np.random.default_rng(1).dirichlet(np.ones(params_size(params)), len(X))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        densities = component.densities(params, X)
        component.stats_from_densities(params, X, weights, densities)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def params_size(params):
    return len(next(iter(params.values())))


def unit(rows):
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def cases(n):
    rng = np.random.default_rng(0)
    for d, k in ((3, 4), (64, 8)):
        mu = unit(rng.standard_normal((k, d)))
        labels = rng.integers(k, size=n)
        for kappas in ([50.0] * k, [50.0] * (k - 1) + [1e10]):
            kappa = np.array(kappas)
            X = unit(mu[labels] + rng.standard_normal((n, d)) / np.sqrt(kappa[labels])[:, None])
            yield (f"VonMisesFisher D={d} K={k} kappa max {kappa.max():g}", emkit.VonMisesFisher(),
                   Tree(mean_directions=mu, concentrations=kappa), X)
    for shapes in ([2.0, 5.0, 0.7, 3.0], [2.0, 5.0, 0.7, 1e10]):
        a = np.repeat(np.array(shapes)[:, None], 3, axis=1)
        X = rng.gamma(2.0, 1.0, (n, 3))
        X[: n // 4] = 5.0 * (1 + rng.standard_normal((n // 4, 3)) * 1e-5)
        yield (f"Gamma D=3 K=4 shape max {a.max():g}", emkit.Gamma(),
               Tree(shapes=a, rates=a / 5.0), X)


def poisson_cases(n):
    rng = np.random.default_rng(0)
    for scale in (5.0, 300.0, 1e6, 1e9):
        rates = scale * rng.uniform(0.5, 2.0, (4, 5))
        X = rng.poisson(rates[rng.integers(4, size=n)]).astype(float)
        yield f"Poisson D=5 K=4 rates ~{scale:g}", emkit.Poisson(), Tree(rates=rates), X


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"emkit {emkit.__file__}; SIMD: {simd_flags()}; N={args.rows}")
    for name, component, params, X in (*cases(args.rows), *poisson_cases(args.rows)):
        with blas_single_thread():
            median, best = e_step_seconds(component, params, X, args.repeats)
        print(f"{name:45s} E-step median {1e3 * median:8.2f} ms, min {1e3 * best:8.2f} ms")


if __name__ == "__main__":
    main()
