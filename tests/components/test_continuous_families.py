"""Checks across the continuous families: chunked fits, parameter counts."""
import numpy as np
import pytest

import emkit
from emkit import Tree
from emkit.backends.numpy_backend import NumpyBackend
from emkit.engine import fit


def _unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


CASES = {
    "Exponential": (emkit.Exponential(), Tree(rates=np.array([[0.5, 3.0], [4.0, 0.4]]))),
    "Gamma": (emkit.Gamma(), Tree(shapes=np.array([[2.0, 8.0], [9.0, 1.5]]),
                                  rates=np.array([[1.0, 2.0], [2.0, 0.5]]))),
    "LogNormal": (emkit.LogNormal(), Tree(means=np.array([[0.0, 2.0], [2.0, 0.0]]),
                                          variances=np.array([[0.3, 0.4], [0.5, 0.2]]))),
    "Beta": (emkit.Beta(), Tree(a=np.array([[2.0, 9.0], [12.0, 3.0]]),
                                b=np.array([[8.0, 3.0], [4.0, 7.0]]))),
    "StudentT": (emkit.StudentT(), Tree(means=np.array([[0.0, 0.0], [5.0, 1.0]]),
                                        scales=np.stack([np.eye(2), 0.5 * np.eye(2)]),
                                        dofs=np.array([3.0, 6.0]))),
    "VonMisesFisher": (emkit.VonMisesFisher(),
                       Tree(mean_directions=_unit(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])),
                            concentrations=np.array([8.0, 20.0]))),
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_chunked_threaded_fit_equals_one_block(family):
    component, truth = CASES[family]
    rng = np.random.default_rng(0)
    X = component.sample(truth, rng.choice(2, size=1000), rng)
    component.validate(X)
    model = emkit.Mixture(component, 2)
    start = Tree(weights=np.array([0.5, 0.5]), components=truth)
    results = [fit(model, X, init=start, tol=0.0, max_iter=15, backend=backend)
               for backend in (NumpyBackend(chunk_size=10_000, n_jobs=1),
                               NumpyBackend(chunk_size=97, n_jobs=2))]
    one, chunked = (r.params.paths() for r in results)
    for path in one:
        np.testing.assert_allclose(chunked[path], one[path], rtol=1e-9, atol=1e-12,
                                   err_msg=path)
    assert results[1].log_likelihood == pytest.approx(results[0].log_likelihood, rel=1e-12)


# free parameters for K = 2 components in D = 2 (D = 3 for VonMisesFisher)
N_PARAMETERS = {"Exponential": 4, "Gamma": 8, "LogNormal": 8, "Beta": 8,
                "StudentT": 2 * 2 + 2 * 3 + 2, "VonMisesFisher": 2 * 2 + 2}


@pytest.mark.parametrize("family", sorted(CASES))
def test_number_of_free_parameters(family):
    component, params = CASES[family]
    assert component.n_parameters(params) == N_PARAMETERS[family]


@pytest.mark.parametrize("family", sorted(CASES))
def test_sample_draws_one_row_per_label_even_for_absent_components(family):
    component, params = CASES[family]
    n_features = np.shape(params.paths()[next(iter(params.paths()))])[1]
    rng = np.random.default_rng(5)
    for labels in (np.ones(7, int), np.zeros(0, int)):
        X = component.sample(params, labels, rng)
        assert X.shape == (len(labels), n_features)
        assert np.all(np.isfinite(component.log_prob(params, X)))
