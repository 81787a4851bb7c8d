"""Mixture estimators of the discrete families: ``BernoulliMixture``, ``CategoricalMixture``,
``PoissonMixture``, ``BinomialMixture`` (each a MixtureModel of one family, with its name)."""
from ..components import Bernoulli, Binomial, Categorical, Poisson
from .family import family_mixture

__all__ = ["BernoulliMixture", "BinomialMixture", "CategoricalMixture", "PoissonMixture"]

BernoulliMixture = family_mixture(Bernoulli, __name__, examples="""\
    >>> import numpy as np
    >>> from emkit import BernoulliMixture
    >>> rng = np.random.default_rng(0)
    >>> p = np.repeat([[0.9, 0.9, 0.1, 0.1], [0.1, 0.1, 0.9, 0.9]], [200, 100], axis=0)
    >>> X = (rng.random((300, 4)) < p).astype(float)
    >>> np.sort(BernoulliMixture(2, random_state=0).fit(X).weights_).round(2)
    array([0.35, 0.65])
""")
BinomialMixture = family_mixture(Binomial, __name__, examples="""\
    >>> import numpy as np
    >>> from emkit import BinomialMixture
    >>> rng = np.random.default_rng(0)
    >>> X = rng.binomial(10, np.repeat([0.2, 0.7], 150))[:, None]
    >>> model = BinomialMixture(2, n_trials=10, random_state=0).fit(X)
    >>> np.sort(model.probs_.ravel()).round(1)
    array([0.2, 0.7])
""")
CategoricalMixture = family_mixture(Categorical, __name__, examples="""\
    >>> import numpy as np
    >>> from emkit import CategoricalMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.choice(4, 200, p=[0.7, 0.1, 0.1, 0.1]),
    ...                     rng.choice(4, 100, p=[0.1, 0.1, 0.1, 0.7])])[:, None]
    >>> model = CategoricalMixture(2, n_categories=4, random_state=0).fit(X)
    >>> model.probs_.shape
    (2, 1, 4)
""")
PoissonMixture = family_mixture(Poisson, __name__, examples="""\
    >>> import numpy as np
    >>> from emkit import PoissonMixture
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(np.repeat([2.0, 10.0], [300, 100]))[:, None]
    >>> model = PoissonMixture(2, random_state=0).fit(X)
    >>> np.sort(model.rates_.ravel()).round(0)
    array([ 2., 10.])
""")
