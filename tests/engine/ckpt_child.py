"""A fit that checkpoints every iteration and kills itself (SIGKILL) mid-way, or resumes.

Usage: python ckpt_child.py CASE DIR {kill,after}  (after: the resumed fit, then a whole one)
Writes DIR/CASE-{resume,whole}.npz with the parameters and the anatomy (without seconds).
"""
import os
import signal
import sys

import numpy as np

import emkit
from emkit.engine import fit

KILL_AT, MAX_ITER = 6, 15


def problem(case, directory):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(300, 2), rng.randn(300, 2) * 0.7 + 2.0])
    if case == "mixture":
        return emkit.Mixture(emkit.Gaussian("full"), 3), X
    if case == "hmm":
        return emkit.HMM(emkit.Gaussian("diag"), 3), emkit.Block(X, lengths=np.array([250, 350]))
    path = os.path.join(directory, "x.npy")
    if not os.path.exists(path):
        np.save(path, X)
    return emkit.Mixture(emkit.Gaussian("diag"), 3), emkit.sources.open_source(path)


def main(case, directory, mode):
    model, data = problem(case, directory)
    checkpoint = os.path.join(directory, f"{case}.ckpt")
    options = dict(random_state=1, max_iter=MAX_ITER, tol=0.0)
    if mode == "kill":
        def die(row, params):
            if row.iteration == KILL_AT:
                os.kill(os.getpid(), signal.SIGKILL)
        fit(model, data, checkpoint=checkpoint, callbacks=[die], **options)
        return
    for name, resume in (("resume", checkpoint), ("whole", None)):
        result = fit(model, data, resume=resume, **options)
        table = np.array([[r.iteration, r.evidence, r.bound_e, r.bound_m, r.kl_gap, r.change]
                          for r in result.history])
        np.savez(os.path.join(directory, f"{case}-{name}.npz"), history=table,
                 **{f"params.{k}": v for k, v in result.params.paths().items()})


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    main(*sys.argv[1:])
