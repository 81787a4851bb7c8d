"""The rest of hmmlearn's surface: arguments, monitor_, tol < 0, verbose, decode, warnings."""
import inspect
import warnings

import numpy as np
import pytest

hmm = pytest.importorskip("hmmlearn.hmm")

import emkit  # noqa: E402

NAMES = ("GaussianHMM", "CategoricalHMM", "PoissonHMM", "GMMHMM", "MultinomialHMM")


@pytest.mark.parametrize("name", NAMES)
def test_every_hmmlearn_argument_with_its_default_and_position(name):
    theirs = inspect.signature(getattr(hmm, name).__init__).parameters
    ours = inspect.signature(getattr(emkit, name).__init__).parameters
    for argument, parameter in theirs.items():
        assert argument in ours, argument
        assert ours[argument].default == parameter.default, argument
    positional = [a for a, p in theirs.items() if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert [a for a, p in ours.items() if p.kind == p.POSITIONAL_OR_KEYWORD][
        :len(positional)] == positional


def test_implementation_is_accepted_and_checked():
    X = np.random.RandomState(0).randn(200, 2)
    log = emkit.GaussianHMM(2, implementation="log", random_state=0, n_iter=3).fit(X)
    scaling = emkit.GaussianHMM(2, implementation="scaling", random_state=0, n_iter=3).fit(X)
    np.testing.assert_array_equal(log.means_, scaling.means_)
    with pytest.raises(ValueError, match="implementation"):
        emkit.GaussianHMM(2, implementation="fast").fit(X)


def _fitted_pair(**kw):
    rng = np.random.RandomState(5)
    X = np.concatenate([rng.randn(150, 2), rng.randn(150, 2) + 3, rng.randn(100, 2)])
    lengths = [250, 150]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = hmm.GaussianHMM(3, random_state=0, **kw).fit(X, lengths)
        ours = emkit.GaussianHMM(3, random_state=0, **kw).fit(X, lengths)
    return reference, ours, X, lengths


def test_default_start_is_hmmlearns():
    """With the same integer random_state both start from the same values (k-means means,
    cov(X) + min_covar, Dirichlet chain): the whole default fit agrees."""
    reference, ours, X, lengths = _fitted_pair(n_iter=5, tol=-1)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.transmat_, reference.transmat_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.monitor_.history, list(reference.monitor_.history),
                               rtol=0, atol=1e-8)


def test_negative_tol_runs_every_iteration_and_monitor_reads_as_hmmlearns():
    reference, ours, X, lengths = _fitted_pair(n_iter=7, tol=-1)
    assert ours.monitor_.iter == reference.monitor_.iter == 7
    assert ours.monitor_.converged and reference.monitor_.converged  # n_iter reached
    assert not ours.converged_  # emkit's own flag: the tolerance was never met
    assert len(ours.monitor_.history) == len(reference.monitor_.history) == 7


@pytest.mark.parametrize("algorithm", ["viterbi", "map"])
def test_decode_returns_what_hmmlearn_returns(algorithm):
    reference, ours, X, lengths = _fitted_pair(n_iter=5, tol=-1)
    log_prob, states = ours.decode(X, lengths, algorithm=algorithm)
    expected_log_prob, expected_states = reference.decode(X, lengths, algorithm=algorithm)
    assert log_prob == pytest.approx(expected_log_prob, rel=0, abs=1e-8)
    np.testing.assert_array_equal(states, expected_states)


def test_stationary_distribution_and_n_features():
    reference, ours, X, lengths = _fitted_pair(n_iter=5, tol=-1)
    np.testing.assert_allclose(ours.get_stationary_distribution(),
                               reference.get_stationary_distribution(), rtol=0, atol=1e-8)
    assert ours.n_features == reference.n_features == 2
    assert emkit.CategoricalHMM(2, n_features=5).n_features == 5


def test_verbose_prints_every_iteration(capsys):
    X = np.random.RandomState(0).randn(200, 2)
    emkit.GaussianHMM(2, n_iter=4, tol=-1, verbose=True, random_state=0).fit(X)
    printed = capsys.readouterr().out + capsys.readouterr().err
    for iteration in range(1, 5):
        assert f"iteration {iteration:>4d}" in printed


def test_convergence_warning_points_at_the_callers_line_and_quotes_tol_as_given():
    X = np.random.RandomState(0).randn(300, 2)
    with pytest.warns(emkit.ConvergenceWarning, match=r"tol=0\.01\)") as record:
        emkit.GaussianHMM(2, n_iter=2, tol=1e-2, random_state=0).fit(X)  # this line
    assert record[0].filename == __file__
    assert record[0].lineno == inspect.currentframe().f_lineno - 2
