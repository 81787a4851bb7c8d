"""scikit-learn's own estimator checks for the factor-model estimators."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import emkit
from emkit.testing import expected_failed_checks


@parametrize_with_checks([emkit.FactorAnalysis(), emkit.PPCA(1), emkit.MixtureOfFactorAnalyzers(n_factors=1)],
                         expected_failed_checks=expected_failed_checks)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)
