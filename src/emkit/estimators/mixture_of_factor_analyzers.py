"""``MixtureOfFactorAnalyzers``: clusters with low-rank-plus-diagonal covariances."""
from ..components import FactorAnalyzer
from .family import family_mixture

__all__ = ["MixtureOfFactorAnalyzers"]

MixtureOfFactorAnalyzers = family_mixture(FactorAnalyzer, __name__,
                                          name="MixtureOfFactorAnalyzers")
MixtureOfFactorAnalyzers.__doc__ += """
    Notes
    -----
    Each component is a factor analyser, ``x = means_[k] + loadings_[k] z + eps`` with
    ``z ~ N(0, I_Q)`` latent inside the component, so its covariance
    ``loadings_[k] loadings_[k]' + diag(noise_variances_[k])`` has D (Q + 1) parameters
    instead of D (D + 1) / 2: clustering in many dimensions with few rows
    (Ghahramani & Hinton 1996). ``noise="isotropic"`` gives a mixture of probabilistic PCAs
    (Tipping & Bishop 1999).

    Examples
    --------
    >>> import numpy as np, emkit
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 1)) @ rng.normal(size=(1, 10)) + 0.2 * rng.normal(
    ...     size=(200, 10)) + 5.0 * k for k in range(2)])
    >>> mfa = emkit.MixtureOfFactorAnalyzers(2, n_factors=1, random_state=0).fit(X)
    >>> mfa.loadings_.shape, np.bincount(mfa.predict(X)).tolist()
    ((2, 10, 1), [200, 200])
"""
