"""emkit: latent variable models by Expectation-Maximization, with the anatomy of every fit.

The public API on one screen::

    from emkit import GaussianMixture          # drop-in for sklearn.mixture.GaussianMixture
    from emkit import Mixture, Gaussian, fit   # the engine: any component, any model
"""
from . import datasets
from .components import Gaussian
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
from . import sources  # noqa: E402  (after the engine, which it builds on)
from .components import Bernoulli, Binomial, Categorical, Multinomial, Poisson

__version__ = "0.1.0"

__all__ = [
    "AnatomyWarning", "Block", "Component", "ComponentCollapseError",
    "ComponentCollapseWarning", "ConvergenceWarning", "FitResult", "Gaussian",
    "GaussianMixture", "LatentModel", "Mixture", "NonMonotoneWarning", "Tree", "datasets",
    "fit", "sources",
]
__all__ += ["Bernoulli", "Binomial", "Categorical", "Multinomial", "Poisson"]
from .components import MixtureEmission  # noqa: E402
from .estimators import GMMHMM, CategoricalHMM, GaussianHMM, PoissonHMM  # noqa: E402
from .models import HMM  # noqa: E402

__all__ += ["CategoricalHMM", "GMMHMM", "GaussianHMM", "HMM", "MixtureEmission", "PoissonHMM"]
