"""scikit-learn compatible estimators built on the engine."""
from .discrete_mixtures import BernoulliMixture, BinomialMixture, CategoricalMixture, PoissonMixture
from .gaussian_mixture import GaussianMixture
from .mixture_model import MixtureModel

__all__ = ["BernoulliMixture", "BinomialMixture", "CategoricalMixture", "GaussianMixture",
           "MixtureModel", "PoissonMixture"]
