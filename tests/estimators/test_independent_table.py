"""An Independent mixture clusters a table of numeric, categorical and count columns."""
import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from emkit import Categorical, Gaussian, Independent, MixtureModel, Poisson

WEIGHTS = np.array([0.5, 0.3, 0.2])
MEANS = np.array([[0.0, 0.0], [2.5, -1.0], [-2.0, 2.5]])          # numeric columns 0, 1
CATEGORY_PROBS = np.array([[0.7, 0.1, 0.1, 0.1],                  # categorical column 2
                           [0.1, 0.7, 0.1, 0.1],
                           [0.1, 0.1, 0.1, 0.7]])
RATES = np.array([1.0, 6.0, 15.0])                                 # count column 3


def _table(n=900, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=WEIGHTS)
    numeric = MEANS[z] + rng.standard_normal((n, 2))
    category = np.array([rng.choice(4, p=CATEGORY_PROBS[k]) for k in z])
    counts = rng.poisson(RATES[z])
    return np.column_stack([numeric, category, counts]).astype(float), z


def _oracle_labels(X):
    """Bayes classification under the true parameters, from scipy.stats densities."""
    log_joint = np.column_stack([
        np.log(WEIGHTS[k]) + stats.multivariate_normal(MEANS[k], np.eye(2)).logpdf(X[:, :2])
        + np.log(CATEGORY_PROBS[k][X[:, 2].astype(int)]) + stats.poisson(RATES[k]).logpmf(X[:, 3])
        for k in range(3)])
    return log_joint.argmax(axis=1)


def _component():
    return Independent({"numeric": Gaussian("diag"), "category": Categorical(4),
                        "count": Poisson()}, widths=[2, 1, 1])


def test_an_independent_mixture_clusters_a_mixed_table():
    X, z = _table()
    model = MixtureModel(_component(), 3, n_init=3, random_state=0).fit(X)
    predicted = model.predict(X)
    oracle = _oracle_labels(X)
    assert adjusted_rand_score(oracle, predicted) > 0.95
    assert adjusted_rand_score(z, predicted) > 0.85
    order = np.argsort(model.components_.count.rates[:, 0])
    np.testing.assert_allclose(model.components_.count.rates[order, 0], RATES, rtol=0.15)
    np.testing.assert_allclose(model.weights_[order], WEIGHTS, atol=0.05)
    np.testing.assert_allclose(model.components_.numeric.means[order], MEANS, atol=0.25)
    np.testing.assert_allclose(model.components_.category.probs[order, 0], CATEGORY_PROBS,
                               atol=0.08)


@pytest.mark.parametrize("column, value, message", [
    (2, 4.0, r"part 'category' \(Categorical\) on X column 2: X column 2 has value 4.0"),
    (3, -1.0, r"part 'count' \(Poisson\) on X column 3: X column 3 has value -1.0"),
    (3, 2.5, r"part 'count' \(Poisson\) on X column 3: X column 3 has value 2.5"),
    # infinity is refused where the data enter (before any family), NaN being a missing value
    (3, np.inf, r"X column 3 has infinity at row 7 .*emkit needs finite values"),
])
def test_bad_cells_are_reported_with_their_column_and_family(column, value, message):
    X, _ = _table(60)
    X[7, column] = value
    with pytest.raises(ValueError, match=message):
        MixtureModel(_component(), 3).fit(X)
