"""Student-t mixtures: sampling, EM recovery with exact anatomy, robustness to outliers."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError

from component_checks import assert_em_anatomy, fit_simulated

TRUTH = Tree(means=np.array([[0.0, 0.0], [6.0, 1.0]]),
             scales=np.array([[[1.0, 0.4], [0.4, 0.8]], [[0.6, -0.2], [-0.2, 1.5]]]),
             dofs=np.array([3.0, 8.0]))


def test_samples_follow_the_density():
    """Mahalanobis distances / D follow F(D, nu); each marginal is a scaled t."""
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], 3000)
    X = emkit.StudentT().sample(TRUTH, labels, rng)
    for k in range(2):
        rows = X[labels == k]
        diff = rows - TRUTH.means[k]
        distance = np.einsum("ij,ij->i", diff, np.linalg.solve(TRUTH.scales[k], diff.T).T)
        f = stats.f(2, TRUTH.dofs[k])
        assert stats.kstest(distance / 2, f.cdf).pvalue > 1e-3
        for d in range(2):
            marginal = stats.t(TRUTH.dofs[k], loc=TRUTH.means[k, d],
                               scale=np.sqrt(TRUTH.scales[k, d, d]))
            assert stats.kstest(rows[:, d], marginal.cdf).pvalue > 1e-3


def test_em_recovers_the_parameters_with_exact_anatomy():
    result = fit_simulated(emkit.StudentT(), TRUTH, [0.4, 0.6], 3000, seed=3, tol=1e-8,
                           max_iter=500)
    fitted = result.params.components
    order = np.argsort(fitted.means[:, 0])
    np.testing.assert_allclose(fitted.means[order], TRUTH.means, atol=0.1)
    np.testing.assert_allclose(fitted.scales[order], TRUTH.scales, atol=0.15)
    np.testing.assert_allclose(fitted.dofs[order], TRUTH.dofs, rtol=0.35)
    np.testing.assert_allclose(result.params.weights[order], [0.4, 0.6], atol=0.03)


def test_fixed_dof_mixture_keeps_the_dof_and_stays_exact():
    rng = np.random.default_rng(4)
    X = emkit.StudentT().sample(TRUTH, rng.choice(2, size=800), rng)
    result = emkit.fit(emkit.Mixture(emkit.StudentT(dof=4.0), 2), X, random_state=0,
                       tol=1e-8, max_iter=300)
    assert_em_anatomy(result)
    np.testing.assert_array_equal(result.params.components.dofs, [4.0, 4.0])


def test_student_t_mixture_recovers_the_means_despite_gross_outliers():
    """Issue 3: with 5% gross outliers a t mixture keeps the true means, a Gaussian does not."""
    rng = np.random.default_rng(0)
    true_means = np.array([[0.0, 0.0], [6.0, 0.0]])
    clean = true_means[rng.integers(0, 2, size=570)] + rng.standard_normal((570, 2))
    outliers = rng.uniform([15.0, -40.0], [40.0, 40.0], size=(30, 2))
    X = np.vstack([clean, outliers])
    start = np.zeros((600, 2))  # the same start for both: split at x = 3
    start[np.arange(600), (X[:, 0] > 3).astype(int)] = 1.0

    def fitted_means(component):
        result = emkit.fit(emkit.Mixture(component, 2), X, init=start, tol=1e-5,
                           max_iter=1000)
        assert_em_anatomy(result)
        means = result.params.components.means
        return means[np.argsort(means[:, 0])]

    t_error = np.abs(fitted_means(emkit.StudentT()) - true_means).max()
    gaussian_error = np.abs(fitted_means(emkit.Gaussian()) - true_means).max()
    assert t_error < 0.15
    assert gaussian_error > 1.0


def test_collinear_component_collapses_by_policy():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [5.0, 0.0], [6.0, 2.0], [7.0, 0.5]])
    weights = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3)
    component = emkit.StudentT(reg_covar=0.0)
    start = Tree(means=np.array([[1.0, 1.0], [6.0, 1.0]]), scales=np.stack([np.eye(2)] * 2),
                 dofs=np.array([5.0, 5.0]))
    stats_ = component.expected_stats(start, X, weights)
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed.*reg_covar"):
        component.m_step(stats_, start)
    keep = emkit.StudentT(reg_covar=0.0, on_collapse="keep")
    with pytest.warns(emkit.ComponentCollapseWarning, match="component 0"):
        kept = keep.m_step(stats_, start)
    np.testing.assert_array_equal(kept.scales[0], np.eye(2))


def test_nan_is_named_by_column_and_family():
    X = np.zeros((4, 3))
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="X column 2 has NaN at row .*StudentT component"):
        emkit.StudentT().validate(X)


@pytest.mark.parametrize("kwargs", [{"dof": 0.0}, {"dof": -2}, {"dof_init": "ten"},
                                    {"on_collapse": "ignore"}])
def test_bad_hyper_parameters_are_rejected(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        emkit.StudentT(**kwargs)
