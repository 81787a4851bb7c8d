"""The fuzz job (``make fuzz``): hypothesis over ``fit`` on arbitrary arrays, ``load`` on mutated
model files and the command line's argument parser.

The only acceptable outcomes are a success (with finite parameters and scores that are finite
or -inf) or a documented exception (a ``ValueError``: ``DataError``, ``ModelFileError``...)
with a one-line message. A crash, a hang (``make fuzz`` runs under ``timeout``) or a silent NaN
fails. ``EMKIT_FUZZ_EXAMPLES`` examples run per target (default 200).
"""
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import emkit

EXAMPLES = int(os.environ.get("EMKIT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

ESTIMATORS = {
    "gaussian-full": lambda: emkit.GaussianMixture(2, max_iter=5, random_state=0),
    "gaussian-diag": lambda: emkit.GaussianMixture(2, covariance_type="diag", max_iter=5, random_state=0),
    "poisson": lambda: emkit.PoissonMixture(2, max_iter=5, random_state=0),
    "uniform": lambda: emkit.MixtureModel(emkit.Uniform(), 2, max_iter=5, random_state=0),
    "gaussian-hmm": lambda: emkit.GaussianHMM(2, n_iter=5, random_state=0),
}

values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                   st.sampled_from([0.0, 1.0, -1.0, 1e-300, 1e154, -1e200, 1e308, 3.0, 7.0]))


def one_line(error):
    text = str(error).strip()
    return bool(text) and "\n" not in text


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@FUZZ
@given(X=hnp.arrays(np.float64, st.tuples(st.integers(0, 40), st.integers(0, 4)),
                    elements=values))
def test_fit_on_arbitrary_arrays(name, X):
    estimator = ESTIMATORS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings name their causes; they are not failures
        try:
            estimator.fit(X)
        except ValueError as error:
            assert one_line(error), repr(error)
            return
        for value in estimator.get_fitted_state().params.paths().values():
            assert np.all(np.isfinite(value))
        try:
            scores = estimator.score_samples(X) if hasattr(estimator, "score_samples") \
                and name != "gaussian-hmm" else np.array([estimator.score(X)])
        except ValueError as error:
            assert one_line(error), repr(error)
            return
    assert not np.isnan(scores).any()


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory):
    X = np.random.RandomState(0).randn(80, 2)
    X[40:] += 4
    path = emkit.save(emkit.GaussianMixture(2, random_state=0).fit(X),
                      tmp_path_factory.mktemp("model") / "m")
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_load_on_mutated_model_files(tmp_path_factory, model_bytes, data):
    content = bytearray(model_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    content = content[:data.draw(st.integers(0, len(content)))]
    path = tmp_path_factory.mktemp("mutated") / "m.emk"
    path.write_bytes(bytes(content))
    try:
        loaded = emkit.load(path)
    except emkit.ModelFileError as error:
        assert one_line(error)
        return
    for value in loaded.get_fitted_state().params.paths().values():
        assert np.all(np.isfinite(value))


WORDS = ["fit", "predict", "score", "sample", "demo", "--debug", "-n", "10", "-1", "inf",
         "nan", "10000000000", "-k", "2", "0", "--covariance-type", "full", "banana",
         "--connect-timeout", "-o", "out", "--proba", "--columns", "a,b", "model", "data.csv",
         "--no-plot", "--random-state", "", "-", "--", "--force", "x" * 300,
         "--checkpoint", "--checkpoint-every", "--resume", "c.ckpt"]


@FUZZ
@given(argv=st.lists(st.sampled_from(WORDS), max_size=8))
def test_the_command_line_never_shows_a_traceback(tmp_path_factory, capfd, argv):
    """Any argument list ends in a success, or in one line on stderr and a non-zero status;
    never a traceback, never a NaN printed as a result."""
    from emkit import cli

    folder = tmp_path_factory.mktemp("cli")
    (folder / "data.csv").write_text("a,b\n1,2\n3,4\n5,7\n2,2\n")
    argv = [word for word in argv if word != "--debug"]
    if argv[:1] == ["demo"]:
        argv.append("--no-plot")
    here = os.getcwd()
    os.chdir(folder)
    capfd.readouterr()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = cli.main(argv)
    except SystemExit as stop:  # argparse's errors
        status = stop.code
    finally:
        os.chdir(here)
    out, err = capfd.readouterr()
    assert status is None or isinstance(status, int), status
    assert "Traceback" not in out + err, err
    if status not in (None, 0):
        assert one_line(err), (argv, err)
    assert "nan" not in out.lower().replace(",", " ").split(), (argv, out)
