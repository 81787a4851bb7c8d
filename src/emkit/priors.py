"""Conjugate priors for MAP estimation.

A prior is a hyper-parameter of a component or model (``Poisson(prior=Gamma(2, 1))``,
``Mixture(..., weight_prior=Dirichlet(2))``). It contributes ``log_pdf(params)`` to the
objective, which the anatomy then tracks as the log-posterior, and the M-step returns the
posterior mode (MAP) instead of the MLE. Modes exist in the interior when every concentration
or shape is at least 1, which the constructors require.
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from .engine.arguments import RecordsArguments

__all__ = ["Beta", "Dirichlet", "Gamma", "check_concentration", "check_prior"]


def _at_least_one(value, name):
    array = np.asarray(value, dtype=float)
    if array.size == 0 or not np.all(np.isfinite(array)) or np.any(array < 1):
        raise ValueError(
            f"{name} must be >= 1 (so that the posterior mode is finite and in the "
            f"interior); got {value!r}. Use 1 for a flat prior."
        )
    return array


def _positive(value, name):
    array = np.asarray(value, dtype=float)
    if array.size == 0 or not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be > 0; got {value!r}.")
    return array


class Dirichlet(RecordsArguments):
    """Dirichlet(concentration) on probability vectors (the last axis).

    Parameters
    ----------
    concentration : float or array-like of shape (n_categories,)
        alpha >= 1; a float applies to every category. alpha = 1 is flat (MAP = MLE).

    Notes
    -----
    With expected counts ``N_c`` the MAP is ``(N_c + alpha_c - 1) / sum_c (N_c + alpha_c - 1)``.
    """

    def __init__(self, concentration=1.0):
        self.concentration = _at_least_one(concentration, "concentration")

    def __repr__(self):
        return f"Dirichlet(concentration={self.concentration.tolist()!r})"

    def alpha(self, n_categories):
        """Concentrations broadcast to one per category.

        Parameters
        ----------
        n_categories : int

        Returns
        -------
        ndarray of shape (n_categories,)
        """
        return np.broadcast_to(self.concentration, (n_categories,)).astype(float)

    def mode(self, counts):
        """Posterior mode from expected counts.

        Parameters
        ----------
        counts : ndarray of shape (..., n_categories)
            Expected counts.

        Returns
        -------
        ndarray of shape (..., n_categories)
            Probabilities (the last axis sums to one).
        """
        # (alpha - 1) + N: exactly N under a flat prior, so tiny counts keep their precision
        shifted = (self.alpha(counts.shape[-1]) - 1.0) + counts
        return shifted / shifted.sum(axis=-1, keepdims=True)

    def log_pdf(self, probs):
        """Log density summed over all leading axes.

        Parameters
        ----------
        probs : ndarray of shape (..., n_categories)
            Probability vectors.

        Returns
        -------
        float
        """
        alpha = self.alpha(np.shape(probs)[-1])
        log_norm = special.gammaln(alpha.sum()) - special.gammaln(alpha).sum()
        n_vectors = int(np.prod(np.shape(probs)[:-1], dtype=np.int64))
        return float(n_vectors * log_norm + np.sum(special.xlogy(alpha - 1.0, probs)))


class Beta(RecordsArguments):
    """Beta(a, b) on probabilities, elementwise.

    Parameters
    ----------
    a, b : float, default=1.0
        The shapes, at least 1 (a = b = 1 is flat: MAP = MLE).

    Notes
    -----
    With ``S`` expected successes out of ``T`` expected trials the MAP is
    ``(S + a - 1) / (T + a + b - 2)``.
    """

    def __init__(self, a=1.0, b=1.0):
        self.a = float(_at_least_one(a, "a"))
        self.b = float(_at_least_one(b, "b"))

    def __repr__(self):
        return f"Beta(a={self.a}, b={self.b})"

    def mode(self, successes, trials):
        """Posterior mode from expected successes and trials.

        Parameters
        ----------
        successes, trials : ndarray
            Expected counts, of one shape.

        Returns
        -------
        ndarray
            Probabilities of that shape.
        """
        return (successes + self.a - 1.0) / (trials + self.a + self.b - 2.0)

    def log_pdf(self, probs):
        """Log density summed over all entries of ``probs``.

        Parameters
        ----------
        probs : ndarray
            Probabilities.

        Returns
        -------
        float
        """
        probs = np.asarray(probs, dtype=float)
        log_norm = -special.betaln(self.a, self.b)
        return float(probs.size * log_norm + np.sum(special.xlogy(self.a - 1.0, probs))
                     + np.sum(special.xlog1py(self.b - 1.0, -probs)))


class Gamma(RecordsArguments):
    """Gamma(shape, rate) on positive values (rates, precisions), elementwise.

    Parameters
    ----------
    shape : float
        At least 1.
    rate : float
        Positive (an inverse scale).

    Notes
    -----
    For a Poisson rate with expected count sum ``S`` over expected exposure ``T`` the MAP is
    ``(S + shape - 1) / (T + rate)``.
    """

    def __init__(self, shape, rate):
        self.shape = float(_at_least_one(shape, "shape"))
        if not isinstance(rate, numbers.Real):
            raise ValueError(f"rate must be a positive number; got {rate!r}.")
        self.rate = float(_positive(rate, "rate"))

    def __repr__(self):
        return f"Gamma(shape={self.shape}, rate={self.rate})"

    def mode(self, total, exposure):
        """Posterior mode of a rate from a sufficient sum and its exposure.

        Parameters
        ----------
        total : ndarray
            Expected sum of the counts.
        exposure : ndarray
            Expected exposure (number of rows), of the same shape.

        Returns
        -------
        ndarray
        """
        return (total + self.shape - 1.0) / (exposure + self.rate)

    def log_pdf(self, values):
        """Log density summed over all entries of ``values``.

        Parameters
        ----------
        values : ndarray
            Positive values.

        Returns
        -------
        float
        """
        values = np.asarray(values, dtype=float)
        log_norm = self.shape * np.log(self.rate) - special.gammaln(self.shape)
        return float(values.size * log_norm + np.sum(special.xlogy(self.shape - 1.0, values))
                     - self.rate * np.sum(values))


def check_prior(prior, kind, owner):
    """Return ``prior`` if it is None or a ``kind`` (a prior class); raise ValueError otherwise.

    Parameters
    ----------
    prior : object
        The value given.
    kind : type
        The prior class expected.
    owner : str
        Names the argument in the message (``"Poisson prior"``, ``"weight_prior"``).

    Returns
    -------
    prior or None
    """
    if prior is None or isinstance(prior, kind):
        return prior
    raise ValueError(f"{owner} must be an emkit.priors.{kind.__name__} (its conjugate prior) or "
                     f"None; got {prior!r}. Pass e.g. emkit.priors.{kind.__name__}(...).")


def check_concentration(prior, n_categories, owner):
    """Raise ValueError unless a Dirichlet prior has one concentration or ``n_categories``.

    Parameters
    ----------
    prior : Dirichlet or None
        The prior.
    n_categories : int
        The number of categories.
    owner : str
        Names the argument in the message.
    """
    size = np.size(prior.concentration) if prior is not None else 1
    if size not in (1, n_categories):
        raise ValueError(f"{owner} has {size} concentrations but there are {n_categories} "
                         "categories; pass one concentration per category or a single number.")
