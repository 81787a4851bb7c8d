"""emkit: latent variable models by Expectation-Maximization, with the anatomy of every fit.

The public API on one screen::

    from emkit import GaussianMixture, GaussianHMM    # drop-ins for scikit-learn and hmmlearn
    from emkit import MixtureModel, Poisson           # a mixture of any family
    from emkit import Mixture, HMM, Gaussian, fit     # the engine: any component, any model
"""
from . import datasets, priors
from .components import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Exponential,
    FactorAnalyzer,
    Gamma,
    Gaussian,
    Independent,
    LogNormal,
    MixtureEmission,
    Multinomial,
    Poisson,
    Stacked,
    StudentT,
    Uniform,
    VonMisesFisher,
)
from .engine import Block, Component, FitResult, LatentModel, Tree, fit
from .engine.online import IncrementalEM, OnlineEM
from .engine.squarem import SQUAREM
from .estimators import (
    GMMHMM,
    BernoulliMixture,
    BinomialMixture,
    CategoricalHMM,
    CategoricalMixture,
    Estimator,
    FactorAnalysis,
    GaussianHMM,
    GaussianMixture,
    MixtureModel,
    MixtureOfFactorAnalyzers,
    MultinomialHMM,
    PPCA,
    PoissonHMM,
    PoissonMixture,
    RegressionMixture,
    StudentTMixture,
)
from .exceptions import (
    AnatomyWarning,
    ComponentCollapseError,
    ComponentCollapseWarning,
    ConvergenceWarning,
    MissingDataWarning,
    ModelFileError,
    NonMonotoneWarning,
)
from .models import HMM, Mixture, RegressionMixtureModel
from .inference import SelectionTable, StandardErrors, select, standard_errors
from . import backends, sources  # noqa: E402  (after the engine, which they plug into)
from .model_file import load, save  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    # engine
    "Block", "Component", "FitResult", "LatentModel", "Tree", "fit",
    # acceleration and online EM
    "IncrementalEM", "OnlineEM", "SQUAREM",
    # models
    "HMM", "Mixture", "RegressionMixtureModel",
    # components
    "Bernoulli", "Beta", "Binomial", "Categorical", "Exponential", "FactorAnalyzer", "Gamma", "Gaussian",
    "Independent", "LogNormal", "MixtureEmission", "Multinomial", "Poisson", "Stacked",
    "StudentT", "Uniform", "VonMisesFisher",
    # estimators
    "BernoulliMixture", "BinomialMixture", "CategoricalHMM", "CategoricalMixture", "Estimator",
    "GMMHMM",
    "GaussianHMM", "GaussianMixture", "MixtureModel", "PoissonHMM", "PoissonMixture",
    "MultinomialHMM", "RegressionMixture", "StudentTMixture",
    "FactorAnalysis", "MixtureOfFactorAnalyzers", "PPCA",
    # inference
    "SelectionTable", "StandardErrors", "select", "standard_errors",
    # warnings and errors
    "AnatomyWarning", "ComponentCollapseError", "ComponentCollapseWarning",
    "ConvergenceWarning", "ModelFileError", "NonMonotoneWarning",
    "MissingDataWarning",
    # data, files and priors
    "backends", "datasets", "load", "priors", "save", "sources",
]

# Plots and reports of fitted estimators (matplotlib is imported only when one is drawn).
from . import plot, report  # noqa: E402

__all__ += ["plot", "report"]
