"""Two small HMM problems shared by the tests of HMM estimators outside memory (Dask, files):
the data, its sequence lengths, an estimator and a common start, so that every route is
compared with the in-memory fit of the same rows from the same parameters."""
import warnings

import numpy as np

from emkit.estimators import GaussianHMM, PoissonHMM

N_ITER = 8


def _states(rng, lengths):
    return [np.cumsum(rng.random(n) < 0.1) % 2 for n in lengths]


def gaussian_case(seed=3, **options):
    """Twelve sequences of 20..79 rows from a 2-state Gaussian HMM, and a starting model.

    Returns
    -------
    estimator, X (n_samples, 2), lengths (12,), start (dict of fitted-attribute arrays)
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 80, size=12)
    X = np.concatenate([rng.normal(1.5 * s[:, None], 1.0, size=(len(s), 2))
                        for s in _states(rng, lengths)])
    start = dict(startprob_=np.array([0.6, 0.4]), transmat_=np.array([[0.8, 0.2], [0.3, 0.7]]),
                 means_=np.array([[-0.5, 0.0], [2.0, 1.0]]),
                 covars_=np.array([[1.5, 1.0], [0.8, 1.2]]))
    return GaussianHMM(2, init_params="", n_iter=N_ITER, tol=0.0, **options), X, lengths, start


def poisson_case(seed=4, **options):
    """Twelve sequences of 3 Poisson counts per row from a 2-state HMM, and a starting model."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 80, size=12)
    X = np.concatenate([rng.poisson(np.where(s[:, None], 7.0, 2.0), size=(len(s), 3))
                        for s in _states(rng, lengths)]).astype(float)
    start = dict(startprob_=np.array([0.5, 0.5]), transmat_=np.array([[0.7, 0.3], [0.4, 0.6]]),
                 lambdas_=np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 8.0]]))
    return PoissonHMM(2, init_params="", n_iter=N_ITER, tol=0.0, **options), X, lengths, start


def fit_from(estimator, start, X, lengths=None):
    """Set the starting attributes on the estimator and fit it (every iteration runs)."""
    for name, value in start.items():
        setattr(estimator, name, value.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=0: the ConvergenceWarning is expected
        return estimator.fit(X, lengths)
