"""``FactorAnalysis`` (a drop-in for scikit-learn's) and ``PPCA``, fitted by EM."""
from __future__ import annotations

import numpy as np

from ._factor_base import FactorEstimator
from ._rotation import ROTATIONS

__all__ = ["PPCA", "FactorAnalysis"]

_SHARED_ATTRIBUTES = """\
    mean_ : ndarray of shape (n_features,)
    n_iter_ : int
        Number of EM iterations.
    loglike_ : list of float
        The total log-likelihood at each iteration's parameters.
    converged_ : bool
    history_ : emkit.engine.monitor.History
        The anatomy of the fit: evidence, bound after the E-step (equal to the evidence) and
        after the M-step, KL gap, per iteration.
    result_ : emkit.engine.em.FitResult
    model_ : emkit.models.FactorAnalysis
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when X has string column names.
"""

_SHARED_PARAMETERS = """\
    svd_method : {"lapack", "randomized"}, default="randomized"
        How the starting loadings (the principal axes) are found: a full eigendecomposition,
        or a randomized SVD (faster for many features).
    iterated_power : int, default=3
        Power iterations of the randomized SVD.
    random_state : int, RandomState instance or None, default=0
        Seeds the randomized SVD (and the random start).
    n_jobs : int, default=None
        Threads for the E-step.
    chunk_size : int, default=8192
        Rows per E-step chunk.
    backend : Backend, default=None
        Where the E-step runs; None: the numpy backend, or Dask for a Dask collection.
"""


class FactorAnalysis(FactorEstimator):
    """Factor analysis fitted by EM; a drop-in for ``sklearn.decomposition.FactorAnalysis``.

    The model is ``x = mean + W z + eps``, ``z ~ N(0, I)``, ``eps ~ N(0, diag(psi))``; the
    factors z are latent variables whose Gaussian posterior is the E-step, so every fit has
    its anatomy (``history_``).

    Parameters
    ----------
    n_components : int, default=None
        Number of factors; None means n_features. More than n_features is an error.
    tol : float, default=1e-2
        Stop when the total log-likelihood rises by less than ``tol`` in an iteration (as
        scikit-learn).
    copy : bool, default=True
        Accepted for compatibility: emkit never writes to X, whatever its value.
    max_iter : int, default=1000
        Most EM iterations.
    noise_variance_init : array-like of shape (n_features,), default=None
        Starting noise variances; None starts from the principal axes of the standardised
        data.
{shared}    rotation : {{"varimax", "quartimax"}}, default=None
        Rotate ``components_`` after fitting (the likelihood does not change).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The loadings W' (rotated if ``rotation`` is set).
    noise_variance_ : ndarray of shape (n_features,)
{attributes}
    Notes
    -----
    scikit-learn fits the same likelihood by alternating an SVD with a noise update; this is
    EM (Rubin & Thayer 1982), which reaches the same maximum. The factors' posterior is
    ``N(M^-1 W' Psi^-1 (x - mean), M^-1)``, ``M = I + W' Psi^-1 W``; ``transform`` returns its
    means.

    Examples
    --------
    >>> import numpy as np, emkit
    >>> rng = np.random.default_rng(0)
    >>> W = rng.normal(size=(6, 2))
    >>> X = rng.normal(size=(500, 2)) @ W.T + 0.3 * rng.normal(size=(500, 6))
    >>> fa = emkit.FactorAnalysis(n_components=2).fit(X)
    >>> fa.transform(X).shape
    (500, 2)
    >>> bool(abs(fa.history_[-1].bound_e - fa.history_[-1].evidence) < 1e-8)
    True
    """

    def __init__(self, n_components=None, *, tol=1e-2, copy=True, max_iter=1000,
                 noise_variance_init=None, svd_method="randomized", iterated_power=3,
                 rotation=None, random_state=0, n_jobs=None, chunk_size=8192, backend=None):
        self.n_components = n_components
        self.tol = tol
        self.copy = copy
        self.max_iter = max_iter
        self.noise_variance_init = noise_variance_init
        self.svd_method = svd_method
        self.iterated_power = iterated_power
        self.rotation = rotation
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.backend = backend

    def _check_hyper_parameters(self, n_samples):
        super()._check_hyper_parameters(n_samples)
        if self.rotation is not None and self.rotation not in ROTATIONS:
            raise ValueError(f"rotation must be None or one of {sorted(ROTATIONS)}; got "
                             f"{self.rotation!r}.")

    def _model_arguments(self):
        return dict(noise="diagonal", noise_variance_init=self.noise_variance_init)

    def _noise_attribute(self, noise):
        return np.array(noise)


class PPCA(FactorEstimator):
    """Probabilistic PCA fitted by EM: factor analysis with isotropic noise.

    The model is ``x = mean + W z + eps``, ``z ~ N(0, I)``, ``eps ~ N(0, sigma^2 I)``. At the
    maximum the columns of W span the top principal subspace and ``sigma^2`` is the mean of
    the discarded eigenvalues of the covariance (Tipping & Bishop 1999).

    Parameters
    ----------
    n_components : int, default=None
        Number of factors; None means n_features. More than n_features is an error.
    tol : float, default=1e-2
        Stop when the total log-likelihood rises by less than ``tol`` in an iteration.
    max_iter : int, default=1000
        Most EM iterations.
    init : {{"pca", "random"}}, default="pca"
        Start from the principal axes (which for PPCA is already the maximum: EM then only
        confirms it), or from random loadings.
{shared}
    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The loadings W' (orthogonal rows, ordered by the variance they explain only up to
        EM's rotation: W is identified up to a rotation of the factors).
    noise_variance_ : float
        ``sigma^2``.
{attributes}
    Examples
    --------
    >>> import numpy as np, emkit
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)) @ rng.normal(size=(2, 5)) + 0.1 * rng.normal(size=(400, 5))
    >>> ppca = emkit.PPCA(n_components=2, init="random", tol=1e-8).fit(X)
    >>> ppca.components_.shape, round(float(ppca.noise_variance_), 2)
    ((2, 5), 0.01)
    """

    def __init__(self, n_components=None, *, tol=1e-2, max_iter=1000, init="pca",
                 svd_method="randomized", iterated_power=3, random_state=0, n_jobs=None,
                 chunk_size=8192, backend=None):
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.init = init
        self.svd_method = svd_method
        self.iterated_power = iterated_power
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.backend = backend

    def _model_arguments(self):
        return dict(noise="isotropic", init=self.init)

    def _noise_attribute(self, noise):
        return float(noise)


FactorAnalysis.__doc__ = FactorAnalysis.__doc__.format(shared=_SHARED_PARAMETERS,
                                                       attributes=_SHARED_ATTRIBUTES)
PPCA.__doc__ = PPCA.__doc__.format(shared=_SHARED_PARAMETERS, attributes=_SHARED_ATTRIBUTES)
