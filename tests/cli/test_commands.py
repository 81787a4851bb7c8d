"""Every command end to end through main(argv), on CSV and Parquet, for a Gaussian mixture
and a Gaussian HMM. The numbers are checked against scikit-learn and hmmlearn given the
same parameters (the command must read, pass and write exactly what the library computes)."""
import json

import numpy as np
import pytest
from cli_fixtures import data_dir, faithful, sequences  # noqa: F401  (fixtures)
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

from emkit.cli import main
from emkit.cli._files import load_model

pd = pytest.importorskip("pandas")
hmmlearn_hmm = pytest.importorskip("hmmlearn.hmm")


def run(argv, capsys):
    """(exit status, stdout, stderr) of ``emkit argv``."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def sklearn_twin(estimator):
    """scikit-learn's GaussianMixture holding the parameters of an emkit one."""
    twin = SkGaussianMixture(estimator.n_components, covariance_type=estimator.covariance_type)
    twin.weights_, twin.means_ = estimator.weights_, estimator.means_
    twin.covariances_ = estimator.covariances_
    twin.precisions_cholesky_ = _compute_precision_cholesky(estimator.covariances_,
                                                            estimator.covariance_type)
    return twin


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_mixture_fit_predict_score_sample_inspect(ext, data_dir, tmp_path, faithful, capsys):
    data, model = data_dir / f"faithful.{ext}", tmp_path / "gmm"
    status, out, err = run(["fit", data, "--columns", "eruptions,waiting", "-k", 2,
                            "--random-state", 0, "-o", model, "--json"], capsys)
    assert status == 0, err
    summary = json.loads(out)
    sklearn_fit = sklearn_twin(load_model(str(model)))
    # scikit-learn's own fit from the same seed lands on the same clusters
    np.testing.assert_array_equal(
        SkGaussianMixture(2, random_state=0).fit(faithful).predict(faithful),
        sklearn_fit.predict(faithful))
    assert summary["log_likelihood"] == pytest.approx(
        sklearn_fit.score(faithful) * len(faithful), rel=1e-9)
    assert summary["bic"] == pytest.approx(sklearn_fit.bic(faithful), rel=1e-9)
    # predict: no --columns, the model's features are found in a file with extra columns
    status, out, err = run(["predict", model, data, "--id-column", "id"], capsys)
    assert status == 0, err
    frame = pd.read_csv(__import__("io").StringIO(out))
    assert list(frame.columns) == ["id", "label"]
    assert frame["id"].tolist() == [f"r{i}" for i in range(len(faithful))]
    np.testing.assert_array_equal(frame["label"], sklearn_fit.predict(faithful))
    proba_path = tmp_path / "proba.parquet"
    assert run(["predict", model, data, "--proba", "-o", proba_path], capsys)[0] == 0
    np.testing.assert_allclose(pd.read_parquet(proba_path)[["p0", "p1"]],
                               sklearn_fit.predict_proba(faithful), atol=1e-10)
    status, out, _ = run(["score", model, data, "--json"], capsys)
    assert json.loads(out)["mean_log_likelihood"] == pytest.approx(
        sklearn_fit.score(faithful), rel=1e-9)
    status, out, _ = run(["sample", model, "-n", 7, "--random-state", 1], capsys)
    drawn = pd.read_csv(__import__("io").StringIO(out))
    assert list(drawn.columns) == ["eruptions", "waiting", "component"] and len(drawn) == 7
    status, out, _ = run(["inspect", model, "--json"], capsys)
    described = json.loads(out)
    assert described["feature_names"] == ["eruptions", "waiting"]
    order = np.argsort(sklearn_fit.means_[:, 0])
    means = np.array(described["parameters"]["components.means"])
    np.testing.assert_allclose(means[np.argsort(means[:, 0])], sklearn_fit.means_[order],
                               rtol=1e-8)
    status, out, _ = run(["inspect", model], capsys)
    assert "components.means" in out and "eruptions, waiting" in out


def _hmmlearn_twin(estimator):
    twin = hmmlearn_hmm.GaussianHMM(estimator.n_components, covariance_type="full")
    twin.startprob_, twin.transmat_ = estimator.startprob_, estimator.transmat_
    twin.means_, twin.covars_ = estimator.means_, np.array(estimator.covars_)
    return twin


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_hmm_fit_predict_score_sample_on_sequences(ext, data_dir, tmp_path, sequences,
                                                   capsys):
    X, _, lengths = sequences
    data, model = data_dir / f"seq.{ext}", tmp_path / "hmm"
    status, _, err = run(["fit", data, "--model", "hmm", "--covariance-type", "full", "-k", 2,
                          "--sequence-column", "run", "--random-state", 0, "-o", model, "-q"],
                         capsys)
    assert status == 0, err
    estimator = load_model(str(model))
    assert list(estimator.feature_names_in_) == ["a", "b"]  # the sequence column is not X
    twin = _hmmlearn_twin(estimator)
    status, out, _ = run(["score", model, data, "--sequence-column", "run", "--json"], capsys)
    assert json.loads(out)["total_log_likelihood"] == pytest.approx(twin.score(X, lengths),
                                                                    rel=1e-9)
    assert json.loads(out)["n_sequences"] == 3
    status, out, _ = run(["predict", model, data, "--sequence-column", "run"], capsys)
    states = pd.read_csv(__import__("io").StringIO(out))["state"].to_numpy()
    np.testing.assert_array_equal(states, twin.predict(X, lengths))
    # One long sequence (no --sequence-column) scores differently: the lengths were used.
    status, out, _ = run(["score", model, data, "--columns", "a,b", "--json"], capsys)
    assert json.loads(out)["total_log_likelihood"] == pytest.approx(twin.score(X), rel=1e-9)
    status, out, _ = run(["sample", model, "-n", 5, "--random-state", 0], capsys)
    assert out.splitlines()[0] == "a,b,state"


def test_lengths_column_gives_the_same_sequences(data_dir, tmp_path, sequences, capsys):
    X, runs, lengths = sequences
    table = pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
                          "n": list(lengths) + [None] * (len(X) - len(lengths))})
    table.to_csv(tmp_path / "with_lengths.csv", index=False, float_format="%.17g")
    model = tmp_path / "hmm"
    assert run(["fit", tmp_path / "with_lengths.csv", "--model", "hmm", "-k", 2,
                "--lengths-column", "n", "--random-state", 0, "-o", model, "-q"], capsys)[0] == 0
    twin = hmmlearn_hmm.GaussianHMM(2, covariance_type="diag")
    estimator = load_model(str(model))
    twin.startprob_, twin.transmat_ = estimator.startprob_, estimator.transmat_
    twin.means_, twin.covars_ = estimator.means_, np.diagonal(estimator.covars_, 0, 1, 2)
    status, out, _ = run(["score", model, data_dir / "seq.parquet", "--sequence-column", "run",
                          "--json"], capsys)
    assert json.loads(out)["total_log_likelihood"] == pytest.approx(twin.score(X, lengths),
                                                                    rel=1e-9)


def test_select_ranks_by_bic_as_scikit_learn_computes_it(data_dir, tmp_path, faithful,
                                                         capsys):
    table, plot, best = tmp_path / "bic.csv", tmp_path / "bic.png", tmp_path / "best"
    status, out, err = run(["select", data_dir / "faithful.parquet", "--columns",
                            "eruptions,waiting", "-k", "1:3", "--covariance-type", "all",
                            "--random-state", 0, "--table", table, "--plot", plot, "-o", best,
                            "-q"], capsys)
    assert status == 0, err
    grid = pd.read_csv(table)
    assert len(grid) == 12 and set(grid["covariance_type"]) == {"full", "tied", "diag",
                                                                "spherical"}
    for row in grid.itertuples():  # scikit-learn's count of free parameters, and BIC's formula
        twin = SkGaussianMixture(row.n_components, covariance_type=row.covariance_type)
        twin.means_ = np.zeros((row.n_components, 2))
        assert row.n_parameters == twin._n_parameters()
        assert row.bic == pytest.approx(-2 * row.log_likelihood + row.n_parameters *
                                        np.log(len(faithful)), rel=1e-12)
    assert grid["bic"].is_monotonic_increasing
    chosen = load_model(str(best))
    assert grid.iloc[0]["bic"] == pytest.approx(sklearn_twin(chosen).bic(faithful), rel=1e-9)
    assert (chosen.covariance_type, chosen.n_components) == \
        (grid.iloc[0]["covariance_type"], grid.iloc[0]["n_components"])
    assert "best: --covariance-type" in out and plot.read_bytes()[:4] == b"\x89PNG"


def test_report_from_the_command_is_one_file_with_every_section(data_dir, tmp_path, capsys):
    model, html = tmp_path / "gmm", tmp_path / "report.html"
    run(["fit", data_dir / "faithful.csv", "--columns", "eruptions,waiting", "-k", 2,
         "--random-state", 0, "-o", model, "-q"], capsys)
    run(["select", data_dir / "faithful.csv", "--columns", "eruptions,waiting", "-k", "1:2",
         "--random-state", 0, "--table", tmp_path / "bic.csv", "-q"], capsys)
    status, _, err = run(["report", model, data_dir / "faithful.csv", "-o", html,
                          "--bic-table", tmp_path / "bic.csv"], capsys)
    assert status == 0, err
    text = html.read_text()
    for anchor in ("data", "fit", "anatomy", "parameters", "clusters", "responsibilities",
                   "selection"):
        assert f'id="{anchor}"' in text
    assert text.count("data:image/png;base64,") == 4  # anatomy, clusters, resp., BIC
    assert "<script" not in text and "http://" not in text and "https://" not in text


def test_hmm_report_shows_the_decoded_states(data_dir, tmp_path, capsys):
    model, html = tmp_path / "hmm", tmp_path / "report.html"
    run(["fit", data_dir / "seq.parquet", "--model", "hmm", "-k", 2, "--sequence-column",
         "run", "--random-state", 0, "-o", model, "-q"], capsys)
    assert run(["report", model, data_dir / "seq.parquet", "--sequence-column", "run", "-o",
                html], capsys)[0] == 0
    text = html.read_text()
    assert 'id="states"' in text and "in 3 sequences" in text


def test_input_options_sep_no_header_and_positions(tmp_path, faithful, capsys):
    np.savetxt(tmp_path / "semi.csv", faithful, delimiter=";", header="e;w", comments="")
    np.savetxt(tmp_path / "bare.csv", faithful, delimiter=",")
    model = tmp_path / "m"
    assert run(["fit", tmp_path / "semi.csv", "--sep", ";", "--columns", "0,1", "-k", 2,
                "--random-state", 0, "-o", model, "-q"], capsys)[0] == 0
    sklearn_fit = sklearn_twin(load_model(str(model)))
    status, out, err = run(["score", model, tmp_path / "bare.csv", "--no-header", "--columns",
                            "0,1", "--json"], capsys)
    assert status == 0, err
    assert json.loads(out)["mean_log_likelihood"] == pytest.approx(
        sklearn_fit.score(faithful), rel=1e-9)
    assert json.loads(out)["n_rows"] == len(faithful)  # the first row was not a header
    status, _, err = run(["score", model, tmp_path / "bare.csv", "--columns", "0,1"], capsys)
    assert "looks like numbers" in err and "--no-header" in err


def test_overwriting_a_model_needs_force(data_dir, tmp_path, capsys):
    argv = ["fit", data_dir / "faithful.csv", "--columns", "eruptions,waiting", "-o",
            tmp_path / "m", "-q"]
    assert run(argv, capsys)[0] == 0
    status, _, err = run(argv, capsys)
    assert status == 2 and "--force" in err and len(err.strip().splitlines()) == 1
    assert run([*argv, "--force"], capsys)[0] == 0


def test_verbose_prints_every_iteration_and_plain_lines_when_piped(data_dir, tmp_path,
                                                                   capsys):
    argv = ["fit", data_dir / "faithful.csv", "--columns", "eruptions,waiting", "-o",
            tmp_path / "m", "--tol", 0, "--max-iter", 12, "--force"]
    status, out, err = run([*argv, "-v"], capsys)
    lines = [line for line in err.splitlines() if " iteration " in line]
    assert [int(line.split(" iteration ")[1].split(":")[0]) for line in lines] == \
        list(range(1, 13))
    status, out, err = run(argv, capsys)  # stderr is not a terminal here: plain lines
    assert err.startswith("emkit: restart 1/1: at most 12 iterations over 272 rows")
    assert "\x1b[" not in err and "━" not in err
    status, out, err = run([*argv, "--quiet"], capsys)
    assert err == ""


def test_debug_anywhere_and_version(capsys, tmp_path):
    with pytest.raises(FileNotFoundError):
        main(["fit", str(tmp_path / "missing.csv"), "--debug"])
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.startswith("emkit ")


MODEL_DATA = {
    "gmm": ("gauss", ["--covariance-type", "diag"]), "t": ("gauss", []),
    "poisson": ("counts", []), "binomial": ("counts", ["--n-trials", "30"]),
    "bernoulli": ("binary", []), "categorical": ("codes", []),
    "exponential": ("positive", []), "gamma": ("positive", []),
    "lognormal": ("positive", []), "vmf": ("unit", []), "hmm": ("gauss", []),
    "gmmhmm": ("gauss", ["--n-mix", "2"]), "poisson-hmm": ("counts", []),
    "categorical-hmm": ("code", []),
}


@pytest.fixture(scope="module")
def family_files(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("families")
    n = 120
    tables = {
        "gauss": np.vstack([rng.normal(0, 1, (n // 2, 2)), rng.normal(5, 1, (n // 2, 2))]),
        "counts": np.vstack([rng.poisson(3, (n // 2, 2)), rng.poisson(12, (n // 2, 2))]),
        "binary": (rng.random((n, 3)) < np.repeat([[0.2], [0.8]], n // 2, 0)).astype(int),
        "codes": rng.integers(0, 4, (n, 2)),
        "code": rng.integers(0, 3, (n, 1)),
        "unit": np.vstack([rng.normal([1, 0, 0], 0.2, (n // 2, 3)),
                           rng.normal([0, 0, 1], 0.2, (n // 2, 3))]),
        "positive": np.vstack([rng.gamma(2, 1, (n // 2, 1)), rng.gamma(9, 2, (n // 2, 1))]),
    }
    tables["unit"] /= np.linalg.norm(tables["unit"], axis=1, keepdims=True)
    for name, values in tables.items():
        pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1])]).to_parquet(
            folder / f"{name}.parquet")
    return folder, tables


@pytest.mark.slow
@pytest.mark.parametrize("model", list(MODEL_DATA))
def test_every_model_family_fits_and_predicts_from_the_command(model, family_files, tmp_path,
                                                               capsys):
    folder, tables = family_files
    kind, options = MODEL_DATA[model]
    data, path = folder / f"{kind}.parquet", tmp_path / "m"
    status, out, err = run(["fit", data, "--model", model, "-k", 2, "--random-state", 0,
                            "--max-iter", 20, "-o", path, "--json", *options], capsys)
    assert status == 0, err
    estimator = load_model(str(path))
    X = pd.DataFrame(tables[kind].astype(float),
                     columns=[f"c{j}" for j in range(tables[kind].shape[1])])
    status, out, err = run(["predict", path, data], capsys)
    assert status == 0, err
    labels = pd.read_csv(__import__("io").StringIO(out)).iloc[:, 0].to_numpy()
    np.testing.assert_array_equal(labels, estimator.predict(X))
    assert json.loads(run(["score", path, data, "--json"], capsys)[1])["n_rows"] == len(X)
