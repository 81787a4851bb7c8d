"""emkit: latent variable models by Expectation-Maximization, with the anatomy of every fit.

The public API on one screen::

    from emkit import GaussianMixture          # drop-in for sklearn.mixture.GaussianMixture
    from emkit import MixtureModel, Uniform    # any component(s), scikit-learn compatible
    from emkit import Mixture, Gaussian, fit   # the engine: any component, any model
    from emkit.testing import check_component  # the conformance kit for your own component
"""
from . import datasets
from .components import (
    Bernoulli, Binomial, Categorical, Gaussian, Independent, Multinomial, Poisson, Stacked, Uniform,
)
from .engine import Block, Component, FitResult, LatentModel, Tree, fit
from .estimators import (
    BernoulliMixture, BinomialMixture, CategoricalMixture, GaussianMixture, MixtureModel,
    PoissonMixture,
)
from .exceptions import (
    AnatomyWarning,
    ComponentCollapseError,
    ComponentCollapseWarning,
    ConvergenceWarning,
    NonMonotoneWarning,
)
from .models import Mixture

__version__ = "0.1.0"

__all__ = [
    "AnatomyWarning", "Bernoulli", "BernoulliMixture", "Binomial", "BinomialMixture", "Block",
    "Categorical", "CategoricalMixture", "Component",
    "ComponentCollapseError", "ComponentCollapseWarning", "ConvergenceWarning", "FitResult",
    "Gaussian", "GaussianMixture", "Independent", "LatentModel", "Mixture", "MixtureModel",
    "Multinomial", "NonMonotoneWarning", "Poisson", "PoissonMixture", "Stacked", "Tree",
    "Uniform", "datasets", "fit",
]
