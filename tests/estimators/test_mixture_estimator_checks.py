"""scikit-learn's own estimator checks for MixtureModel (and the estimators sharing its base)."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import emkit
from emkit.priors import Dirichlet


def random_starts(estimator):
    """Checks that cannot hold when EM starts from rows drawn at random.

    With K > 1 the initialisation draws rows (k-means), so data with repeated rows and the
    same data with integer weights start differently and may end in different optima (or with
    the components in another order). scikit-learn marks KMeans the same way. Weights do equal
    repeated rows from a common start: see test_mixture_model.py.
    """
    if estimator.n_components == 1:
        return {}
    return {"check_sample_weight_equivalence_on_dense_data":
            "a random start is drawn from the rows: repeated rows and weights start apart"}


@parametrize_with_checks([
    emkit.MixtureModel(),
    emkit.MixtureModel(emkit.Gaussian("diag"), 2, weight_prior=Dirichlet(2.0), n_init=2),
    emkit.GaussianMixture(2, covariance_type="tied"),
], expected_failed_checks=random_starts)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)
