"""check_model passes correct models and names the guarantee a broken one breaks."""
import numpy as np
import pytest

from emkit.components import Gaussian
from emkit.engine.contracts import EStep
from emkit.engine.data import Block
from emkit.engine.posterior import DiscretePosterior
from emkit.models import Mixture
from emkit.testing import check_model, mixture_log_joint


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(0.0, 1.0, (40, 2)), rng.normal(4.0, 1.0, (40, 2))])


class WrongEntropy(Mixture):
    def e_step(self, params, block):
        step = super().e_step(params, block)
        return EStep(step.stats, step.loglik, 0.5 * step.entropy)


class ReflectedMeans(Mixture):
    """Reflects the means' update through the old means: the bound (quadratic in them) falls."""

    def m_step(self, stats, params, fixed=frozenset()):
        new = super().m_step(stats, params, fixed)
        old = params.components
        means = 2.0 * old.means - new.components.means
        return params.replace(components=old.replace(means=means))


class TemperedPosterior(Mixture):
    def posterior(self, params, block):
        posterior = super().posterior(params, block)
        resp = posterior.probabilities ** 0.9
        return DiscretePosterior(resp / resp.sum(axis=1, keepdims=True),
                                 posterior.row_log_likelihood)


def test_a_gaussian_mixture_passes():
    check_model(Mixture(Gaussian(), 2), blobs())


def test_labels_restrict_the_enumeration():
    X = blobs()
    labels = np.full(X.shape[0], -1)
    labels[[0, 2]] = [1, 0]
    check_model(Mixture(Gaussian(), 2), Block(X, labels=labels))


@pytest.mark.parametrize("broken, guarantee", [
    (WrongEntropy, "bound equals evidence"),
    (ReflectedMeans, "M-step raises the bound"),
    (TemperedPosterior, "posterior against brute-force enumeration"),
])
def test_a_broken_model_fails_the_named_guarantee(broken, guarantee):
    with pytest.raises(AssertionError, match=guarantee):
        check_model(broken(Gaussian(), 2), blobs())


def test_the_brute_force_hook_is_overridable():
    calls = []

    def log_joint(params, block, z):
        calls.append(tuple(z))
        return mixture_log_joint(model, params, block, z)

    model = Mixture(Gaussian(), 3)
    check_model(model, blobs(), log_joint=log_joint)
    assert len(calls) == 3 ** 4


def test_a_model_without_a_finite_latent_space_must_say_so():
    class Opaque(Mixture):
        pass

    model = Opaque(Gaussian(), 2)
    check_model(model, blobs(), log_joint=False)
    with pytest.raises(TypeError, match="log_joint"):
        check_model(_NotAMixture(model), blobs())


class _NotAMixture:
    """Delegates everything to a Mixture but is not one (so has no default hook)."""

    def __init__(self, model):
        self._model = model

    def __getattr__(self, name):
        return getattr(self._model, name)
