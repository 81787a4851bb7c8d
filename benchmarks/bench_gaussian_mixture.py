"""Time per EM iteration of emkit.GaussianMixture against scikit-learn, from the same start.

Both libraries get the same data (float64) and the same starting weights, means and precisions
(scikit-learn's own parameters after one iteration on a subsample), and run with ``tol=0``. Each
runs twice: as it comes (emkit: threads over row chunks; scikit-learn: threaded BLAS), and held
to one thread (emkit ``n_jobs=1``; scikit-learn under ``threadpool_limits(1)``). On a small or
busy machine scikit-learn's BLAS threads can be *slower* than one thread, so the headline ratio
is taken against the faster of scikit-learn's two runs.

Time per iteration is ``(T(1 + n_iter) - T(1)) / n_iter``, where ``T(m)`` is the wall time of
``fit`` with ``max_iter=m``: the difference cancels input validation, initialisation and the
final E-step, which each library does once per fit. It is printed from the median wall times
and, as "best", from the fastest ones (on a shared machine other work only ever slows a run
down); for the one-thread runs also from the CPU time of the thread that does all the work,
which other load on the machine hardly changes. The script also prints emkit's own
per-iteration seconds (``history_``) as a cross-check, and how far apart the two libraries'
fits end: mean log-likelihood and means.

Usage::

    python benchmarks/bench_gaussian_mixture.py                 # both issue workloads
    python benchmarks/bench_gaussian_mixture.py --workload full --repeats 3
    python benchmarks/bench_gaussian_mixture.py --n-samples 20000 --n-features 5 \\
        --n-components 4 --covariance-type tied --repeats 2     # a custom, small run
"""
from __future__ import annotations

import argparse
import contextlib
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from threadpoolctl import threadpool_limits

import emkit

WORKLOADS = {  # name: (n_samples, n_features, n_components, covariance_type)
    "full": (200_000, 10, 8, "full"),
    "diag": (1_000_000, 20, 16, "diag"),
}
# name: (estimator class, extra constructor arguments, context the fit runs in)
CONTENDERS = {
    "scikit-learn": (SklearnGaussianMixture, {}, contextlib.nullcontext),
    "scikit-learn, 1 thread": (SklearnGaussianMixture, {}, lambda: threadpool_limits(1)),
    "emkit": (emkit.GaussianMixture, {}, contextlib.nullcontext),
    "emkit, 1 thread": (emkit.GaussianMixture, {"n_jobs": 1}, contextlib.nullcontext),
}


def make_data(n_samples, n_features, seed):
    """Gaussian noise around five shifted copies of the origin, shape (n_samples, n_features)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X += rng.integers(0, 5, size=(n_samples, 1))
    return X


def common_start(X, n_components, covariance_type, seed):
    """Starting parameters for both libraries: scikit-learn's after one step on 5000 rows."""
    base = SklearnGaussianMixture(n_components, covariance_type=covariance_type, max_iter=1,
                                  init_params="random_from_data", random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base.fit(X[:5000])
    return dict(weights_init=base.weights_, means_init=base.means_,
                precisions_init=base.precisions_)


def timed_fit(contender, X, n_components, covariance_type, max_iter, start):
    """Fit once with ``max_iter`` iterations.

    Returns
    -------
    wall, cpu : float
        Wall seconds, and CPU seconds of the calling thread (all of the work for the
        one-thread contenders).
    model : fitted estimator
    """
    cls, extra, context = CONTENDERS[contender]
    model = cls(n_components, covariance_type=covariance_type, max_iter=max_iter, tol=0,
                init_params="random_from_data", random_state=0, **start, **extra)
    with warnings.catch_warnings(), context():
        warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never converges
        wall, cpu = time.perf_counter(), time.thread_time()
        model.fit(X)
        return time.perf_counter() - wall, time.thread_time() - cpu, model


def per_iteration(X, n_components, covariance_type, start, n_iter, repeats):
    """Seconds per iteration of every contender, from fits with repeats interleaved.

    Returns
    -------
    median, best, cpu : dict of str to float
        Seconds per iteration from the median and from the fastest wall times, and from the
        median CPU times of the calling thread.
    models : dict of str to estimator
        The last (1 + n_iter)-iteration fit of each contender.
    emkit_history : float
        Median of emkit's own per-iteration seconds (``history_``) over its long fits.
    """
    short = {name: [] for name in CONTENDERS}  # (wall, cpu) per fit
    long = {name: [] for name in CONTENDERS}
    models, history = {}, []
    args = (n_components, covariance_type)
    for _ in range(repeats):
        for name in CONTENDERS:
            short[name].append(timed_fit(name, X, *args, 1, start)[:2])
            *seconds, models[name] = timed_fit(name, X, *args, 1 + n_iter, start)
            long[name].append(seconds)
        history.extend(models["emkit"].history_.column("seconds"))

    def per_iter(reduce, column):
        return {name: (reduce(np.array(long[name])[:, column])
                       - reduce(np.array(short[name])[:, column])) / n_iter
                for name in CONTENDERS}

    return (per_iter(np.median, 0), per_iter(np.min, 0), per_iter(np.median, 1), models,
            float(np.median(history)))


def report(label, X, median, best, cpu, models, emkit_history):
    """Print one workload's timings, ratios and agreement."""
    print(label)
    print(f"  {'wall s/iter:':24}{'median':>8}{'best':>8}   (one-thread runs: CPU s/iter)")
    for name in CONTENDERS:
        note = f"   ({cpu[name]:.4f})" if "1 thread" in name else ""
        print(f"  {name:24}{median[name]:8.4f}{best[name]:8.4f}{note}")
    print(f"  (emkit's history_: median {emkit_history:.4f} s/iter)")
    for stat, table in (("median", median), ("best", best)):
        reference = min(table["scikit-learn"], table["scikit-learn, 1 thread"])
        print(f"  ratio scikit-learn / emkit, wall {stat}: {reference / table['emkit']:.2f}x "
              f"(against the faster scikit-learn run)")
    print(f"  ratio one thread each, CPU: "
          f"{cpu['scikit-learn, 1 thread'] / cpu['emkit, 1 thread']:.2f}x")
    sk, em = models["scikit-learn"], models["emkit"]
    ll_sk, ll_em = sk.score(X), em.score(X)
    means_gap = np.max(np.abs(sk.means_ - em.means_) / np.maximum(np.abs(sk.means_), 1e-300))
    print(f"  mean log-likelihood: scikit-learn {ll_sk:.12f}, emkit {ll_em:.12f}, "
          f"difference {ll_em - ll_sk:.2e} (relative {abs(ll_em - ll_sk) / abs(ll_sk):.1e})")
    print(f"  largest relative difference of means_: {means_gap:.1e}")


def run(n_samples, n_features, n_components, covariance_type, n_iter, repeats, seed):
    X = make_data(n_samples, n_features, seed)
    start = common_start(X, n_components, covariance_type, seed)
    timed_fit("emkit", X[:1000], n_components, covariance_type, 1, start)  # compile kernels
    timings = per_iteration(X, n_components, covariance_type, start, n_iter, repeats)
    label = (f"N={n_samples:,} D={n_features} K={n_components} {covariance_type}, float64, "
             f"{n_iter} iterations, {repeats} repeats")
    report(label, X, *timings)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all",
                        help="an issue workload (ignored when --n-samples is given)")
    parser.add_argument("--n-samples", type=int, help="custom workload: rows")
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--covariance-type", default="full",
                        choices=["full", "tied", "diag", "spherical"])
    parser.add_argument("--n-iter", type=int, default=10, help="iterations timed per fit")
    parser.add_argument("--repeats", type=int, default=5, help="fits per contender and length")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.n_samples:
        workloads = [(args.n_samples, args.n_features, args.n_components,
                      args.covariance_type)]
    else:
        names = list(WORKLOADS) if args.workload == "all" else [args.workload]
        workloads = [WORKLOADS[name] for name in names]
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, emkit "
          f"{emkit.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    for workload in workloads:
        run(*workload, n_iter=args.n_iter, repeats=args.repeats, seed=args.seed)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
