"""scikit-learn compatible estimators built on the engine."""
from .gaussian_mixture import GaussianMixture
from .mixture_model import MixtureModel

__all__ = ["GaussianMixture", "MixtureModel"]
