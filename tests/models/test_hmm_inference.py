"""HMM inference functions against brute-force enumeration over all state paths."""
import itertools
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import logsumexp

from emkit.models.hmm import inference


def _random_chain(rng, n_states, zeros=()):
    startprob = rng.dirichlet(np.ones(n_states))
    transmat = rng.dirichlet(np.ones(n_states), size=n_states)
    for i, j in zeros:
        transmat[i, j] = 0.0
    return startprob, transmat / transmat.sum(axis=1, keepdims=True)


def _enumerate(table, startprob, transmat):
    """Every path of one sequence with its log joint probability."""
    n_steps, n_states = table.shape
    paths = np.array(list(itertools.product(range(n_states), repeat=n_steps)))
    with np.errstate(divide="ignore"):
        log_pi, log_a = np.log(startprob), np.log(transmat)
    log_joint = log_pi[paths[:, 0]] + table[np.arange(n_steps), paths].sum(axis=1)
    log_joint += log_a[paths[:, :-1], paths[:, 1:]].sum(axis=1)
    return paths, log_joint


def _brute_force(table, startprob, transmat):
    paths, log_joint = _enumerate(table, startprob, transmat)
    loglik = logsumexp(log_joint)
    prob = np.exp(log_joint - loglik)
    n_steps, n_states = table.shape
    gamma = np.zeros((n_steps, n_states))
    pairs = np.zeros((n_states, n_states))
    for path, p in zip(paths, prob):
        gamma[np.arange(n_steps), path] += p
        np.add.at(pairs, (path[:-1], path[1:]), p)
    nonzero = prob[prob > 0]
    entropy = -np.sum(nonzero * np.log(nonzero))
    best = np.argmax(log_joint)
    return loglik, gamma, pairs, entropy, paths[best], log_joint[best]


CASES = {
    "dense": dict(n_states=3, zeros=()),
    "left-right": dict(n_states=3, zeros=((1, 0), (2, 0), (2, 1))),
    "two-states": dict(n_states=2, zeros=()),
}


@pytest.mark.parametrize("log_space", [False, True], ids=["scaled", "log"])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_forward_backward_matches_enumeration_over_paths(case, log_space):
    rng = np.random.RandomState(0)
    startprob, transmat = _random_chain(rng, CASES[case]["n_states"], CASES[case]["zeros"])
    lengths = [5, 1, 4]
    table = rng.normal(scale=2.0, size=(sum(lengths), len(startprob)))
    result = inference.forward_backward(table, startprob, transmat, lengths,
                                        log_space=log_space)
    assert result.n_log_space == (len(lengths) if log_space else 0)
    bounds = np.cumsum([0] + lengths)
    expected_pairs, expected_starts = np.zeros_like(transmat), np.zeros_like(startprob)
    expected_loglik = expected_entropy = 0.0
    for start, stop in zip(bounds[:-1], bounds[1:]):
        loglik, gamma, pairs, entropy, _, _ = _brute_force(table[start:stop], startprob,
                                                           transmat)
        np.testing.assert_allclose(result.state_posteriors[start:stop], gamma, atol=1e-12)
        expected_loglik += loglik
        expected_entropy += entropy
        expected_pairs += pairs
        expected_starts += gamma[0]
    assert result.log_likelihood == pytest.approx(expected_loglik, rel=1e-12)
    assert result.entropy == pytest.approx(expected_entropy, rel=1e-10)
    np.testing.assert_allclose(result.transition_counts, expected_pairs, atol=1e-12)
    np.testing.assert_allclose(result.start_counts, expected_starts, atol=1e-12)


@pytest.mark.parametrize("log_space", [False, True], ids=["scaled", "log"])
def test_a_nearly_impossible_start_state_keeps_its_relative_precision(log_space):
    # hmmlearn's gallery fits reach start probabilities of 1e-34; the EM update of such a
    # start probability is its posterior, so the posterior must be right relative to its size
    rng = np.random.RandomState(3)
    startprob, transmat = _random_chain(rng, 3)
    startprob = np.array([1e-30, 0.4, 0.6 - 1e-30])
    table = rng.normal(scale=2.0, size=(6, 3))
    result = inference.forward_backward(table, startprob, transmat, log_space=log_space)
    _, gamma, pairs, _, _, _ = _brute_force(table, startprob, transmat)
    assert 1e-36 < gamma[0, 0] < 1e-28
    np.testing.assert_allclose(result.start_counts, gamma[0], rtol=1e-10, atol=0.0)
    np.testing.assert_allclose(result.transition_counts, pairs, rtol=1e-10, atol=0.0)


def _brute_force_row_logliks(table, startprob, transmat):
    """``log p(x_t | x_<t)`` of one sequence: differences of enumerated prefix evidences."""
    prefixes = [logsumexp(_enumerate(table[:t + 1], startprob, transmat)[1])
                for t in range(len(table))]
    return np.diff(prefixes, prepend=0.0)


@pytest.mark.parametrize("log_space", [False, True], ids=["scaled", "log"])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_row_log_likelihoods_are_predictive_and_sum_to_each_sequence(case, log_space):
    rng = np.random.RandomState(6)
    startprob, transmat = _random_chain(rng, CASES[case]["n_states"], CASES[case]["zeros"])
    lengths = [5, 1, 4]
    table = rng.normal(scale=2.0, size=(sum(lengths), len(startprob)))
    result = inference.forward_backward(table, startprob, transmat, lengths,
                                        sequence_weights=[2.0, 0.0, 0.5], log_space=log_space)
    bounds = np.cumsum([0] + lengths)
    for start, stop in zip(bounds[:-1], bounds[1:]):
        rows = result.row_log_likelihood[start:stop]
        expected = _brute_force_row_logliks(table[start:stop], startprob, transmat)
        np.testing.assert_allclose(rows, expected, rtol=1e-12, atol=1e-12)
        alone = inference.forward_backward(table[start:stop], startprob, transmat,
                                           log_space=log_space)
        assert rows.sum() == pytest.approx(alone.log_likelihood, rel=1e-13)


def test_row_log_likelihoods_of_a_sequence_redone_in_log_space():
    # the second sequence underflows on the scaled path (see the test below); the first not
    startprob = np.array([1.0, 0.0])
    transmat = np.array([[1.0 - 1e-300, 1e-300], [0.0, 1.0]])
    table = np.array([[0.0, -1.0], [-2.0, 0.0], [0.0, -1.0], [0.0, -1.0], [-900.0, 0.0]])
    result = inference.forward_backward(table, startprob, transmat, [2, 3])
    assert result.n_log_space == 1
    expected = np.concatenate([_brute_force_row_logliks(table[:2], startprob, transmat),
                               _brute_force_row_logliks(table[2:], startprob, transmat)])
    np.testing.assert_allclose(result.row_log_likelihood, expected, rtol=1e-12, atol=1e-12)
    assert result.row_log_likelihood.sum() == pytest.approx(result.log_likelihood, rel=1e-13)
    forced = inference.forward_backward(table, startprob, transmat, [2, 3], log_space=True)
    np.testing.assert_allclose(result.state_posteriors, forced.state_posteriors, atol=1e-12)
    np.testing.assert_allclose(result.transition_counts, forced.transition_counts, atol=1e-12)
    assert result.entropy == pytest.approx(forced.entropy, rel=1e-12)


@pytest.mark.parametrize("log_space", [False, True], ids=["scaled", "log"])
def test_an_impossible_row_is_minus_infinite_and_the_rows_after_it_undefined(log_space):
    startprob, transmat = np.array([0.5, 0.5]), np.full((2, 2), 0.5)
    table = np.array([[0.0, -1.0], [-np.inf, -np.inf], [0.0, 0.0], [0.0, -1.0]])
    result = inference.forward_backward(table, startprob, transmat, [3, 1],
                                        log_space=log_space)
    rows = result.row_log_likelihood
    assert rows[0] == pytest.approx(logsumexp(np.log(startprob) + table[0]), rel=1e-14)
    assert rows[1] == -np.inf and np.isnan(rows[2])
    assert rows[3] == pytest.approx(logsumexp(np.log(startprob) + table[3]), rel=1e-14)


def test_sequence_weights_scale_each_sequence_contribution():
    rng = np.random.RandomState(1)
    startprob, transmat = _random_chain(rng, 3)
    table = rng.normal(size=(7, 3))
    one = [inference.forward_backward(table[:4], startprob, transmat),
           inference.forward_backward(table[4:], startprob, transmat)]
    both = inference.forward_backward(table, startprob, transmat, [4, 3],
                                      sequence_weights=[2.0, 0.5])
    assert both.log_likelihood == pytest.approx(2 * one[0].log_likelihood
                                                + 0.5 * one[1].log_likelihood)
    assert both.entropy == pytest.approx(2 * one[0].entropy + 0.5 * one[1].entropy)
    np.testing.assert_allclose(both.transition_counts, 2 * one[0].transition_counts
                               + 0.5 * one[1].transition_counts)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_viterbi_matches_the_best_enumerated_path(case):
    rng = np.random.RandomState(2)
    startprob, transmat = _random_chain(rng, CASES[case]["n_states"], CASES[case]["zeros"])
    lengths = [6, 3]
    table = rng.normal(scale=2.0, size=(9, len(startprob)))
    decoded = inference.viterbi(table, startprob, transmat, lengths)
    expected_total = 0.0
    for start, stop in ((0, 6), (6, 9)):
        *_, best_path, best_log = _brute_force(table[start:stop], startprob, transmat)
        np.testing.assert_array_equal(decoded.states[start:stop], best_path)
        expected_total += best_log
    assert decoded.log_probability == pytest.approx(expected_total, rel=1e-12)


def test_posterior_path_samples_follow_the_enumerated_posterior():
    rng = np.random.RandomState(3)
    startprob, transmat = _random_chain(rng, 2)
    table = rng.normal(size=(4, 2))
    paths, log_joint = _enumerate(table, startprob, transmat)
    expected = np.exp(log_joint - logsumexp(log_joint))
    n_draws = 4000
    draws = inference.sample_posterior(np.tile(table, (n_draws, 1)), startprob, transmat,
                                       [4] * n_draws, rng=np.random.RandomState(4))
    codes = draws.states.reshape(n_draws, 4) @ (2 ** np.arange(3, -1, -1))
    observed = np.bincount(codes, minlength=16) / n_draws
    order = paths @ (2 ** np.arange(3, -1, -1))
    # 5 standard errors of a frequency estimate at n_draws
    np.testing.assert_allclose(observed[order], expected,
                               atol=5 * np.sqrt(0.25 / n_draws))


def test_prior_path_samples_respect_the_chain():
    startprob = np.array([1.0, 0.0, 0.0])
    transmat = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    states = inference.sample_paths(startprob, transmat, [50] * 40,
                                    rng=np.random.RandomState(5))
    paths = states.reshape(40, 50)
    assert np.all(paths[:, 0] == 0)
    assert np.all(np.diff(paths, axis=1) >= 0) and np.all(np.diff(paths, axis=1) <= 1)
    moves = np.diff(paths, axis=1)[paths[:, :-1] == 0]
    assert moves.mean() == pytest.approx(0.5, abs=0.1)


def test_underflowing_scaled_step_falls_back_to_log_space():
    # state 1 is reachable only with probability 1e-300 and is the only one that explains
    # the last observation: the scaled normaliser underflows, log space does not
    startprob = np.array([1.0, 0.0])
    transmat = np.array([[1.0 - 1e-300, 1e-300], [0.0, 1.0]])
    table = np.array([[0.0, -1.0], [0.0, -1.0], [-900.0, 0.0]])
    result = inference.forward_backward(table, startprob, transmat)
    assert result.n_log_space == 1
    loglik, gamma, pairs, entropy, _, _ = _brute_force(table, startprob, transmat)
    assert result.log_likelihood == pytest.approx(loglik, rel=1e-12)
    np.testing.assert_allclose(result.state_posteriors, gamma, atol=1e-12)
    np.testing.assert_allclose(result.transition_counts, pairs, atol=1e-12)


def test_impossible_sequence_has_minus_infinite_evidence():
    startprob, transmat = np.array([0.5, 0.5]), np.full((2, 2), 0.5)
    table = np.array([[0.0, 0.0], [-np.inf, -np.inf]])
    result = inference.forward_backward(table, startprob, transmat)
    assert result.log_likelihood == -np.inf
    assert np.all(np.isnan(result.state_posteriors))


def test_a_fit_that_never_underflows_does_not_compile_the_log_space_path():
    # in a fresh process: this one may have compiled every kernel already
    code = ("import emkit; from emkit.models.hmm import _kernels, _logspace; "
            "emkit.GaussianHMM(2, n_iter=3).fit(emkit.datasets.load_old_faithful()); "
            "print([len(f.signatures) for f in (_kernels.forward_backward_scaled, "
            "_kernels.forward_backward_log, _logspace.log_forward)])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[1, 0, 0]"
