"""Information criteria for model selection, in one place (estimators and the command line).

Both are ``-2 log L`` plus a penalty on the number of free parameters; lower is better.
"""
from __future__ import annotations

import numpy as np

__all__ = ["aic", "bic"]


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
