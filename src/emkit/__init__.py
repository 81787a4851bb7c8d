"""emkit: latent variable models by Expectation-Maximization, with the anatomy of every fit.

The public API on one screen::

    from emkit import GaussianMixture          # drop-in for sklearn.mixture.GaussianMixture
    from emkit import Mixture, Gaussian, fit   # the engine: any component, any model
"""
from . import datasets
from .components import Gaussian
from .components import Beta, Exponential, Gamma, LogNormal, StudentT, VonMisesFisher
from .engine import Block, Component, FitResult, LatentModel, Tree, fit
from .estimators import GaussianMixture
from .exceptions import (
    AnatomyWarning,
    ComponentCollapseError,
    ComponentCollapseWarning,
    ConvergenceWarning,
    NonMonotoneWarning,
)
from .models import Mixture
from .components import Bernoulli, Binomial, Categorical, Multinomial, Poisson

__version__ = "0.1.0"

__all__ = [
    "AnatomyWarning", "Block", "Component", "ComponentCollapseError",
    "ComponentCollapseWarning", "ConvergenceWarning", "FitResult", "Gaussian",
    "GaussianMixture", "LatentModel", "Mixture", "NonMonotoneWarning", "Tree", "datasets",
    "fit",
]
__all__ += ["Bernoulli", "Binomial", "Categorical", "Multinomial", "Poisson"]
__all__ += ["Beta", "Exponential", "Gamma", "LogNormal", "StudentT", "VonMisesFisher"]
