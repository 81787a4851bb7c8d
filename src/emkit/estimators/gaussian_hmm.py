"""``emkit.GaussianHMM``: a drop-in for ``hmmlearn.hmm.GaussianHMM`` on the engine."""
from __future__ import annotations

import numpy as np

from ..components.gaussian import STRUCTURES, Gaussian
from ..engine.validation import check_array
from ._hmm_base import HMMEstimator
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


class GaussianHMM(HMMEstimator):
    """Hidden Markov model with Gaussian emissions; hmmlearn's names and conventions.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    covariance_type : {"diag", "full", "tied", "spherical"}, default="diag"
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in every M-step (hmmlearn's ``min_covar``
        only floors the starting covariances, and its ``covars_prior`` acts as a prior; set
        ``reg_covar=0`` and hmmlearn's ``covars_prior=0`` to compute the same thing).
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    algorithm : {"viterbi", "map"}, default="viterbi"
        Decoder used by ``predict``.
    random_state : int, RandomState or None
    n_iter : int, default=10
        Most EM iterations.
    tol : float, default=1e-2
        Stop when the total log-likelihood (hmmlearn's convention) changes by less than
        ``tol``; emkit's engine receives ``tol / n_samples`` for its per-sample criterion.
    verbose : bool, default=False
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
    """

    _codes = {"s": "startprob", "t": "transmat", "m": "means", "c": "covariances"}
    _positional = (positional("covariance_type", "diag"),)
    _keyword = (keyword("reg_covar", 1e-6), keyword("on_collapse", "raise"))

    def _emission(self, data=None, params=None):
        return Gaussian(self.covariance_type, self.reg_covar, self.on_collapse)

    def _emission_from_attributes(self, codes, n_features=None):
        given, k = {}, self.n_components
        if "m" in codes and "means_" in self.__dict__:
            d = n_features if n_features is not None else np.shape(self.means_)[-1]
            given["means"] = check_array(self.means_, "means_", (k, d),
                                         remedy="Pass one mean per state.")
            n_features = d
        if "c" in codes and "covars_" in self.__dict__:
            given["covariances"] = covariances_from_attribute(
                self.covars_, self.covariance_type, k, n_features)
        return given

    def _publish_emission(self, emission, params):
        self.means_ = np.array(params.means)
        self.covars_ = np.array(emission.full_covariances(params))
