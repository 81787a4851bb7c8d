"""The Binomial component against scipy.stats, direct optimisation, simulation and a textbook."""
import numpy as np
import pytest
from scipy import stats

from component_checks import best_permutation, fit_simulated
from emkit import Binomial, Block, Mixture, Tree
from emkit.engine import fit

K = 3
TRIALS = np.array([4, 10, 1])


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def random_data(rng, n=60, trials=TRIALS):
    return rng.binomial(trials, rng.uniform(0.2, 0.8, len(trials)), (n, len(trials))).astype(float)


def scipy_log_prob(probs, trials=TRIALS):
    return lambda X: np.stack([stats.binom(trials, p).logpmf(X).sum(axis=1) for p in probs], 1)


@pytest.mark.parametrize("seed", range(3))
def test_log_prob_matches_scipy_with_trials_per_column(seed):
    rng = np.random.default_rng(seed)
    probs, X = rng.uniform(0.01, 0.99, (K, 3)), random_data(rng)
    np.testing.assert_allclose(Binomial(TRIALS).log_prob(Tree(probs=probs), X),
                               scipy_log_prob(probs)(X), rtol=1e-12)


def test_log_prob_matches_scipy_with_one_n_trials(rng):
    probs, X = rng.uniform(0.01, 0.99, (K, 2)), rng.binomial(7, 0.4, (30, 2)).astype(float)
    np.testing.assert_allclose(Binomial(7).log_prob(Tree(probs=probs), X),
                               scipy_log_prob(probs, np.array([7, 7]))(X), rtol=1e-12)


def test_log_prob_is_exact_at_probabilities_zero_and_one():
    probs = np.array([[0.0, 1.0, 0.5], [0.2, 0.3, 0.5]])
    X = np.array([[0.0, 10.0, 1.0], [1.0, 10.0, 0.0], [0.0, 9.0, 0.0]])
    out = Binomial(TRIALS).log_prob(Tree(probs=probs), X)
    np.testing.assert_allclose(out, scipy_log_prob(probs)(X))
    assert np.isfinite(out[0, 0]) and np.isneginf(out[1, 0]) and np.isneginf(out[2, 0])


def test_log_prob_is_minus_infinity_outside_the_support():
    X = np.array([[5.0, 0.0, 0.0], [1.5, 0.0, 0.0], [-1.0, 0.0, 0.0], [4.0, 10.0, 1.0]])
    out = Binomial(TRIALS).log_prob(Tree(probs=np.full((2, 3), 0.4)), X)
    assert np.all(np.isneginf(out[:3])) and np.all(np.isfinite(out[3]))


def test_n_parameters_counts_every_probability():
    assert Binomial(TRIALS).n_parameters(Tree(probs=np.full((K, 3), 0.5))) == K * 3


def test_em_recovers_simulated_parameters_with_a_sound_anatomy():
    truth = np.array([[0.2, 0.7, 0.9], [0.8, 0.3, 0.2]])
    result = fit_simulated(Binomial(TRIALS), Tree(probs=truth), [0.3, 0.7], 3000, seed=2,
                           n_init=2, tol=1e-8, max_iter=500)
    probs = result.params.components.probs
    order = list(best_permutation(probs, truth))
    np.testing.assert_allclose(probs[order], truth, atol=0.03)
    np.testing.assert_allclose(result.params.weights[order], [0.3, 0.7], atol=0.03)


def test_frozen_weights_follow_the_textbook_two_coin_trajectory():
    """Do & Batzoglou (2008), Nature Biotechnology 26:897: five sets of ten tosses of coin A
    or B (chosen with probability 1/2); EM from theta_A = 0.6, theta_B = 0.5 gives 0.71 and
    0.58 after one iteration and 0.80 and 0.52 after ten."""
    heads = np.array([[5.0], [9.0], [8.0], [4.0], [7.0]])
    start = Tree(weights=[0.5, 0.5], components=Tree(probs=[[0.6], [0.5]]))
    path = []
    fit(Mixture(Binomial(10), 2), heads, init=start, fixed={"weights"}, tol=0.0, max_iter=10,
           callbacks=[lambda row, params: path.append(params.components.probs[:, 0])])

    theta, reference = np.array([0.6, 0.5]), []
    for _ in range(10):  # the textbook computation, written out
        likelihood = np.stack([stats.binom(10, t).pmf(heads[:, 0]) for t in theta], 1)
        resp = likelihood / likelihood.sum(axis=1, keepdims=True)
        theta = (resp * heads).sum(axis=0) / (10 * resp.sum(axis=0))
        reference.append(theta)
    np.testing.assert_allclose(path, reference, rtol=1e-12)
    np.testing.assert_allclose(path[0], [0.71, 0.58], atol=0.005)
    np.testing.assert_allclose(path[-1], [0.80, 0.52], atol=0.005)


@pytest.mark.parametrize("value, row, column, expected", [
    (5.0, 2, 0, r"integer counts in 0\.\.4 \(n_trials for that column\)"),
    (11.0, 0, 1, r"integer counts in 0\.\.10"),
    (-1.0, 4, 2, r"integer counts in 0\.\.1"),
    (2.5, 1, 1, r"integer counts in 0\.\.10"),
])
def test_counts_outside_zero_to_n_trials_are_rejected(value, row, column, expected):
    X = np.zeros((5, 3))
    X[row, column] = value
    with pytest.raises(ValueError, match=rf"X column {column} has value {value!r} at row {row}"
                                         rf"; a Binomial component needs {expected}"):
        Binomial(TRIALS).validate(X)


def test_nan_is_a_missing_count_left_out_of_the_density():
    trials = np.array([3, 5, 8])
    probs = np.array([[0.2, 0.7, 0.5], [0.9, 0.1, 0.4]])
    X = np.array([[1.0, np.nan, 0.0], [np.nan, np.nan, 8.0], [3.0, 5.0, 1.0]])
    expected = np.array([[np.nansum(stats.binom.logpmf(x, trials, p)) for p in probs]
                         for x in X])
    component = Binomial(trials)
    np.testing.assert_allclose(component.log_prob(Tree(probs=probs), X), expected, rtol=1e-12)
    Mixture(component, 2).validate(Block(X))
    X[0, 0] = 4.0
    with pytest.raises(ValueError, match="X column 0 has value 4.0 at row 0.*Binomial"):
        Mixture(component, 2).validate(Block(X))


def test_n_trials_must_match_the_columns_of_X():
    with pytest.raises(ValueError, match="n_trials has 3 entries but X has 2 columns"):
        Binomial(TRIALS).validate(np.zeros((3, 2)))


@pytest.mark.parametrize("n_trials", [0, -2, 2.5, [3, 0], [[2, 3]], "ten", True])
def test_invalid_n_trials_is_rejected(n_trials):
    with pytest.raises(ValueError, match="n_trials must be a positive integer"):
        Binomial(n_trials)
