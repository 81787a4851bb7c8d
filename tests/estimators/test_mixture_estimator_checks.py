"""scikit-learn's own estimator checks for MixtureModel (and the estimators sharing its base)."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import emkit
from emkit.priors import Dirichlet
from emkit.testing import expected_failed_checks


@parametrize_with_checks([
    emkit.MixtureModel(),
    emkit.MixtureModel(emkit.Gaussian("diag"), 2, weight_prior=Dirichlet(2.0), n_init=2),
], expected_failed_checks=expected_failed_checks)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)


def test_only_the_random_start_check_is_expected_to_fail():
    assert expected_failed_checks(emkit.MixtureModel()) == {}
    assert list(expected_failed_checks(emkit.GaussianMixture(3))) == [
        "check_sample_weight_equivalence_on_dense_data"]
