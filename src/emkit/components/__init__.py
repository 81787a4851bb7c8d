"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .beta import Beta
from .exponential import Exponential
from .gamma import Gamma
from .gaussian import Gaussian
from .lognormal import LogNormal
from .student_t import StudentT
from .von_mises_fisher import VonMisesFisher

__all__ = ["Beta", "Exponential", "Gamma", "Gaussian", "LogNormal", "StudentT",
           "VonMisesFisher"]
