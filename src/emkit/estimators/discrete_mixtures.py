"""Mixture estimators of the discrete families: ``BernoulliMixture``, ``CategoricalMixture``,
``PoissonMixture``, ``BinomialMixture`` (each a MixtureModel of one family, with its name)."""
from ..components import Bernoulli, Binomial, Categorical, Poisson
from .family import family_mixture

__all__ = ["BernoulliMixture", "BinomialMixture", "CategoricalMixture", "PoissonMixture"]

BernoulliMixture = family_mixture(Bernoulli, __name__)
BinomialMixture = family_mixture(Binomial, __name__)
CategoricalMixture = family_mixture(Categorical, __name__)
PoissonMixture = family_mixture(Poisson, __name__)
