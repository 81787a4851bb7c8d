"""Estimators' ``fit(checkpoint=, checkpoint_every=, resume=)``.

The reference is always an uninterrupted fit with the same settings and random_state: a fit
interrupted (SIGKILL in a child process, or an exception raised inside a checkpoint write)
and resumed must give exactly its parameters, its anatomy (all but ``seconds``) and its own
record of the fit (``lower_bounds_``, hmmlearn's ``monitor_``).
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import emkit
import emkit.engine.checkpoint as checkpoints
from emkit.engine.checkpoint import read_checkpoint

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "engine"))
import ckpt_child  # noqa: E402  (the child process, and what it records)

CHILD = ckpt_child.__file__
RNG = np.random.RandomState(0)
X = np.vstack([RNG.randn(150, 2), RNG.randn(150, 2) * 0.7 + 2.0])
Y = X @ np.array([1.0, -2.0]) + np.where(np.arange(300) < 150, 0.5, -0.5) + 0.5 * RNG.randn(300)
COUNTS = np.vstack([RNG.poisson(2.0, (150, 2)), RNG.poisson(9.0, (150, 2))])
FACTORS = RNG.randn(300, 1) @ np.array([[1.0, 0.8, 0.6, 0.4, 0.2]]) \
    + RNG.randn(300, 5) * np.array([0.5, 0.6, 0.7, 0.8, 0.9])


def run_child(*arguments):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, CHILD, *arguments], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow  # two fresh processes per case (each imports emkit, compiles the kernels)
@pytest.mark.parametrize("case", ckpt_child.ESTIMATOR_CASES)
def test_an_estimator_killed_and_resumed_equals_one_never_interrupted(tmp_path, case):
    killed = run_child(case, str(tmp_path), "kill")
    assert killed.returncode == -9, killed.stderr  # really killed mid-way
    assert len(read_checkpoint(tmp_path / f"{case}.ckpt").rows) == ckpt_child.KILL_AT - 1
    done = run_child(case, str(tmp_path), "after")
    assert done.returncode == 0, done.stderr
    with np.load(tmp_path / f"{case}-resume.npz") as resumed, \
            np.load(tmp_path / f"{case}-whole.npz") as whole:
        assert sorted(resumed.files) == sorted(whole.files)
        for name in whole.files:
            np.testing.assert_array_equal(resumed[name], whole[name], err_msg=name)
        assert whole["converged"] and whole["n_iter"] > ckpt_child.KILL_AT + 1


# -- in one process: interrupted by an exception inside a checkpoint write -------------------
CASES = {
    "gaussian-mixture": (lambda: emkit.GaussianMixture(3, tol=1e-4, random_state=1), X, {}),
    "gaussian-hmm": (lambda: emkit.GaussianHMM(2, n_iter=40, tol=1e-4, random_state=0), X,
                     {"lengths": [120, 180]}),
    "poisson-hmm": (lambda: emkit.PoissonHMM(2, n_iter=40, tol=1e-4, random_state=0), COUNTS,
                    {}),
    "mixture-model": (lambda: emkit.MixtureModel(emkit.Poisson(), 2, tol=1e-6, random_state=0),
                      COUNTS, {}),
    "factor-analysis": (lambda: emkit.FactorAnalysis(1, tol=1e-6, random_state=0), FACTORS,
                        {}),
    "regression-mixture": (lambda: emkit.RegressionMixture(2, tol=1e-4, random_state=0), X,
                           {"y": Y}),
}


class Interrupted(Exception):
    pass


def interrupt_at_write(monkeypatch, number):
    """The ``number``-th checkpoint write raises Interrupted (before it writes)."""
    real, count = checkpoints.write_checkpoint, [0]

    def write(path, state):
        count[0] += 1
        if count[0] == number:
            raise Interrupted
        real(path, state)

    monkeypatch.setattr(checkpoints, "write_checkpoint", write)


def record(estimator):
    return ckpt_child.estimator_record(estimator)


def assert_same_fit(resumed, whole):
    a, b = record(resumed), record(whole)
    assert sorted(a) == sorted(b)
    for name in b:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("where", ["middle", "last"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_interrupted_fit_resumes_to_the_uninterrupted_one(tmp_path, monkeypatch, case,
                                                             where):
    make, data, inputs = CASES[case]
    whole = make().fit(data, **inputs)
    assert whole.converged_ and whole.n_iter_ >= 4  # there is a middle, and a converged end
    # "last": the checkpoint of the row before convergence; the resumed fit's one step must
    # converge as the whole fit did (hmmlearn's rule reads the previous step's gain)
    number = whole.n_iter_ if where == "last" else whole.n_iter_ // 2
    path = tmp_path / "fit.ckpt"
    interrupt_at_write(monkeypatch, number)
    estimator = make()
    with pytest.raises(Interrupted):
        estimator.fit(data, checkpoint=path, **inputs)
    assert not hasattr(estimator, "history_")  # all or nothing
    monkeypatch.undo()
    assert len(read_checkpoint(path).rows) == number - 1
    assert_same_fit(make().fit(data, resume=path, **inputs), whole)


def test_checkpoints_every_n_iterations_and_at_the_end(tmp_path):
    path = tmp_path / "fit.ckpt"
    fitted = emkit.GaussianMixture(3, tol=1e-4, random_state=1).fit(X, checkpoint=path,
                                                                    checkpoint_every=5)
    saved = read_checkpoint(path)
    assert len(saved.rows) == fitted.n_iter_ and saved.reason == "tol"  # the final state
    assert os.listdir(tmp_path) == ["fit.ckpt"]


def test_resuming_a_finished_fit_takes_no_step_and_returns_it(tmp_path, monkeypatch):
    path = tmp_path / "fit.ckpt"
    make, data, inputs = CASES["gaussian-hmm"]
    whole = make().fit(data, checkpoint=path, **inputs)
    steps = []
    real = emkit.engine.drivers.em_step
    monkeypatch.setattr(emkit.engine.drivers, "em_step",
                        lambda *a: steps.append(1) or real(*a))
    assert_same_fit(make().fit(data, resume=path, **inputs), whole)
    assert steps == []


def test_a_fit_stopped_at_max_iter_resumes_with_a_larger_one(tmp_path):
    path = tmp_path / "fit.ckpt"
    make, data, inputs = CASES["gaussian-hmm"]  # the same, with n_iter=40
    with pytest.warns(emkit.ConvergenceWarning):
        make().set_params(n_iter=5).fit(data, checkpoint=path, **inputs)
    whole = make().fit(data, **inputs)
    assert whole.n_iter_ > 6
    assert_same_fit(make().fit(data, resume=path, **inputs), whole)


def test_the_checkpoint_file_may_be_the_one_resumed(tmp_path, monkeypatch):
    make, data, inputs = CASES["gaussian-mixture"]
    whole = make().fit(data, **inputs)
    path = tmp_path / "fit.ckpt"
    interrupt_at_write(monkeypatch, 3)
    with pytest.raises(Interrupted):
        make().fit(data, checkpoint=path, **inputs)
    monkeypatch.undo()
    resumed = make().fit(data, checkpoint=path, resume=path, **inputs)
    assert_same_fit(resumed, whole)
    assert len(read_checkpoint(path).rows) == whole.n_iter_


def test_warm_start_is_carried_by_the_checkpoint(tmp_path, monkeypatch):
    """With warm_start a checkpointed fit starts from the previous fit; resuming it needs
    only the checkpoint (the resuming estimator's own fit is not used)."""
    def make():
        return emkit.GaussianMixture(2, warm_start=True, max_iter=3, tol=0.0, random_state=0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        whole = make().fit(X).fit(X)
        first = make().fit(X)
        before = record(first)
        path = tmp_path / "fit.ckpt"
        interrupt_at_write(monkeypatch, 3)
        with pytest.raises(Interrupted):
            first.fit(X, checkpoint=path)
        monkeypatch.undo()
        for name, value in before.items():  # the earlier fit is untouched
            np.testing.assert_array_equal(record(first)[name], value, err_msg=name)
        other = make().fit(X[::-1][:100])  # fitted elsewhere: its parameters are not used
        assert_same_fit(other.fit(X, resume=path), whole)
        assert_same_fit(make().fit(X, resume=path), whole)


# -- errors -----------------------------------------------------------------------------------
def checkpoint_of(tmp_path, estimator, data=X):
    path = tmp_path / "fit.ckpt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        estimator.fit(data, checkpoint=path)
    return path


def assert_fails_and_keeps(estimator, match, **fit):
    """The fit raises ValueError (one line matching ``match``) and the estimator keeps its
    earlier fit."""
    before = record(estimator)
    with pytest.raises(ValueError, match=match) as error:
        estimator.fit(X, **fit)
    assert "\n" not in str(error.value)
    after = record(estimator)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    return str(error.value)


@pytest.fixture
def fitted():
    return emkit.GaussianMixture(3, random_state=0).fit(X)


def test_restarts_are_refused_naming_n_init(tmp_path, fitted):
    fitted.set_params(n_init=3)
    message = assert_fails_and_keeps(fitted, "follow one run; got n_init=3. Pass n_init=1",
                                     checkpoint=tmp_path / "c")
    assert "random_state" in message
    with pytest.raises(ValueError, match="n_init=2"):
        emkit.GaussianHMM(2, n_init=2).fit(X, resume=tmp_path / "c")


def test_squarem_is_refused(tmp_path, fitted):
    fitted.set_params(accelerate="squarem")
    assert_fails_and_keeps(fitted, r"follow plain EM.*accelerate=None",
                           checkpoint=tmp_path / "c")


def test_a_checkpoint_of_another_model_or_other_data_is_refused(tmp_path, fitted):
    path = checkpoint_of(tmp_path, emkit.GaussianMixture(2, random_state=0, max_iter=2))
    message = assert_fails_and_keeps(fitted, "was written by a fit of Mixture", resume=path)
    assert repr(str(path)) in message and "n_components=3" in message
    other = checkpoint_of(tmp_path, emkit.GaussianMixture(3, random_state=0, max_iter=2),
                          X[:200])
    assert_fails_and_keeps(fitted, "not by a fit of this model on data of total weight 300",
                           resume=other)


def test_other_data_of_the_same_size_is_refused(tmp_path, fitted):
    path = checkpoint_of(tmp_path, emkit.GaussianMixture(3, random_state=0, max_iter=2),
                         X + 0.1)
    assert_fails_and_keeps(fitted, "was written on other data: its fit reached an objective",
                           resume=path)
    make, data, inputs = CASES["gaussian-hmm"]
    path = tmp_path / "hmm.ckpt"
    make().set_params(n_iter=2).fit(data, checkpoint=path, **inputs)
    with pytest.raises(ValueError, match="was written on other data"):
        make().fit(data, resume=path, lengths=[150, 150])  # other sequences


def test_a_missing_or_damaged_checkpoint_is_refused(tmp_path, fitted):
    assert_fails_and_keeps(fitted, "the checkpoint does not exist", resume=tmp_path / "none")
    (tmp_path / "bad").write_bytes(b"junk")
    assert_fails_and_keeps(fitted, "is not an emkit checkpoint", resume=tmp_path / "bad")


def test_an_unwritable_checkpoint_path_is_refused_before_the_fit(tmp_path, fitted):
    assert_fails_and_keeps(fitted, "which is not a writable folder",
                           checkpoint=tmp_path / "missing" / "c")
    assert_fails_and_keeps(fitted, "is a folder", checkpoint=tmp_path)
    assert_fails_and_keeps(fitted, "checkpoint_every must be", checkpoint=tmp_path / "c",
                           checkpoint_every=0)


def test_a_file_that_is_no_checkpoint_is_never_overwritten(tmp_path, fitted):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    assert_fails_and_keeps(fitted, "exists and is not an emkit checkpoint",
                           checkpoint=data)
    assert data.read_text() == "a,b\n1,2\n"
    assert_fails_and_keeps(fitted, "checkpoint='' is empty", checkpoint="")


def test_a_finished_fit_resumed_with_a_smaller_tol_goes_on(tmp_path):
    # the reference: one uninterrupted fit with the smaller tol, from the same start
    path = tmp_path / "fit.ckpt"
    emkit.GaussianMixture(3, tol=1e-2, random_state=1).fit(X, checkpoint=path)
    assert read_checkpoint(path).reason == "tol"
    whole = emkit.GaussianMixture(3, tol=1e-8, max_iter=500, random_state=1).fit(X)
    resumed = emkit.GaussianMixture(3, tol=1e-8, max_iter=500, random_state=1).fit(
        X, resume=path)
    assert whole.n_iter_ > len(read_checkpoint(path).rows)
    assert_same_fit(resumed, whole)


def test_a_resumed_fit_runs_no_initialisation(tmp_path, monkeypatch):
    path = tmp_path / "fit.ckpt"
    whole = emkit.GaussianMixture(3, random_state=1).fit(X, checkpoint=path)
    monkeypatch.setattr(emkit.GaussianMixture, "_initializer",
                        lambda *a: pytest.fail("a resumed fit initialised"))
    assert_same_fit(emkit.GaussianMixture(3, random_state=1).fit(X, resume=path), whole)


def test_every_estimator_takes_them_in_fit_and_not_as_hyper_parameters():
    import inspect

    from emkit.estimators._base import LatentEstimator

    names = ("checkpoint", "checkpoint_every", "resume")
    estimators = [getattr(emkit, n) for n in emkit.__all__
                  if inspect.isclass(getattr(emkit, n))
                  and issubclass(getattr(emkit, n), LatentEstimator)]
    assert len(estimators) >= 15
    for cls in estimators:
        fit = inspect.signature(cls.fit).parameters
        assert all(fit[n].kind is inspect.Parameter.KEYWORD_ONLY for n in names), cls
        assert [fit[n].default for n in names] == [None, 1, None], cls
        assert not set(names) & set(inspect.signature(cls.__init__).parameters), cls
