"""The multivariate Student-t component: density, inner E-step, bound and ECM M-step.

References: scipy.stats.multivariate_t for the density; quadrature over the latent scale u
(scipy.stats.gamma.expect) for the bound; scipy.optimize for the maximisers.
"""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit import Block, Tree

from component_checks import assert_em_anatomy, maximise_over

SCALES = np.array([[[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.7]],
                   [[1.0, -0.3, 0.1], [-0.3, 0.5, 0.0], [0.1, 0.0, 3.0]]])
PARAMS = Tree(means=np.array([[0.0, 1.0, -1.0], [1.0, -1.0, 2.0]]), scales=SCALES,
              dofs=np.array([3.0, 25.0]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = stats.multivariate_t(np.zeros(3), np.eye(3), df=4).rvs(50, random_state=rng)
    weights = rng.uniform(0.1, 1.0, size=(50, 2))
    return X, weights


def scipy_log_prob(X, params):
    return np.stack([stats.multivariate_t(m, s, df=nu).logpdf(X) for m, s, nu in
                     zip(params.means, params.scales, params.dofs)], axis=1)


# scipy subtracts two log-gammas of about 5e5 at 1e5 dofs, which costs it ~1e-11
@pytest.mark.parametrize("dofs, atol", [((3.0, 25.0), 0.0), ((0.5, 1e5), 1e-10)])
def test_log_prob_matches_scipy(data, dofs, atol):
    X, _ = data
    params = PARAMS.replace(dofs=np.array(dofs))
    np.testing.assert_allclose(emkit.StudentT().log_prob(params, X),
                               scipy_log_prob(X, params), rtol=1e-12, atol=atol)


def test_bound_at_the_e_step_parameters_is_the_evidence(data):
    X, weights = data
    component = emkit.StudentT()
    stats_ = component.expected_stats(PARAMS, X, weights)
    expected = np.sum(weights * scipy_log_prob(X, PARAMS))
    assert component.expected_log_prob(stats_, PARAMS) == pytest.approx(expected, rel=1e-12)


def quadrature_bound(X, weights, q_params, params):
    """sum_ik w_ik (E_q[log p(x_i, u | theta_k)] + H(q)), q = p(u | x, q_params), by quad."""
    n_features, total = X.shape[1], 0.0
    delta_q = _mahalanobis(X, q_params)
    for k in range(len(params.dofs)):
        nu_q, nu = q_params.dofs[k], params.dofs[k]
        prior_u = stats.gamma(nu / 2, scale=2 / nu)
        for i, x in enumerate(X):
            q = stats.gamma((nu_q + n_features) / 2, scale=2 / (nu_q + delta_q[i, k]))

            def log_joint(u):
                normal = stats.multivariate_normal(params.means[k], params.scales[k] / u)
                return normal.logpdf(x) + prior_u.logpdf(u)

            total += weights[i, k] * (q.expect(log_joint, epsabs=1e-12, epsrel=1e-12)
                                      + q.entropy())
    return total


def _mahalanobis(X, params):
    return np.stack([np.einsum("ij,ij->i", X - m, np.linalg.solve(s, (X - m).T).T)
                     for m, s in zip(params.means, params.scales)], axis=1)


def test_bound_at_other_parameters_matches_quadrature_over_u(data):
    X, weights = data
    X, weights = X[:6], weights[:6]
    component = emkit.StudentT()
    stats_ = component.expected_stats(PARAMS, X, weights)
    other = Tree(means=PARAMS.means + 0.4, scales=SCALES * 1.3, dofs=np.array([7.0, 2.5]))
    expected = quadrature_bound(X, weights, PARAMS, other)
    assert component.expected_log_prob(stats_, other) == pytest.approx(expected, rel=1e-8)


def test_m_step_maximises_the_bound(data):
    X, weights = data
    X, w = X[:, :2], weights[:, :1]
    component = emkit.StudentT(reg_covar=0.0)
    start = Tree(means=np.array([[0.3, -0.2]]), scales=np.array([[[1.5, 0.2], [0.2, 0.8]]]),
                 dofs=np.array([6.0]))
    stats_ = component.expected_stats(start, X, w)
    new = component.m_step(stats_, start)
    best = maximise_over(lambda params: component.expected_log_prob(stats_, params),
                         component.constraints(), start, polish=False)
    np.testing.assert_allclose(new.means[0], best.means[0], atol=1e-6)
    np.testing.assert_allclose(new.scales[0], best.scales[0], rtol=1e-5)
    assert new.dofs[0] == pytest.approx(best.dofs[0], rel=1e-5)
    assert component.expected_log_prob(stats_, new) > component.expected_log_prob(stats_, start)


def test_em_fixed_point_is_the_weighted_mle(data):
    X, weights = data
    X, w = X[:, :2], weights[:, 0]
    model = emkit.Mixture(emkit.StudentT(reg_covar=0.0), 1)
    result = emkit.fit(model, Block(X, weights=w), random_state=0, tol=1e-13, max_iter=3000)
    assert_em_anatomy(result)

    def loglik(params):
        return np.sum(w * scipy_log_prob(X, params)[:, 0])

    fitted = result.params.components
    start = Tree(means=np.zeros((1, 2)), scales=np.eye(2)[None], dofs=np.array([5.0]))
    best = maximise_over(loglik, model.component.constraints(), start, polish=False)
    np.testing.assert_allclose(fitted.means[0], best.means[0], atol=1e-5)
    np.testing.assert_allclose(fitted.scales[0], best.scales[0], rtol=1e-4)
    assert fitted.dofs[0] == pytest.approx(best.dofs[0], rel=1e-3)


@pytest.mark.parametrize("how", ["constructor", "fixed"])
def test_fixed_degrees_of_freedom_are_kept(data, how):
    X, weights = data
    component = emkit.StudentT(dof=3.0) if how == "constructor" else emkit.StudentT()
    fixed = {"dofs"} if how == "fixed" else set()
    params = PARAMS.replace(dofs=np.array([3.0, 3.0]))
    new = component.m_step(component.expected_stats(params, X, weights), params, fixed=fixed)
    np.testing.assert_array_equal(new.dofs, [3.0, 3.0])
    n_dof_parameters = 0 if how == "constructor" else 2
    assert component.n_parameters(new) == 2 * 3 + 2 * 6 + n_dof_parameters


def test_fixed_dof_needs_no_dofs_in_the_parameters(data):
    X, _ = data
    component = emkit.StudentT(dof=3.0)
    without = Tree(means=PARAMS.means, scales=PARAMS.scales)
    expected = scipy_log_prob(X, PARAMS.replace(dofs=np.array([3.0, 3.0])))
    np.testing.assert_allclose(component.log_prob(without, X), expected, rtol=1e-12)
