"""scikit-learn's own estimator checks."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import emkit


@parametrize_with_checks([emkit.GaussianMixture(), emkit.GaussianMixture(2, covariance_type="diag"),
                          emkit.GaussianMixture(2, covariance_type="tied", n_init=2)])
def test_scikit_learn_compatible(estimator, check):
    check(estimator)
