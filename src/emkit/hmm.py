"""hmmlearn's ``hmm`` module, on emkit: ``from emkit import hmm`` in place of
``from hmmlearn import hmm`` leaves the rest of hmmlearn code unchanged.

Holds the five estimators named after hmmlearn's (see ``docs/migrating.md``).
"""
from .estimators import GMMHMM, CategoricalHMM, GaussianHMM, MultinomialHMM, PoissonHMM

__all__ = ["CategoricalHMM", "GMMHMM", "GaussianHMM", "MultinomialHMM", "PoissonHMM"]
