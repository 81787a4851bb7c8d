"""The von Mises-Fisher component against scipy.stats.vonmises_fisher, quadrature and
direct maximisation."""
import numpy as np
import pytest
from scipy import integrate, special, stats

import emkit
from emkit import Tree
from emkit.components.von_mises_fisher import log_normaliser, mean_resultant_length
from emkit.exceptions import ComponentCollapseError

from component_checks import (assert_conditional_m_step_maximises, assert_log_densities_match,
                              fit_simulated, reference_log_prob)


def unit(rows):
    rows = np.asarray(rows, dtype=float)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


PARAMS = Tree(mean_directions=unit([[1.0, 0.0, 0.0], [0.3, -1.0, 0.5]]),
              concentrations=np.array([2.0, 40.0]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = stats.vonmises_fisher(unit([1.0, 1.0, 0.0]), 3.0).rvs(60, random_state=rng)
    weights = rng.uniform(0.1, 1.0, size=(60, 2))
    return X, weights


def vmf_law(params, k):
    return stats.vonmises_fisher(params.mean_directions[k], params.concentrations[k])


@pytest.mark.parametrize("n_features", [2, 3, 6])
@pytest.mark.parametrize("kappa", [1e-3, 0.7, 30.0, 5e3])
def test_log_prob_matches_scipy(n_features, kappa):
    rng = np.random.default_rng(1)
    mu = unit(rng.standard_normal((1, n_features)))
    X = unit(rng.standard_normal((20, n_features)))
    params = Tree(mean_directions=mu, concentrations=np.array([kappa]))
    expected = reference_log_prob(vmf_law, params, X, n_components=1)
    np.testing.assert_allclose(emkit.VonMisesFisher().log_prob(params, X), expected,
                               rtol=1e-11, atol=1e-11)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("n_features, kappa", [(3, 2.0), (50, 1e-3), (1000, 50.0),
                                               (1000, 500.0), (3000, 1000.0), (5, 3000.0)])
def test_normaliser_and_mean_resultant_by_quadrature(n_features, kappa):
    """The density of t = mu'x integrates to 1 and has mean A_D(kappa), in every regime
    (including D in the thousands, where scipy's normaliser overflows)."""
    d = n_features
    log_sphere = np.log(2.0) + 0.5 * (d - 1) * np.log(np.pi) - special.gammaln(0.5 * (d - 1))
    log_c = float(log_normaliser(np.array([kappa]), d)[0])
    mean = float(mean_resultant_length(np.array([kappa]), d)[0])

    def density(t):
        return np.exp(log_c + log_sphere + kappa * t + 0.5 * (d - 3) * np.log1p(-t * t))

    options = dict(points=[mean], epsabs=0, epsrel=1e-13, limit=200)
    total, _ = integrate.quad(density, -1, 1, **options)
    first_moment, _ = integrate.quad(lambda t: t * density(t), -1, 1, **options)
    assert total == pytest.approx(1.0, abs=1e-10)
    assert first_moment == pytest.approx(mean, rel=1e-10, abs=1e-13)


def test_conditional_m_steps(data):
    X, weights = data
    component = emkit.VonMisesFisher()
    aligned = PARAMS.replace(mean_directions=unit([[1.0, 0.5, 0.0], [0.5, 1.0, 0.2]]))
    assert_conditional_m_step_maximises(component, vmf_law, aligned, X, weights,
                                        {"mean_directions"})
    held_kappa = assert_conditional_m_step_maximises(component, vmf_law, PARAMS, X, weights,
                                                     {"concentrations"})
    # given kappa > 0 the best direction does not depend on kappa
    free = component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS)
    np.testing.assert_allclose(held_kappa.mean_directions, free.mean_directions, rtol=1e-14)


def test_fixed_direction_opposite_to_the_data_collapses(data):
    X, weights = data
    component = emkit.VonMisesFisher()
    opposite = PARAMS.replace(mean_directions=unit([[-1.0, -1.0, 0.0], [1.0, 1.0, 0.0]]))
    stats_ = component.expected_stats(opposite, X, weights)
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed.*do not point "
                                                     "along its fixed mean direction"):
        component.m_step(stats_, opposite, fixed={"mean_directions"})


def test_log_densities_match_scipy_to_eleven_digits(data):
    X, weights = data
    other = Tree(mean_directions=unit([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]),
                 concentrations=np.array([0.5, 7.0]))
    assert_log_densities_match(emkit.VonMisesFisher(), vmf_law, PARAMS, other, X, weights,
                               log_prob_rtol=1e-11)


def test_samples_follow_the_density():
    """In D = 3, t = mu'x has CDF (exp(kappa t) - exp(-kappa)) / (exp(kappa) - exp(-kappa))
    and the direction orthogonal to mu is uniform; in D = 10 the cosines match scipy's."""
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], 3000)
    X = emkit.VonMisesFisher().sample(PARAMS, labels, rng)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    for k in range(2):
        mu, kappa = PARAMS.mean_directions[k], PARAMS.concentrations[k]
        t = X[labels == k] @ mu

        def cdf(s, kappa=kappa):
            return np.expm1(kappa * (s + 1)) / np.expm1(2 * kappa)

        assert stats.kstest(t, cdf).pvalue > 1e-3
        basis = np.linalg.svd(mu[None])[2][1:]  # orthonormal basis of the plane normal to mu
        angle = np.arctan2(*(X[labels == k] @ basis.T).T)
        assert stats.kstest(angle, stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-3
    mu10 = unit(np.arange(1.0, 11.0))
    ours = emkit.VonMisesFisher().sample(Tree(mean_directions=mu10[None],
                                              concentrations=np.array([15.0])),
                                         np.zeros(3000, int), rng) @ mu10
    reference = stats.vonmises_fisher(mu10, 15.0).rvs(3000, random_state=rng) @ mu10
    assert stats.ks_2samp(ours, reference).pvalue > 1e-3


def test_em_recovers_the_parameters_with_exact_anatomy():
    truth = Tree(mean_directions=unit([[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]),
                 concentrations=np.array([10.0, 40.0]))
    result = fit_simulated(emkit.VonMisesFisher(), truth, [0.45, 0.55], 3000, seed=3,
                           tol=1e-10, max_iter=300)
    fitted = result.params.components
    order = np.argsort(-fitted.mean_directions[:, 0])
    np.testing.assert_allclose(fitted.mean_directions[order], truth.mean_directions, atol=0.02)
    np.testing.assert_allclose(fitted.concentrations[order], truth.concentrations, rtol=0.1)
    np.testing.assert_allclose(result.params.weights[order], [0.45, 0.55], atol=0.03)


def test_identical_directions_collapse():
    X = unit([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    component = emkit.VonMisesFisher()
    params = Tree(mean_directions=unit([[1.0, 0.0], [0.0, 1.0]]), concentrations=np.ones(2))
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed: its directions "
                                                     "are all equal"):
        component.m_step(component.expected_stats(params, X, weights), params)


def test_rows_must_be_unit_vectors():
    X = unit(np.ones((4, 3)))
    X[2] *= 1.5
    with pytest.raises(ValueError, match=r"X row 2 has Euclidean norm 1.5.*VonMisesFisher "
                                         r"component.*norm 1.*Normalise the rows"):
        emkit.VonMisesFisher().validate(X)


def test_nan_and_one_feature_are_rejected():
    X = unit(np.ones((4, 3)))
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match="X column 0 has NaN at row .*VonMisesFisher component"):
        emkit.VonMisesFisher().validate(X)
    with pytest.raises(ValueError, match="D >= 2"):
        emkit.VonMisesFisher().validate(np.ones((3, 1)))
