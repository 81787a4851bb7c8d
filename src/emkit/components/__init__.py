"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .gaussian import Gaussian
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical
from .multinomial import Multinomial
from .poisson import Poisson

__all__ = ["Gaussian"]
__all__ += ["Bernoulli", "Binomial", "Categorical", "Multinomial", "Poisson"]
from .mixture_emission import MixtureEmission  # noqa: E402

__all__ += ["MixtureEmission"]
