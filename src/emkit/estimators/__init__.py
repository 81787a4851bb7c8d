"""scikit-learn compatible estimators built on the engine."""
from .categorical_hmm import CategoricalHMM
from .estimator import Estimator
from .discrete_mixtures import BernoulliMixture, BinomialMixture, CategoricalMixture, PoissonMixture
from .gaussian_hmm import GaussianHMM
from .gaussian_mixture import GaussianMixture
from .gmm_hmm import GMMHMM
from .hmm import HMM
from .mixture_model import MixtureModel
from .poisson_hmm import PoissonHMM
from .student_t_mixture import StudentTMixture

__all__ = ["BernoulliMixture", "BinomialMixture", "CategoricalHMM", "CategoricalMixture",
           "Estimator", "GMMHMM", "GaussianHMM", "GaussianMixture", "HMM", "MixtureModel", "PoissonHMM",
           "PoissonMixture", "StudentTMixture"]
