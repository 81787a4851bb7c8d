"""``emkit fit --model fa|ppca|mfa|regression``, ``--accelerate squarem`` and ``select``
through ``emkit.select`` (mclust's names), end to end through main(argv). The numbers are
checked against the library called directly and against scipy's densities."""
import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

import emkit
from emkit.cli import main
from emkit.cli._files import load_model

pd = pytest.importorskip("pandas")
COLUMNS = [f"c{j}" for j in range(5)]


def run(argv, capsys):
    """(exit status, stdout, stderr) of ``emkit argv``."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def frame():
    """Two clusters of rows near a 2-D subspace of 5-D, and a mixture of two lines."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2)) @ rng.normal(size=(2, 5)) + 0.3 * rng.normal(size=(400, 5))
    X[200:] += 4.0
    data = pd.DataFrame(X, columns=COLUMNS)
    data["x"] = rng.uniform(-2, 2, size=400)
    line = rng.integers(0, 2, size=400)
    data["y"] = np.where(line == 0, 1 + 2 * data["x"], -1 - data["x"]) + 0.3 * rng.normal(
        size=400)
    return data


@pytest.fixture(scope="module")
def files(frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("latent")
    frame.to_parquet(folder / "d.parquet")
    frame.to_csv(folder / "d.csv", index=False)
    return folder


def _one_line_error(status, err, *words):
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err


@pytest.mark.parametrize("name, cls", [("fa", emkit.FactorAnalysis), ("ppca", emkit.PPCA)])
def test_factor_models_fit_predict_score_as_the_library(name, cls, files, frame, tmp_path,
                                                        capsys):
    model, data = tmp_path / name, files / "d.parquet"
    status, _, err = run(["fit", data, "--model", name, "-k", 2, "--columns",
                          ",".join(COLUMNS), "-o", model, "-q"], capsys)
    assert status == 0, err
    fitted, X = load_model(str(model)), frame[COLUMNS].to_numpy()
    direct = cls(2).fit(X)
    np.testing.assert_allclose(fitted.get_covariance(), direct.get_covariance(), rtol=1e-8)
    # score: the Gaussian density of the fitted covariance, by scipy
    status, out, err = run(["score", model, data, "--json"], capsys)
    assert status == 0, err
    reference = multivariate_normal(fitted.mean_, fitted.get_covariance()).logpdf(X).sum()
    assert __import__("json").loads(out)["total_log_likelihood"] == pytest.approx(
        reference, rel=1e-9)
    # predict: the factor scores E[z | x] (the model's own columns are found in the file)
    status, out, err = run(["predict", model, data], capsys)
    assert status == 0, err
    scores = pd.read_csv(__import__("io").StringIO(out))
    assert list(scores.columns) == ["f0", "f1"]
    np.testing.assert_allclose(scores.to_numpy(), direct.transform(X), rtol=1e-6, atol=1e-8)
    assert run(["inspect", model], capsys)[0] == 0
    _one_line_error(*run(["predict", model, data, "--proba"], capsys)[::2], "not supported")
    _one_line_error(*run(["sample", model], capsys)[::2], "not supported")
    _one_line_error(*run(["report", model, data, "-o", tmp_path / "r.html"], capsys)[::2],
                    "not supported")
    _one_line_error(*run(["fit", data, "--model", name, "--accelerate", "squarem", "-o",
                          tmp_path / "x"], capsys)[::2], "--accelerate")


def test_mixture_of_factor_analysers_with_squarem(files, frame, tmp_path, capsys):
    model, data = tmp_path / "mfa", files / "d.csv"
    status, _, err = run(["fit", data, "--model", "mfa", "-k", 2, "--n-factors", 1,
                          "--columns", ",".join(COLUMNS), "--accelerate", "squarem",
                          "--random-state", 0, "-o", model, "-q"], capsys)
    assert status == 0, err
    fitted, X = load_model(str(model)), frame[COLUMNS].to_numpy()
    assert fitted.accelerate == "squarem"
    direct = emkit.MixtureOfFactorAnalyzers(2, n_factors=1, accelerate="squarem",
                                            random_state=0).fit(X)
    np.testing.assert_allclose(fitted.means_, direct.means_, rtol=1e-8)
    covariances = [L @ L.T + np.diag(psi) for L, psi in zip(fitted.loadings_,
                                                             fitted.noise_variances_)]
    density = sum(w * multivariate_normal(m, c).pdf(X) for w, m, c in
                  zip(fitted.weights_, fitted.means_, covariances))
    status, out, err = run(["score", model, data, "--json"], capsys)
    assert status == 0, err
    assert __import__("json").loads(out)["total_log_likelihood"] == pytest.approx(
        np.log(density).sum(), rel=1e-9)
    status, out, _ = run(["predict", model, data], capsys)
    np.testing.assert_array_equal(pd.read_csv(__import__("io").StringIO(out))["label"],
                                  direct.predict(X))
    status, out, err = run(["sample", model, "-n", 5, "--random-state", 1], capsys)
    assert status == 0, err
    assert list(pd.read_csv(__import__("io").StringIO(out)).columns) == COLUMNS + ["component"]
    assert run(["report", model, data, "-o", tmp_path / "r.html", "-q"], capsys)[0] == 0


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_regression_mixture_with_a_response_column(ext, files, frame, tmp_path, capsys):
    model, data = tmp_path / "reg", files / f"d.{ext}"
    status, _, err = run(["fit", data, "--model", "regression", "-k", 2, "--response", "y",
                          "--columns", "x", "--random-state", 0, "-o", model, "-q"], capsys)
    assert status == 0, err
    x, y = frame[["x"]].to_numpy(), frame["y"].to_numpy()
    direct = emkit.RegressionMixture(2, random_state=0).fit(x, y)
    fitted = load_model(str(model))
    np.testing.assert_allclose(fitted.coef_, direct.coef_, rtol=1e-8)
    # score: log sum_k w_k N(y; a_k + b_k x, s_k), by scipy
    means = fitted.intercept_[None, :] + x * fitted.coef_[:, 0][None, :]
    density = (fitted.weights_ * norm(means, np.sqrt(fitted.variance_)).pdf(y[:, None]))
    status, out, err = run(["score", model, data, "--response", "y", "--json"], capsys)
    assert status == 0, err
    assert __import__("json").loads(out)["total_log_likelihood"] == pytest.approx(
        np.log(density.sum(axis=1)).sum(), rel=1e-9)
    status, out, err = run(["predict", model, data], capsys)  # E[y | x], no y needed
    assert status == 0, err
    np.testing.assert_allclose(pd.read_csv(__import__("io").StringIO(out))["prediction"],
                               direct.predict(x), rtol=1e-8)
    status, out, err = run(["predict", model, data, "--response", "y", "--proba"], capsys)
    assert status == 0, err
    np.testing.assert_allclose(pd.read_csv(__import__("io").StringIO(out))[["p0", "p1"]],
                               direct.predict_proba(x, y), rtol=1e-6, atol=1e-12)
    _one_line_error(*run(["score", model, data], capsys)[::2], "--response")
    _one_line_error(*run(["sample", model], capsys)[::2], "not supported")
    _one_line_error(*run(["fit", data, "--model", "regression", "-o", tmp_path / "x"],
                         capsys)[::2], "--response")


def test_regression_family_and_gate_options(files, frame, tmp_path, capsys):
    frame = frame.assign(count=np.random.default_rng(1).poisson(np.exp(0.5 + 0.4 *
                                                                       frame["x"])))
    frame.to_parquet(tmp_path / "counts.parquet")
    model = tmp_path / "poisson"
    status, _, err = run(["fit", tmp_path / "counts.parquet", "--model", "regression", "-k", 2,
                          "--response", "count", "--columns", "x", "--family", "poisson",
                          "--gate", "logit", "--random-state", 0, "-o", model, "-q"], capsys)
    assert status == 0, err
    direct = emkit.RegressionMixture(2, family="poisson", gate="logit", random_state=0).fit(
        frame[["x"]].to_numpy(), frame["count"].to_numpy())
    fitted = load_model(str(model))
    assert (fitted.family, fitted.gate) == ("poisson", "logit")
    np.testing.assert_allclose(fitted.coef_, direct.coef_, rtol=1e-8)


def test_select_takes_mclust_names_through_emkit_select(files, frame, tmp_path, capsys):
    table, best = tmp_path / "bic.csv", tmp_path / "best"
    status, out, err = run(["select", files / "d.parquet", "--columns", "c0,c1", "-k", "1:3",
                            "--covariance-type", "EEE,VVV", "--table", table, "-o", best],
                           capsys)
    assert status == 0, err
    grid = pd.read_csv(table)
    direct = emkit.select(frame[["c0", "c1"]].to_numpy(), range(1, 4), model=["EEE", "VVV"])
    assert list(grid.columns) == list(direct.columns)
    np.testing.assert_allclose(grid["bic"], direct["bic"], rtol=1e-9)
    assert grid["icl"].ge(grid["bic"] - 1e-9).all()  # ICL = BIC + 2 entropy
    assert load_model(str(best)).model == direct.best_estimator_.model
    assert f"best: --covariance-type {direct['model'][0]} -k {direct['n_components'][0]}" in out
    _one_line_error(*run(["select", files / "d.parquet", "--covariance-type", "EEE,full"],
                         capsys)[::2], "mixes")


def test_select_of_another_model_has_aic_and_icl(files, frame, tmp_path, capsys):
    table = tmp_path / "bic.csv"
    status, _, err = run(["select", files / "d.parquet", "--columns", "c0,c1", "--model", "t",
                          "-k", "1:2", "--random-state", 0, "--table", table, "-q"], capsys)
    assert status == 0, err
    grid = pd.read_csv(table)
    np.testing.assert_allclose(grid["aic"], -2 * grid["log_likelihood"] +
                               2 * grid["n_parameters"], rtol=1e-12)
    assert np.isfinite(grid["icl"]).all() and (grid["icl"] >= grid["bic"] - 1e-9).all()
