"""A Dirichlet prior on the mixture weights: MAP against scipy.optimize, log-posterior anatomy."""
import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.components import Gaussian
from emkit.engine.tree import Tree
from emkit.models import Mixture
from emkit.priors import Dirichlet

MEANS = np.array([[0.0], [3.0], [9.0]])
COVARIANCES = np.array([[[1.0]], [[1.0]], [[0.5]]])


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(m[0], 1.0, (n, 1)) for m, n in zip(MEANS, (40, 12, 3))])


def _start(weights):
    return Tree(weights=weights, components=Tree(means=MEANS, covariances=COVARIANCES))


def _direct_map(X, alpha):
    """argmax_w sum_i log sum_k w_k N(x_i | mu_k, s_k) + log Dir(w | alpha), by scipy."""
    densities = np.column_stack([stats.norm(m[0], np.sqrt(c[0, 0])).pdf(X[:, 0])
                                 for m, c in zip(MEANS, COVARIANCES)])

    def negative_log_posterior(z):
        w = np.exp(z - z.max())
        w /= w.sum()
        return -(np.sum(np.log(densities @ w)) + stats.dirichlet(alpha).logpdf(w))

    z = optimize.minimize(negative_log_posterior, np.zeros(3), method="BFGS", tol=1e-12).x
    w = np.exp(z - z.max())
    return w / w.sum()


def test_em_with_a_weight_prior_reaches_the_map_found_by_scipy():
    X, alpha = _data(), np.array([2.0, 3.0, 5.0])
    model = Mixture(Gaussian(), 3, weight_prior=Dirichlet(alpha))
    result = emkit.fit(model, X, init=_start(np.full(3, 1 / 3)), fixed={"components"},
                       tol=1e-13, max_iter=5000)
    np.testing.assert_allclose(result.params.weights, _direct_map(X, alpha), atol=1e-6)


def test_the_anatomy_tracks_the_log_posterior():
    X, prior = _data(), Dirichlet(4.0)
    model = Mixture(Gaussian(), 3, weight_prior=prior)
    result = emkit.fit(model, X, init=_start(np.array([0.2, 0.3, 0.5])), max_iter=30, tol=1e-8)
    history = result.history
    assert history.objective_name == "log-posterior"
    evidence = history.column("evidence")
    assert np.all(np.diff(evidence) >= -1e-9 * np.abs(evidence[1:]))
    log_lik = np.sum(np.log(np.column_stack([
        stats.norm(m[0], np.sqrt(c[0, 0])).pdf(X[:, 0]) for m, c in zip(
            result.params.components.means, result.params.components.covariances)])
        @ result.params.weights))
    expected = log_lik + stats.dirichlet(np.full(3, 4.0)).logpdf(result.params.weights)
    assert result.objective == pytest.approx(expected, rel=1e-10)


def test_the_components_prior_is_part_of_the_mixture_prior():
    class PenalisedGaussian(Gaussian):
        def log_prior(self, params):
            return -float(np.sum(params.means ** 2))

    params = _start(np.array([0.2, 0.3, 0.5]))
    model = Mixture(PenalisedGaussian(), 3, weight_prior=Dirichlet(2.0))
    expected = -np.sum(MEANS ** 2) + stats.dirichlet(np.full(3, 2.0)).logpdf(params.weights)
    assert model.log_prior(params) == pytest.approx(expected, rel=1e-12)


def test_fixed_weights_ignore_the_prior():
    model = Mixture(Gaussian(), 3, weight_prior=Dirichlet(5.0))
    weights = np.array([0.7, 0.2, 0.1])
    result = emkit.fit(model, _data(), init=_start(weights), fixed={"weights"}, max_iter=100)
    np.testing.assert_array_equal(result.params.weights, weights)


def test_weight_prior_must_be_a_prior():
    with pytest.raises(ValueError, match="weight_prior must be an emkit.priors.Dirichlet"):
        Mixture(Gaussian(), 2, weight_prior=2.0)
