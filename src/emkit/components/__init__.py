"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical
from .gaussian import Gaussian
from .independent import Independent
from .multinomial import Multinomial
from .poisson import Poisson
from .stacked import Stacked
from .uniform import Uniform

__all__ = ["Bernoulli", "Binomial", "Categorical", "Gaussian", "Independent", "Multinomial",
           "Poisson", "Stacked", "Uniform"]
