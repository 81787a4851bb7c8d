"""The Categorical component against scipy.stats, direct optimisation and simulation."""
import numpy as np
import pytest
from scipy import stats

from component_checks import best_permutation, fit_simulated
from emkit import Block, Categorical, Mixture, Tree
from emkit.backends.numpy_backend import NumpyBackend
from emkit.engine import fit
from emkit.components._discrete import PROBABILITY_FLOOR
from emkit.priors import Beta, Dirichlet

K, D, C = 3, 2, 4


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def random_data(rng, n=60):
    return rng.integers(0, C, (n, D)).astype(float)


def random_probs(rng):
    return rng.dirichlet(np.ones(C), (K, D))


def indexed_log_prob(probs):
    """(n, D) -> (n, K) by looking the codes up directly."""
    columns = np.arange(probs.shape[1])
    return lambda X: np.stack([np.log(p[columns, X.astype(int)]).sum(axis=1) for p in probs], 1)


@pytest.mark.parametrize("seed", range(3))
def test_log_prob_matches_direct_indexing_and_scipy_multinomial(seed):
    rng = np.random.default_rng(seed)
    probs, X = random_probs(rng), random_data(rng)
    out = Categorical(C).log_prob(Tree(probs=probs), X)
    np.testing.assert_allclose(out, indexed_log_prob(probs)(X), rtol=1e-12)
    one_hot = np.eye(C)[X.astype(int)]  # (n, D, C)
    via_scipy = np.stack([sum(stats.multinomial(1, probs[k, d]).logpmf(one_hot[:, d])
                              for d in range(D)) for k in range(K)], 1)
    np.testing.assert_allclose(out, via_scipy, rtol=1e-12)


def test_log_prob_is_exact_with_zero_probabilities():
    probs = np.array([[[1.0, 0.0, 0.0]], [[0.2, 0.3, 0.5]]])
    out = Categorical(3).log_prob(Tree(probs=probs), np.array([[0.0], [2.0]]))
    np.testing.assert_allclose(out, [[0.0, np.log(0.2)], [-np.inf, np.log(0.5)]])


def test_log_prob_is_minus_infinity_for_codes_outside_the_categories(rng):
    X = np.array([[4.0, 0.0], [1.5, 1.0], [-1.0, 2.0], [np.inf, 0.0], [3.0, 3.0]])
    out = Categorical(C).log_prob(Tree(probs=random_probs(rng)), X)
    assert np.all(np.isneginf(out[:4])) and np.all(np.isfinite(out[4]))


def test_m_step_keeps_unseen_categories_possible_and_empty_components_uniform():
    X = np.array([[0.0], [1.0], [1.0]])
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    probs = Categorical(3).m_step(Categorical(3).expected_stats(None, X, weights), None).probs
    np.testing.assert_allclose(probs[0, 0], [1 / 3, 2 / 3, PROBABILITY_FLOOR], rtol=1e-9)
    np.testing.assert_allclose(probs[1, 0], [1 / 3] * 3)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-15)


def test_n_parameters_counts_free_probabilities():
    probs = np.full((K, D, C), 1 / C)
    assert Categorical(C).n_parameters(Tree(probs=probs)) == K * D * (C - 1)


def test_em_recovers_simulated_parameters_with_a_sound_anatomy():
    truth = np.array([[[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]],
                      [[0.1, 0.3, 0.6], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7]]])
    result = fit_simulated(Categorical(3), Tree(probs=truth), [0.45, 0.55], 4000, seed=8,
                           n_init=3, tol=1e-8, max_iter=500)
    probs = result.params.components.probs
    order = list(best_permutation(probs, truth))
    np.testing.assert_allclose(probs[order], truth, atol=0.04)
    np.testing.assert_allclose(result.params.weights[order], [0.45, 0.55], atol=0.04)


def test_em_keeps_a_sound_anatomy_when_probabilities_sit_on_the_floor():
    truth = np.array([[[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], [[0.0, 0.2, 0.8], [0.0, 0.0, 1.0]]])
    result = fit_simulated(Categorical(3), Tree(probs=truth), [0.5, 0.5], 400, seed=4,
                           tol=1e-10, max_iter=200)
    probs = result.params.components.probs
    np.testing.assert_allclose(probs[list(best_permutation(probs, truth))], truth, atol=0.06)
    assert probs.min() == pytest.approx(PROBABILITY_FLOOR, rel=1e-6)
    unseen = np.array([[2.0, 1.0]])
    assert np.all(np.isfinite(Categorical(3).log_prob(Tree(probs=probs), unseen)))


def test_em_with_a_prior_climbs_the_log_posterior():
    truth = np.array([[[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]], [[0.1, 0.2, 0.7], [0.7, 0.2, 0.1]]])
    result = fit_simulated(Categorical(3, prior=Dirichlet(2.0)), Tree(probs=truth),
                           [0.5, 0.5], 300, seed=9, tol=1e-8, max_iter=500)
    assert result.history.objective_name == "log-posterior"
    probs = result.params.components.probs.reshape(-1, 3)
    log_prior = sum(stats.dirichlet([2.0] * 3).logpdf(p) for p in probs)
    assert result.objective == pytest.approx(result.log_likelihood + log_prior, rel=1e-12)


def test_chunked_threaded_e_steps_give_the_same_fit(rng):
    X = random_data(rng, 1000)
    start = Tree(weights=[0.5, 0.5], components=Tree(probs=random_probs(rng)[:2]))
    fits = [fit(Mixture(Categorical(C), 2), X, init=start, backend=backend, tol=0, max_iter=5)
            for backend in (NumpyBackend(chunk_size=10_000, n_jobs=1),
                            NumpyBackend(chunk_size=64, n_jobs=2))]
    np.testing.assert_allclose(fits[0].params.components.probs, fits[1].params.components.probs,
                               rtol=1e-10)
    assert fits[0].objective == pytest.approx(fits[1].objective, rel=1e-12)


@pytest.mark.parametrize("value, row, column", [(3.0, 4, 0), (-1.0, 0, 1), (1.5, 2, 1)])
def test_codes_outside_the_categories_are_rejected(value, row, column):
    X = np.zeros((5, 2))
    X[row, column] = value
    with pytest.raises(ValueError, match=rf"X column {column} has value {value!r} at row {row}"
                                         r"; a Categorical component needs integer codes "
                                         r"0\.\.2 \(n_categories=3\)\. Encode the column"):
        Categorical(3).validate(X)


def test_nan_is_a_missing_code_left_out_of_the_density():
    probs = np.array([[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]])
    X = np.array([[1.0, np.nan], [np.nan, 2.0], [0.0, 1.0]])
    expected = np.array([[sum(np.log(p[d, int(x[d])]) for d in range(2) if not np.isnan(x[d]))
                          for p in probs] for x in X])
    np.testing.assert_allclose(Categorical(3).log_prob(Tree(probs=probs), X), expected,
                               rtol=1e-12)
    Mixture(Categorical(3), 2).validate(Block(X))
    X[0, 0] = 3.0
    with pytest.raises(ValueError, match="X column 0 has value 3.0 at row 0.*Categorical"):
        Mixture(Categorical(3), 2).validate(Block(X))


def test_probabilities_with_the_wrong_number_of_categories_are_rejected():
    with pytest.raises(ValueError, match=r"probs has 3 categories.*n_categories=4"):
        Categorical(4).log_prob(Tree(probs=np.full((2, 1, 3), 1 / 3)), np.zeros((2, 1)))


@pytest.mark.parametrize("make, message", [
    (lambda: Categorical(3, prior=Beta(2.0, 2.0)), "must be an emkit.priors.Dirichlet"),
    (lambda: Categorical(3, prior=Dirichlet([2.0, 2.0])), "2 concentrations but there are 3"),
    (lambda: Categorical(0), "n_categories must be an integer >= 1"),
])
def test_invalid_hyper_parameters_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()
