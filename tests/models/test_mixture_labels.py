"""Semi-supervised mixtures (known labels for some rows) and sample weights in the engine."""
import numpy as np
import pytest

import emkit
from emkit.components import Gaussian
from emkit.engine.data import Block
from emkit.engine.tree import Tree
from emkit.models import Mixture


def _two_blobs(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(0.0, 1.0, (60, 2)), rng.normal(6.0, 1.0, (40, 2))])


def test_fully_labelled_data_give_the_per_class_estimates():
    X = _two_blobs()
    labels = np.repeat([1, 0], [60, 40])
    result = emkit.fit(Mixture(Gaussian(reg_covar=0.0), 2), Block(X, labels=labels), tol=1e-10)
    for k in (0, 1):
        rows = X[labels == k]
        assert result.params.weights[k] == pytest.approx(np.mean(labels == k), abs=1e-9)
        np.testing.assert_allclose(result.params.components.means[k], rows.mean(axis=0),
                                   atol=1e-9)
        np.testing.assert_allclose(result.params.components.covariances[k],
                                   np.cov(rows.T, bias=True), atol=1e-9)


def test_a_few_labels_decide_which_component_is_which():
    X = _two_blobs()
    labels = np.full(100, -1)
    labels[[0, 1]] = 1  # the blob at the origin is component 1
    labels[[70]] = 0
    model = Mixture(Gaussian(), 2)
    for seed in range(3):
        result = emkit.fit(model, Block(X, labels=labels), random_state=seed)
        assert np.all(np.abs(result.params.components.means[1]) < 0.5)
        assert np.all(np.abs(result.params.components.means[0] - 6.0) < 0.5)
        posterior = model.posterior(result.params, Block(X, labels=labels))
        np.testing.assert_array_equal(posterior.probabilities[[0, 1, 70]].argmax(axis=1),
                                      [1, 1, 0])


@pytest.mark.parametrize("labels, message", [
    (np.full(99, -1), r"labels must have one entry per row of X \(100\)"),
    (np.full(100, 0.5), "labels must hold integers"),
    (np.r_[np.full(99, -1), 2], r"row 99 has 2"),
])
def test_bad_labels_are_explained(labels, message):
    with pytest.raises(ValueError, match=message):
        Mixture(Gaussian(), 2).validate_fit(Block(_two_blobs(), labels=labels))


def test_integer_weights_fit_like_repeated_rows():
    X = _two_blobs()
    counts = np.random.default_rng(1).integers(0, 4, size=100)
    start = Tree(weights=np.array([0.5, 0.5]),
                 components=Tree(means=np.array([[1.0, 1.0], [4.0, 4.0]]),
                                 covariances=np.stack([np.eye(2)] * 2)))
    model = Mixture(Gaussian(), 2)
    weighted = emkit.fit(model, Block(X, weights=counts.astype(float)), init=start, tol=1e-10)
    repeated = emkit.fit(model, np.repeat(X, counts, axis=0), init=start, tol=1e-10)
    assert weighted.n_iter == repeated.n_iter
    for path, value in repeated.params.paths().items():
        np.testing.assert_allclose(weighted.params.get_path(path), value, rtol=1e-9, atol=1e-12)


def test_rows_of_zero_weight_take_no_part_in_the_initialisation():
    X = _two_blobs()
    weights = np.ones(100)
    weights[::3] = 0.0
    model = Mixture(Gaussian(), 2, init="random_from_data")
    with_zeros = model.init_params(Block(X, weights=weights), np.random.RandomState(0))
    without = model.init_params(Block(X[weights > 0]), np.random.RandomState(0))
    for path, value in without.paths().items():
        np.testing.assert_allclose(with_zeros.get_path(path), value, rtol=1e-12)
