"""scikit-learn compatible estimators built on the engine."""
from .categorical_hmm import CategoricalHMM
from .gaussian_hmm import GaussianHMM
from .gaussian_mixture import GaussianMixture
from .gmm_hmm import GMMHMM
from .hmm import HMM
from .poisson_hmm import PoissonHMM

__all__ = ["CategoricalHMM", "GMMHMM", "GaussianHMM", "GaussianMixture", "HMM", "PoissonHMM"]
