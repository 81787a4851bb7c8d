"""scikit-learn's own estimator checks."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import emkit
import emkit.testing


@parametrize_with_checks([emkit.GaussianMixture(), emkit.GaussianMixture(2, covariance_type="diag"),
                          emkit.GaussianMixture(2, covariance_type="tied", n_init=2)],
                         expected_failed_checks=emkit.testing.expected_failed_checks)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)
