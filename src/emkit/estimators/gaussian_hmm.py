"""``emkit.GaussianHMM``: a drop-in for ``hmmlearn.hmm.GaussianHMM`` on the engine."""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.cluster import KMeans

from ..components.gaussian import STRUCTURES, Gaussian, HmmlearnGaussianPrior
from ..engine.validation import check_array
from ._hmm_base import HMMEstimator, hmmlearn_tail
from ._signature import keyword, positional

__all__ = ["GaussianHMM"]


def _structured(value, covariance_type, n_states, n_features):
    """Covariances in the structure's own shape from the type's shape or full matrices."""
    structure = STRUCTURES[covariance_type]
    if n_features is None or value.shape == structure.shape(n_states, n_features):
        return value
    if value.shape != (n_states, n_features, n_features) or covariance_type == "full":
        return None
    diagonals = np.einsum("kii->ki", value)
    if covariance_type == "tied":
        return value[0] if np.allclose(value, value[0]) else None
    if not np.allclose(value, diagonals[:, :, None] * np.eye(n_features)):
        return None
    if covariance_type == "diag":
        return diagonals
    return diagonals[:, 0] if np.allclose(diagonals, diagonals[:, :1]) else None


def covariances_from_attribute(value, covariance_type, n_states, n_features, name="covars_"):
    """Validate hmmlearn-style covariances and return them in emkit's structure.

    Parameters
    ----------
    value : array-like
        Shape (K,), (D, D), (K, D) or (K, D, D) for "spherical", "tied", "diag", "full";
        full matrices (K, D, D) of the given structure are accepted for every type.
    n_features : int or None
        D; None accepts the type's shape as it is.

    Returns
    -------
    ndarray in the shape of the Gaussian component's ``covariances``
    """
    structure = STRUCTURES[covariance_type]
    array = np.asarray(value, dtype=float)
    converted = _structured(array, covariance_type, n_states, n_features)
    if converted is None:
        shape = structure.shape(n_states, n_features or "n_features")
        raise ValueError(
            f"{name} must have shape {shape} for covariance_type={covariance_type!r} (or be "
            f"({n_states}, D, D) matrices of that structure); got shape {array.shape}. "
            "Pass one covariance per state in that shape."
        )
    problem = structure.constraint().problem(converted)
    if problem:
        raise ValueError(f"{name} must be {structure.constraint().name}, but {problem}. Pass "
                         "valid covariances.")
    return converted


def tied_start_covariance(X, min_covar):
    """hmmlearn's starting covariance: ``cov(X) + min_covar I``, shape (D, D)."""
    if isinstance(min_covar, bool) or not isinstance(min_covar, numbers.Real) \
            or not min_covar >= 0:
        raise ValueError(f"min_covar must be a non-negative number (added to the diagonal of "
                         f"the starting covariances); got {min_covar!r}.")
    return np.atleast_2d(np.cov(X.T)) + min_covar * np.eye(X.shape[1])


def kmeans_means(X, n_clusters, rng):
    """hmmlearn's starting means: k-means (10 starts) centres, shape (n_clusters, D)."""
    return KMeans(n_clusters=n_clusters, random_state=rng, n_init=10).fit(X).cluster_centers_


class GaussianHMM(HMMEstimator):
    """Hidden Markov model with Gaussian emissions; hmmlearn's names and conventions.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    covariance_type : {"diag", "full", "tied", "spherical"}, default="diag"
    min_covar : float, default=1e-3
        Added to the diagonal of the starting covariances ``cov(X)`` (as hmmlearn).
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    means_prior, means_weight : float or array-like, default=0
        hmmlearn's prior on the means: ``means_weight`` pseudo-observations at
        ``means_prior`` (:class:`~emkit.components.gaussian.HmmlearnGaussianPrior`).
    covars_prior, covars_weight : float or array-like, default=1e-2 and 1
        hmmlearn's prior on the covariances: ``covars_prior`` is added to the scatter and
        ``max(covars_weight - D, 0)`` (full, tied) or ``max(covars_weight - 1, 0)`` (diag,
        spherical) to the counts of every covariance update. With all four arguments at their
        defaults the M-step is hmmlearn's; with ``covars_prior=0`` it is the plain MLE.
    implementation : {"log", "scaling"}, default="log"
        Accepted and recorded for hmmlearn code; emkit picks its own kernels, and both give
        the same numbers.
    algorithm : {"viterbi", "map"}, default="viterbi"
        Decoder used by ``predict``.
    random_state : int, RandomState or None
    n_iter : int, default=10
        Most EM iterations.
    tol : float, default=1e-2
        Stop when the total objective (log-likelihood, plus the log prior density when a
        prior is set) changes by less than ``tol`` (hmmlearn's units); a negative ``tol``
        runs all ``n_iter`` iterations.
    verbose : bool, default=False
        Print the objective after every iteration.
    params : str, default="stmc"
        Letters of the parameters updated by EM: s startprob, t transmat, m means,
        c covariances. A missing letter is emkit's ``fixed`` name in brackets.
    init_params : str, default="stmc"
        Letters initialised from the data; the others start from ``startprob_``,
        ``transmat_``, ``means_``, ``covars_`` when those are set before ``fit``.
    n_init : int, default=1
        Restarts; the fit with the highest log-likelihood is kept (emkit only).
    fixed : set of str, optional
        Parameters held at their starting values, by name ("startprob", "transmat",
        "means", "covariances"); added to those implied by ``params``.
    reg_covar : float, default=0
        emkit's own spelling of covariance regularisation (scikit-learn's): added to the
        diagonal of every covariance after every M-step, beside hmmlearn's priors above.
    on_collapse : {"raise", "keep"}, default="raise"
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` accelerates EM by SQUAREM (the same optimum in far fewer EM-map
        evaluations when states are hard to tell apart; ``n_evaluations_`` counts them);
        None is plain EM (emkit only).
    n_jobs : int, optional
        Threads for the E-step (None: as many as the process may use without
        oversubscribing the machine).
    chunk_size : int, default=8192
        Rows per E-step task, in memory and from files (whole sequences are never split);
        a Dask collection keeps its own chunks, moved to sequence ends.
    backend : Backend, default=None
        Where the E-step runs; None: the numpy backend, or Dask for a Dask collection.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    means_ : ndarray of shape (n_components, n_features)
    covars_ : ndarray of shape (n_components, n_features, n_features)
        Full matrices for every covariance type, as hmmlearn's ``covars_`` returns them.
    history_ : emkit.engine.monitor.History
        The anatomy table; ``monitor_`` holds hmmlearn's view of it.
    converged_ : bool
    n_iter_ : int
    n_evaluations_ : int
        EM-map evaluations (M-steps) of the fit (``n_iter_`` without SQUAREM).

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import GaussianHMM
    >>> rng = np.random.default_rng(0)
    >>> states = np.repeat([0, 1, 0, 1], 100)
    >>> X = rng.normal(np.array([2.0, 6.0])[states], 1.0)[:, None]
    >>> hmm = GaussianHMM(2, n_iter=50, random_state=0).fit(X, lengths=[200, 200])
    >>> np.sort(hmm.means_.ravel()).round(1)
    array([2., 6.])
    >>> hmm.predict(X, lengths=[200, 200]).shape
    (400,)
    """

    _codes = {"s": "startprob", "t": "transmat", "m": "means", "c": "covariances"}
    _attributes = {"s": "startprob_", "t": "transmat_", "m": "means_", "c": "covars_"}
    _positional = (positional("covariance_type", "diag"), positional("min_covar", 1e-3),
                   positional("startprob_prior", 1.0), positional("transmat_prior", 1.0),
                   positional("means_prior", 0), positional("means_weight", 0),
                   positional("covars_prior", 1e-2), positional("covars_weight", 1),
                   *hmmlearn_tail(_codes))
    _keyword = (keyword("reg_covar", 0.0), keyword("on_collapse", "raise"))

    def _prior(self):
        """hmmlearn's means and covariance prior (None when it changes nothing)."""
        prior = HmmlearnGaussianPrior(self.means_prior, self.means_weight, self.covars_prior,
                                      self.covars_weight)
        if prior.means_weight == 0 and not np.any(prior.covars_prior) and \
                prior.extra_weight(STRUCTURES["diag"], 1) == 0:
            return None
        return prior

    def _emission(self, data=None, params=None):
        return Gaussian(self.covariance_type, self.reg_covar, self.on_collapse,
                        prior=self._prior())

    def _initial_emission(self, X, codes, stream, emission=None):
        values = {}
        if "m" in codes:
            values["means_"] = kmeans_means(X, self.n_components, stream())
        if "c" in codes:
            covariance = tied_start_covariance(X, self.min_covar)
            values["covars_"] = {
                "spherical": np.full(self.n_components, covariance.mean()),
                "tied": covariance,
                "diag": np.tile(np.diag(covariance), (self.n_components, 1)),
                "full": np.tile(covariance, (self.n_components, 1, 1)),
            }[self.covariance_type]
        return values

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        given, k = {}, self.n_components
        attributes = self.__dict__ if attributes is None else attributes
        if "m" in codes and "means_" in attributes:
            d = n_features if n_features is not None else np.shape(attributes["means_"])[-1]
            given["means"] = check_array(attributes["means_"], "means_", (k, d),
                                         remedy="Pass one mean per state.")
            n_features = d
        if "c" in codes and "covars_" in attributes:
            given["covariances"] = covariances_from_attribute(
                attributes["covars_"], self.covariance_type, k, n_features)
        return given

    def _row_sampler(self, emission, params):
        means, covariances = params.means, emission.full_covariances(params)
        return lambda state, rng: rng.multivariate_normal(means[state], covariances[state])

    def _publish_emission(self, emission, params):
        self.means_ = np.array(params.means)
        self.covars_ = np.array(emission.full_covariances(params))
