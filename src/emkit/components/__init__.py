"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .exponential import Exponential
from .gamma import Gamma
from .gaussian import Gaussian
from .lognormal import LogNormal
from .mixture_emission import MixtureEmission
from .multinomial import Multinomial
from .poisson import Poisson
from .student_t import StudentT
from .von_mises_fisher import VonMisesFisher

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Exponential", "Gamma", "Gaussian",
           "LogNormal", "MixtureEmission", "Multinomial", "Poisson", "StudentT",
           "VonMisesFisher"]
