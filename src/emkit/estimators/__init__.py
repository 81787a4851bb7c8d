"""scikit-learn compatible estimators built on the engine, on one base (LatentEstimator)."""
from ._base import FittedState, LatentEstimator
from .categorical_hmm import CategoricalHMM
from .discrete_mixtures import BernoulliMixture, BinomialMixture, CategoricalMixture, PoissonMixture
from .estimator import Estimator
from .factor_analysis import PPCA, FactorAnalysis
from .gaussian_hmm import GaussianHMM
from .gaussian_mixture import GaussianMixture
from .gmm_hmm import GMMHMM
from .hmm import HMM
from .mixture_model import MixtureModel
from .mixture_of_factor_analyzers import MixtureOfFactorAnalyzers
from .multinomial_hmm import MultinomialHMM
from .poisson_hmm import PoissonHMM
from .regression_mixture import RegressionMixture
from .student_t_mixture import StudentTMixture

__all__ = ["BernoulliMixture", "BinomialMixture", "CategoricalHMM", "CategoricalMixture",
           "Estimator", "FactorAnalysis", "FittedState", "GMMHMM", "GaussianHMM",
           "GaussianMixture", "HMM", "LatentEstimator", "MixtureModel",
           "MixtureOfFactorAnalyzers", "MultinomialHMM", "PPCA", "PoissonHMM", "PoissonMixture",
           "RegressionMixture", "StudentTMixture"]
