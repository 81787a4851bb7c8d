"""Information criteria for model selection, in one place (estimators and the command line).

Each is ``-2 log L`` plus a penalty; lower is better (scikit-learn's sign: mclust reports
``-bic``).
"""
from __future__ import annotations

import numpy as np

from ..engine.posterior import DiscretePosterior, SequencePosterior

__all__ = ["aic", "bic", "classification_entropy", "icl"]


def bic(log_likelihood: float, n_parameters: int, n_samples: float) -> float:
    """Bayesian information criterion ``-2 log L + n_parameters log n_samples``.

    Parameters
    ----------
    log_likelihood : float
        ``log p(X | params)``, summed over the rows (or sequences).
    n_parameters : int
        Free parameters of the model.
    n_samples : float
        Rows of X (or their total weight).
    """
    return -2.0 * float(log_likelihood) + n_parameters * np.log(n_samples)


def aic(log_likelihood: float, n_parameters: int) -> float:
    """Akaike information criterion ``-2 log L + 2 n_parameters``."""
    return -2.0 * float(log_likelihood) + 2.0 * n_parameters


def icl(log_likelihood: float, n_parameters: int, n_samples: float,
        classification_entropy: float) -> float:
    """Integrated completed likelihood ``BIC + 2 * classification_entropy`` (Biernacki,
    Celeux & Govaert 2000), lower is better.

    Parameters
    ----------
    log_likelihood, n_parameters, n_samples
        As for :func:`bic`.
    classification_entropy : float
        What the latent assignment costs, from :func:`classification_entropy`.
    """
    return bic(log_likelihood, n_parameters, n_samples) + 2.0 * float(classification_entropy)


def classification_entropy(posterior, block=None) -> float:
    """The ICL penalty of one block's posterior (sum over its rows, unweighted like BIC).

    For a discrete latent variable per row this is mclust's ``-sum_i log q_i(z_i)`` at the
    most probable ``z_i`` of each row, so that :func:`icl` equals mclust's ICL; for sequences
    (HMM paths) and continuous latent variables, where no row-wise labelling exists, it is the
    posterior's entropy ``H(q)``.

    Parameters
    ----------
    posterior : Posterior
        ``model.posterior(params, block)``.
    block : Block, optional
        The block's rows, for the entropy of non-discrete posteriors.
    """
    if isinstance(posterior, DiscretePosterior) and not isinstance(posterior,
                                                                   SequencePosterior):
        with np.errstate(divide="ignore"):
            return float(-np.sum(np.log(posterior.probabilities.max(axis=1))))
    return float(posterior.total_entropy(block))
