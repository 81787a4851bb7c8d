"""Baum-Welch per iteration: emkit's GaussianHMM against hmmlearn on the same data and start.

Run by hand:
    PYTHONPATH=src python benchmarks/bench_hmm.py [--sequences 50] [--steps 10000]
        [--features 4] [--states 8] [--iterations 8] [--threads N]

Data: ``--sequences`` sequences of ``--steps`` rows drawn from a diagonal-Gaussian HMM.
Both libraries start from the same parameters (hmmlearn with ``init_params=""`` and
``covars_prior=0``, emkit with ``reg_covar=0``), run the same number of iterations with no
tolerance stop, and must end at the same log-likelihood. An iteration is one E-step
(forward-backward over every sequence) plus one M-step in both. Printed: the median seconds
per iteration (the first iteration, which includes compilation and set-up, is left out) and
the ratio hmmlearn / emkit, for hmmlearn's default ("log") and its "scaling" implementation,
and for emkit on one thread and on ``--threads`` threads (all cores by default).
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
from hmmlearn import hmm
from hmmlearn.base import ConvergenceMonitor

from emkit.estimators import GaussianHMM


class TimedMonitor(ConvergenceMonitor):
    """hmmlearn's monitor, also recording when each iteration ends."""

    def report(self, log_prob):
        super().report(log_prob)
        self.stamps.append(time.perf_counter())

    def _reset(self):
        super()._reset()
        self.stamps = [time.perf_counter()]


def make_problem(n_sequences, n_steps, n_features, n_states, seed=0):
    """Data from a random diagonal-Gaussian HMM, and a perturbed starting point."""
    rng = np.random.RandomState(seed)
    truth = hmm.GaussianHMM(n_states, "diag", init_params="")
    truth.startprob_ = np.full(n_states, 1.0 / n_states)
    truth.transmat_ = 0.9 * np.eye(n_states) + 0.1 * rng.dirichlet(np.ones(n_states), n_states)
    truth.means_ = 1.5 * rng.normal(size=(n_states, n_features))
    truth.covars_ = rng.uniform(0.5, 2.0, size=(n_states, n_features))
    X = np.concatenate([truth.sample(n_steps, random_state=seed + s)[0]
                        for s in range(n_sequences)])
    start = dict(startprob_=np.full(n_states, 1.0 / n_states),
                 transmat_=0.5 * np.eye(n_states) + 0.5 / n_states,
                 means_=truth.means_ + rng.normal(scale=0.5, size=truth.means_.shape),
                 covars_=np.ones((n_states, n_features)))
    return X, np.full(n_sequences, n_steps), start


def time_hmmlearn(X, lengths, start, n_iter, implementation):
    model = hmm.GaussianHMM(len(start["startprob_"]), "diag", covars_prior=0.0,
                            init_params="", n_iter=n_iter, tol=-np.inf,
                            implementation=implementation)
    for name, value in start.items():
        setattr(model, name, value.copy())
    model.monitor_ = TimedMonitor(model.tol, n_iter, False)
    model.fit(X, lengths)
    return np.diff(model.monitor_.stamps)[1:], model.score(X, lengths)


def time_emkit(X, lengths, start, n_iter, n_jobs):
    model = GaussianHMM(len(start["startprob_"]), "diag", covars_prior=0.0, init_params="",
                        n_iter=n_iter, tol=-np.inf, n_jobs=n_jobs)
    for name, value in start.items():
        setattr(model, name, value.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no tolerance stop: a ConvergenceWarning
        model.fit(X, lengths)
    return model.history_.column("seconds")[1:], model.score(X, lengths)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=50)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--states", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    X, lengths, start = make_problem(args.sequences, args.steps, args.features, args.states)
    print(f"{args.sequences} sequences x {args.steps} steps, D={args.features}, "
          f"K={args.states}, diagonal Gaussian; {args.iterations} iterations, "
          f"median of iterations 2..{args.iterations}; {os.cpu_count()} cores")
    time_emkit(X[:2000], [2000], start, 2, 1)  # compile the kernels outside the timing
    results = {
        "hmmlearn (log)": time_hmmlearn(X, lengths, start, args.iterations, "log"),
        "hmmlearn (scaling)": time_hmmlearn(X, lengths, start, args.iterations, "scaling"),
        "emkit, 1 thread": time_emkit(X, lengths, start, args.iterations, 1),
        f"emkit, {args.threads} threads": time_emkit(X, lengths, start, args.iterations,
                                                     args.threads),
    }
    reference = results["hmmlearn (log)"][1]
    print(f"{'':<22}{'s / iteration':>14}{'final log-likelihood':>24}{'vs log':>9}"
          f"{'vs scaling':>12}")
    medians = {name: float(np.median(seconds)) for name, (seconds, _) in results.items()}
    for name, (seconds, score) in results.items():
        print(f"{name:<22}{medians[name]:>14.4f}{score:>24.6f}"
              f"{medians['hmmlearn (log)'] / medians[name]:>8.1f}x"
              f"{medians['hmmlearn (scaling)'] / medians[name]:>11.1f}x")
    worst = max(abs(score - reference) / abs(reference) for _, score in results.values())
    print(f"largest relative difference in final log-likelihood: {worst:.2e}")


if __name__ == "__main__":
    main()
