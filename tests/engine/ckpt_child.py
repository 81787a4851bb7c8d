"""A fit that checkpoints every iteration and kills itself (SIGKILL) mid-way, or resumes.

Usage: python ckpt_child.py CASE DIR {kill,after}  (after: the resumed fit, then a whole one)

Engine cases (``emkit.engine.fit``): mixture, hmm, streamed. They write
DIR/CASE-{resume,whole}.npz with the parameters and the anatomy (without seconds).

Estimator cases (``estimator.fit(checkpoint=, resume=)``): gmm (GaussianMixture in memory),
ghmm (GaussianHMM), gmm-csv (a GaussianMixture streamed from a CSV file by
``emkit.sources.open_source``). They write the same files, plus the estimator's own record of
the fit (``lower_bounds_``, hmmlearn's ``monitor_.history``).

The command line: cli (``emkit fit --checkpoint``, then ``--resume``). It writes the model
files DIR/cli-{resume,whole}.emk.

The engine cases die in a callback at iteration KILL_AT; the estimator and command-line cases
die inside the KILL_AT-th checkpoint write (before it), since they take no callbacks.
"""
import os
import signal
import sys

import numpy as np

import emkit
import emkit.engine.checkpoint
from emkit.engine import fit

KILL_AT, MAX_ITER = 6, 15
ENGINE_CASES = ("mixture", "hmm", "streamed")
ESTIMATOR_CASES = ("gmm", "ghmm", "gmm-csv")


def data(directory, suffix):
    """The rows every case fits, and (for the file cases) the file holding them."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(300, 2), rng.randn(300, 2) * 0.7 + 2.0])
    path = os.path.join(directory, f"x.{suffix}")
    if not os.path.exists(path):
        if suffix == "npy":
            np.save(path, X)
        else:
            np.savetxt(path, X, delimiter=",", header="a,b", comments="", fmt="%.17g")
    return X, path


def problem(case, directory):
    X, path = data(directory, "npy")
    if case == "mixture":
        return emkit.Mixture(emkit.Gaussian("full"), 3), X
    if case == "hmm":
        return emkit.HMM(emkit.Gaussian("diag"), 3), emkit.Block(X, lengths=np.array([250, 350]))
    return emkit.Mixture(emkit.Gaussian("diag"), 3), emkit.sources.open_source(path)


def estimator_problem(case, directory):
    """``(make estimator, X, fit inputs)``: convergence comes after the kill, so that the
    resumed fit's stopping decisions (hmmlearn's rule keeps the last gain) are tested too."""
    X, path = data(directory, "csv")
    if case == "gmm":
        return lambda: emkit.GaussianMixture(3, tol=1e-4, random_state=1), X, {}
    if case == "ghmm":
        return (lambda: emkit.GaussianHMM(3, n_iter=50, tol=1e-3, random_state=1), X,
                {"lengths": np.array([250, 350])})
    return (lambda: emkit.GaussianMixture(3, covariance_type="diag", tol=1e-5, random_state=1),
            emkit.sources.open_source(path), {})


def cli_arguments(directory, output, **options):
    _, path = data(directory, "csv")
    arguments = ["fit", path, "-k", "3", "--covariance-type", "diag", "--random-state", "1",
                 "--tol", "1e-4", "--max-iter", "40", "-o", os.path.join(directory, output),
                 "--force", "-q", "--no-progress"]
    for name, value in options.items():
        arguments += [f"--{name}", value]
    return arguments


def kill_at_write(number):
    """Make the ``number``-th checkpoint write kill the process before it writes."""
    real, count = emkit.engine.checkpoint.write_checkpoint, [0]

    def write(path, state):
        count[0] += 1
        if count[0] == number:
            os.kill(os.getpid(), signal.SIGKILL)
        real(path, state)

    emkit.engine.checkpoint.write_checkpoint = write


def anatomy(history):
    """The anatomy without the seconds column, shape (n_iter, 6)."""
    return np.array([[r.iteration, r.evidence, r.bound_e, r.bound_m, r.kl_gap, r.change]
                     for r in history]).reshape(-1, 6)


def estimator_record(estimator):
    """Everything an estimator's fit sets that must not depend on an interruption."""
    record = {f"params.{k}": v
              for k, v in estimator.get_fitted_state().params.paths().items()}
    record.update(history=anatomy(estimator.history_), n_iter=estimator.n_iter_,
                  converged=estimator.converged_)
    if hasattr(estimator, "lower_bounds_"):
        record["lower_bounds"] = np.array(estimator.lower_bounds_)
    if hasattr(estimator, "monitor_"):
        record["monitor_history"] = np.array(estimator.monitor_.history)
    return record


def main_engine(case, directory, mode):
    model, data_ = problem(case, directory)
    checkpoint = os.path.join(directory, f"{case}.ckpt")
    options = dict(random_state=1, max_iter=MAX_ITER, tol=0.0)
    if mode == "kill":
        def die(row, params):
            if row.iteration == KILL_AT:
                os.kill(os.getpid(), signal.SIGKILL)
        fit(model, data_, checkpoint=checkpoint, callbacks=[die], **options)
        return
    for name, resume in (("resume", checkpoint), ("whole", None)):
        result = fit(model, data_, resume=resume, **options)
        np.savez(os.path.join(directory, f"{case}-{name}.npz"), history=anatomy(result.history),
                 **{f"params.{k}": v for k, v in result.params.paths().items()})


def main_estimator(case, directory, mode):
    make, X, inputs = estimator_problem(case, directory)
    checkpoint = os.path.join(directory, f"{case}.ckpt")
    if mode == "kill":
        kill_at_write(KILL_AT)
        make().fit(X, checkpoint=checkpoint, **inputs)
        return
    for name, resume in (("resume", checkpoint), ("whole", None)):
        estimator = make().fit(X, resume=resume, **inputs)
        np.savez(os.path.join(directory, f"{case}-{name}.npz"), **estimator_record(estimator))


def main_cli(directory, mode):
    from emkit.cli import main as emkit_main

    checkpoint = os.path.join(directory, "cli.ckpt")
    if mode == "kill":
        kill_at_write(KILL_AT)
        emkit_main(cli_arguments(directory, "cli-killed.emk", checkpoint=checkpoint))
        return
    for name, options in (("resume", {"resume": checkpoint}), ("whole", {})):
        status = emkit_main(cli_arguments(directory, f"cli-{name}.emk", **options))
        if status != 0:
            sys.exit(status)


def main(case, directory, mode):
    if case in ENGINE_CASES:
        main_engine(case, directory, mode)
    elif case in ESTIMATOR_CASES:
        main_estimator(case, directory, mode)
    else:
        main_cli(directory, mode)


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    main(*sys.argv[1:])
