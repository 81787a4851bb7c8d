"""``emkit.PoissonHMM``: a drop-in for ``hmmlearn.hmm.PoissonHMM`` on the engine."""
from __future__ import annotations

import numbers

import numpy as np

from ..components.poisson import Poisson
from ..engine.constraints import positive
from ..engine.validation import check_array
from ..priors import Gamma
from ._hmm_base import HMMEstimator, hmmlearn_tail
from ._signature import positional

__all__ = ["PoissonHMM"]


def _gamma_prior(lambdas_prior, lambdas_weight):
    """hmmlearn's rate prior ``(alpha + sum x) / (beta + n)`` as emkit's Gamma(alpha + 1, beta)."""
    if not all(isinstance(v, numbers.Real) for v in (lambdas_prior, lambdas_weight)):
        raise ValueError(f"lambdas_prior and lambdas_weight must be numbers (one prior for "
                         f"every rate); got {lambdas_prior!r} and {lambdas_weight!r}.")
    if lambdas_prior == 0 and lambdas_weight == 0:
        return None
    if not (lambdas_prior >= 0 and lambdas_weight > 0):
        raise ValueError(f"lambdas_prior must be >= 0 and lambdas_weight > 0 for a proper "
                         f"Gamma prior on the rates; got {lambdas_prior!r} and "
                         f"{lambdas_weight!r}. Use 0 and 0 for none.")
    return Gamma(lambdas_prior + 1.0, lambdas_weight)


class PoissonHMM(HMMEstimator):
    """Hidden Markov model with Poisson emissions; hmmlearn's names and conventions.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    lambdas_prior, lambdas_weight : float, default=0.0
        hmmlearn's Gamma prior on the rates: the update is
        ``(lambdas_prior + sum_t g_tk x_t) / (lambdas_weight + sum_t g_tk)``, i.e. emkit's
        ``Gamma(shape=lambdas_prior + 1, rate=lambdas_weight)``. Both 0: no prior.
    algorithm, random_state, n_iter, tol, verbose
        As for :class:`~emkit.GaussianHMM`.
    params, init_params : str, default="stl"
        s startprob, t transmat, l lambdas (emkit's ``rates``).
    n_init, fixed, accelerate, n_jobs, chunk_size, backend
        As for :class:`~emkit.GaussianHMM`.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    lambdas_ : ndarray of shape (n_components, n_features)
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import PoissonHMM
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(np.repeat([1.0, 8.0, 1.0, 8.0], 100))[:, None]
    >>> hmm = PoissonHMM(2, n_iter=50, random_state=0).fit(X)
    >>> np.sort(hmm.lambdas_.ravel()).round(0)
    array([1., 8.])
    """

    _codes = {"s": "startprob", "t": "transmat", "l": "rates"}
    _attributes = {"s": "startprob_", "t": "transmat_", "l": "lambdas_"}
    _features_from = "lambdas_"

    _positional = (positional("startprob_prior", 1.0), positional("transmat_prior", 1.0),
                   positional("lambdas_prior", 0.0), positional("lambdas_weight", 0.0),
                   *hmmlearn_tail(_codes))

    def _initial_emission(self, X, codes, stream, emission=None):
        if "l" not in codes:
            return {}
        mean, variance = X.mean(), X.var()  # hmmlearn's method of moments, over all of X
        return {"lambdas_": stream().gamma(shape=mean ** 2 / variance, scale=variance / mean,
                                           size=(self.n_components, X.shape[1]))}

    def _emission(self, data=None, params=None):
        return Poisson(prior=_gamma_prior(self.lambdas_prior, self.lambdas_weight))

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        attributes = self.__dict__ if attributes is None else attributes
        if "l" not in codes or "lambdas_" not in attributes:
            return {}
        lambdas = attributes["lambdas_"]
        d = n_features if n_features is not None else np.shape(lambdas)[-1]
        return {"rates": check_array(lambdas, "lambdas_", (self.n_components, d),
                                     positive, remedy="Pass one positive rate per state and "
                                     "feature.")}

    def _row_sampler(self, emission, params):
        rates = params.rates
        return lambda state, rng: rng.poisson(rates[state])

    def _publish_emission(self, emission, params):
        self.lambdas_ = np.array(params.rates)
