"""check_component passes correct components and names the property a broken one fails."""
import numpy as np
import pytest
from scipy import stats

from emkit.components import Gaussian
from emkit.engine import Moments, Tree
from emkit.testing import CHECKS, Product, check_component

PARAMS = Tree(means=np.array([[0.0, 1.0], [3.0, -1.0]]),
              covariances=np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, -0.1], [-0.1, 0.4]]]))


def reference(params, k):
    return stats.multivariate_normal(params.means[k], params.covariances[k])


class ShiftedLogProb(Gaussian):
    def log_prob(self, params, X):
        return super().log_prob(params, X) + 1e-6


class AveragedStats(Gaussian):
    """Means instead of sums: breaks additivity."""

    def expected_stats(self, params, X, weights):
        moments = super().expected_stats(params, X, weights).moments
        return Tree(moments=Moments(moments.n, moments.first, moments.second / X.shape[0],
                                    moments.shift))


class CountsRows(Gaussian):
    """Counts rows of positive weight instead of summing weights: breaks duplicates."""

    def expected_stats(self, params, X, weights):
        moments = super().expected_stats(params, X, weights).moments
        counts = np.sum(weights > 0, axis=0).astype(float)
        return Tree(moments=Moments(counts, moments.first, moments.second, moments.shift))


class InflatedBound(Gaussian):
    def expected_log_prob(self, stats_, params):
        return super().expected_log_prob(stats_, params) * (1 + 1e-7)


class UnbiasedCovariance(Gaussian):
    """An M-step that is not the MLE (covariances 1% too large)."""

    def m_step(self, stats_, params, fixed=frozenset()):
        new = super().m_step(stats_, params, fixed)
        return new.replace(covariances=new.covariances * 1.01)


class IndependentColumnsSampler(Gaussian):
    """Right marginals, wrong dependence: column 1 is shuffled."""

    def sample(self, params, labels, rng):
        out = super().sample(params, labels, rng)
        out[:, 1] = rng.permutation(out[:, 1])
        return out


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_correct_gaussians_pass(covariance_type):
    covariances = {"full": PARAMS.covariances, "tied": PARAMS.covariances[0],
                   "diag": np.array([[1.0, 2.0], [0.5, 0.4]]), "spherical": np.array([1.0, 0.5])}
    as_full = {"full": lambda c, k: c[k], "tied": lambda c, k: c,
               "diag": lambda c, k: np.diag(c[k]), "spherical": lambda c, k: c[k] * np.eye(2)}
    params = PARAMS.replace(covariances=covariances[covariance_type])
    check_component(Gaussian(covariance_type, reg_covar=0.0), params,
                    lambda p, k: stats.multivariate_normal(
                        p.means[k], as_full[covariance_type](p.covariances, k)))


@pytest.mark.parametrize("broken, property_name", [
    (ShiftedLogProb, "log_prob"),
    (AveragedStats, "additivity"),
    (CountsRows, "duplicates"),
    (InflatedBound, "expected_log_prob"),
    (UnbiasedCovariance, "m_step"),
    (IndependentColumnsSampler, "sample"),
])
def test_a_broken_component_fails_the_named_property(broken, property_name):
    with pytest.raises(AssertionError, match=rf"\): {property_name}"):
        check_component(broken("full", reg_covar=0.0), PARAMS, reference)


def test_a_regulariser_is_caught_by_the_m_step_check():
    with pytest.raises(AssertionError, match="m_step"):
        check_component(Gaussian("full", reg_covar=1e-2), PARAMS, reference,
                        checks=("m_step",))


def test_a_closed_form_mle_replaces_the_optimiser():
    def weighted_mle(X, weights):
        means = weights.T @ X / weights.sum(axis=0)[:, None]
        covariances = np.stack([(w[:, None] * (X - m)).T @ (X - m) / w.sum()
                                for w, m in zip(weights.T, means)])
        return {"means": means, "covariances": covariances}

    check_component(Gaussian("full", reg_covar=0.0), PARAMS, reference, mle=weighted_mle,
                    checks=("m_step",))
    with pytest.raises(AssertionError, match="closed-form MLE"):
        check_component(UnbiasedCovariance("full", reg_covar=0.0), PARAMS, reference,
                        mle=weighted_mle, checks=("m_step",))


def test_a_product_reference_tests_each_column_on_its_own_law():
    diag = Tree(means=PARAMS.means, covariances=np.array([[1.0, 2.0], [0.5, 0.4]]))

    def product(params, k):
        return Product([stats.norm(m, np.sqrt(v)) for m, v in zip(params.means[k],
                                                                   params.covariances[k])])

    check_component(Gaussian("diag", reg_covar=0.0), diag, product)


def test_unknown_check_names_are_rejected():
    with pytest.raises(ValueError, match="checks: unknown names"):
        check_component(Gaussian(), PARAMS, reference, checks=("log_prob", "speed"))
    assert CHECKS[0] == "log_prob"
