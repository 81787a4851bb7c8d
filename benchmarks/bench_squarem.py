"""SQUAREM against plain EM on three slowly converging problems (issue 10).

    PYTHONPATH=src python benchmarks/bench_squarem.py [--repeats 3]

For each problem both drivers start from the same parameters and stop on the same rule
(no unconstrained coordinate moving by more than 1e-8 in an EM step, the tolerance
of Varadhan and Roland's comparisons). Printed: EM-map
evaluations (M-steps), E-step passes over the data (SQUAREM's failed jumps cost one each),
the median wall time, the ratios, and the largest difference of the two optima in the flat
parameter vector. The problems:

* a two-component Poisson mixture of heavily overlapping counts (Hasselblad's death notices,
  the example of Varadhan and Roland 2008);
* a Gaussian mixture of two overlapping components (means 1.5 standard deviations apart,
  diagonal covariances);
* a Poisson HMM whose two states are near-identical (rates 3 and 5, switching often);
* with ``--hard``, also problems where SQUAREM's gain is smaller: a Poisson mixture whose
  likelihood is a flat ridge (about 4x fewer EM-map evaluations), and full-covariance GMMs of
  the same kind of data (2.5x to 7x): the EM map has slow and fast directions at once there,
  and the monotone safeguard turns down the long jumps that overshoot the fast ones.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import time

import numpy as np

import emkit
from emkit.backends import NumpyBackend
from emkit.engine import Geometry, ParameterChange

RULE = ParameterChange(1e-8)


class CountingBackend(NumpyBackend):
    """The numpy backend, counting the passes over the data (E-steps)."""

    passes = 0

    def map_reduce(self, *args, **kwargs):
        CountingBackend.passes += 1
        return super().map_reduce(*args, **kwargs)


def poisson_problem():
    """Hasselblad's death notices (deaths a day in The Times, 1910-1912), the two-component
    Poisson mixture Varadhan and Roland (2008) accelerate, from their starting point."""
    counts = np.array([162, 267, 271, 185, 111, 61, 27, 8, 3, 1], dtype=float)
    data = emkit.Block(np.arange(10.0)[:, None], weights=counts)
    start = emkit.Tree(weights=np.array([0.3, 0.7]),
                       components=emkit.Tree(rates=np.array([[1.0], [2.5]])))
    return "Poisson mixture, death notices", emkit.Mixture(emkit.Poisson(), 2), data, start


def gmm_problem(covariance_type="diag", seed=1):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([0.0, 0.0], 1.0, (500, 2)),
                   rng.normal([1.5, 0.0], 1.0, (500, 2))])
    model = emkit.Mixture(emkit.Gaussian(covariance_type), 2)
    return f"GMM ({covariance_type}, seed {seed}), overlapping components", model, X, \
        model.init_params(emkit.Block(X), np.random.RandomState(0))


def hmm_problem():
    rng = np.random.default_rng(2)
    transmat, rates = np.array([[0.7, 0.3], [0.3, 0.7]]), np.array([3.0, 5.0])
    states = [0]
    for _ in range(1999):
        states.append(rng.choice(2, p=transmat[states[-1]]))
    X = rng.poisson(rates[states])[:, None].astype(float)
    data = emkit.Block(X, lengths=np.array([1000, 1000]))
    model = emkit.HMM(emkit.Poisson(), 2)
    return "Poisson HMM, near-identical states", model, data, model.init_params(
        data, np.random.RandomState(0))


def hard_poisson_problem():
    """Synthetic counts (rates 3 and 4.5) whose likelihood is a long flat ridge: EM's map
    has slow and fast directions at once, and SQUAREM's long jumps overshoot the fast ones."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.poisson(3.0, 800), rng.poisson(4.5, 1200)])[:, None].astype(float)
    start = emkit.Tree(weights=np.array([0.5, 0.5]),
                       components=emkit.Tree(rates=np.array([[2.0], [6.0]])))
    return "Poisson mixture, flat ridge (hard)", emkit.Mixture(emkit.Poisson(), 2), X, start


def run(model, data, start, accelerate):
    CountingBackend.passes = 0
    began = time.perf_counter()
    result = emkit.fit(model, data, init=start, stopping=RULE, max_iter=200_000,
                       accelerate=accelerate, backend=CountingBackend(n_jobs=1))
    return result, time.perf_counter() - began, CountingBackend.passes


def compare(problem, repeats):
    name, model, data, start = problem
    outcome = {}
    for accelerate in (None, "squarem"):
        runs = [run(model, data, start, accelerate) for _ in range(repeats)]
        result, _, passes = runs[0]
        outcome[accelerate] = (result, statistics.median(t for _, t, _ in runs), passes)
    (plain, plain_time, plain_passes), (fast, fast_time, fast_passes) = outcome.values()
    geometry = Geometry(model.constraints(), plain.params)
    gap = np.max(np.abs(geometry.flatten(fast.params) - geometry.flatten(plain.params)))
    print(f"\n{name}  (n_samples={int(plain.n_samples)})")
    print(f"  {'':10s} {'EM-map evals':>13s} {'E-steps':>9s} {'seconds':>9s} "
          f"{'log-likelihood':>17s} converged")
    for label, (result, seconds, passes) in (("plain EM", outcome[None]),
                                             ("SQUAREM", outcome["squarem"])):
        print(f"  {label:10s} {result.n_evaluations:>13d} {passes:>9d} {seconds:>9.3f} "
              f"{result.log_likelihood:>17.8f} {result.converged}")
    evaluations = plain.n_evaluations / fast.n_evaluations
    print(f"  ratio plain/SQUAREM: EM-map evaluations {evaluations:.1f}x, E-steps "
          f"{plain_passes / fast_passes:.1f}x, wall time {plain_time / fast_time:.1f}x; largest "
          f"parameter difference {gap:.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per driver")
    parser.add_argument("--hard", action="store_true", help="add the flat-ridge problem")
    arguments = parser.parse_args()
    repeats = arguments.repeats
    flags = subprocess.run("grep -o -w -E 'avx512f|avx2|fma|sse4_2' /proc/cpuinfo | sort -u",
                           shell=True, capture_output=True, text=True).stdout.split()
    print(f"CPU SIMD flags: {' '.join(flags)}; median of {repeats} runs; one thread")
    problems = [poisson_problem(), gmm_problem(), hmm_problem()]
    hard = [hard_poisson_problem(), gmm_problem("full", 1), gmm_problem("full", 3)]
    for problem in problems + (hard if arguments.hard else []):
        compare(problem, repeats)


if __name__ == "__main__":
    main()
