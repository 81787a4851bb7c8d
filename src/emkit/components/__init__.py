"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .exponential import Exponential
from .factor_analyzer import FactorAnalyzer
from .gamma import Gamma
from .gaussian import Gaussian
from .independent import Independent
from .lognormal import LogNormal
from .mixture_emission import MixtureEmission
from .multinomial import Multinomial
from .poisson import Poisson
from .stacked import Stacked
from .student_t import StudentT
from .uniform import Uniform
from .von_mises_fisher import VonMisesFisher

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Exponential", "FactorAnalyzer", "Gamma", "Gaussian",
           "Independent", "LogNormal", "MixtureEmission", "Multinomial", "Poisson", "Stacked",
           "StudentT", "Uniform", "VonMisesFisher"]
