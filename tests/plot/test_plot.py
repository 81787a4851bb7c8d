"""Every plot function on every covariance type and on a DataFrame writes a non-blank PNG;
the old functions' defects (diagonal covariances, DataFrames, the demo title) are fixed."""
import numpy as np
import pytest

import emkit
from emkit import plot
from conftest import COVARIANCE_TYPES, make_blobs
from images import assert_not_blank

plt = pytest.importorskip("matplotlib.pyplot")
pd = pytest.importorskip("pandas")


def save(ax_or_axes, path):
    figure = np.ravel(ax_or_axes)[0].figure
    figure.savefig(path, dpi=60)
    plt.close(figure)
    assert_not_blank(path)


@pytest.fixture(scope="module")
def frame():
    return pd.DataFrame(make_blobs(n_per=80, n_features=3, seed=1), columns=["a", "b", "c"])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_plot_on_every_covariance_type_and_a_dataframe(covariance_type, frame, tmp_path):
    two = frame[["a", "b"]]
    est = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(two)
    save(plot.mixture(est, two), tmp_path / "mixture.png")
    save(plot.anatomy(est), tmp_path / "anatomy.png")
    save(plot.gap(est), tmp_path / "gap.png")
    save(plot.responsibilities(est, two), tmp_path / "responsibilities.png")
    # the old function, given the attributes as scikit-learn lays them out
    save(plot.plot_mixture_2d(two, est.weights_, est.means_, est.covariances_,
                              labels=est.predict(two)), tmp_path / "old.png")
    wide = emkit.GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(frame)
    axes = plot.mixture(wide, frame, title="three features")
    assert np.shape(axes) == (3, 3)
    save(axes, tmp_path / "pairs.png")
    hmm = emkit.GaussianHMM(2, covariance_type=covariance_type, random_state=0,
                            n_iter=5).fit(two, lengths=[120, 120])
    save(plot.hmm_states(hmm, two, lengths=[120, 120], feature="b"), tmp_path / "states.png")
    save(plot.responsibilities(hmm, two, lengths=[120, 120]), tmp_path / "hmm-resp.png")


def test_ellipses_have_the_axes_of_the_covariances_of_every_layout():
    X = np.random.default_rng(0).normal(size=(20, 2))
    variances = np.array([[4.0, 1.0], [1.0, 9.0]])  # diagonal layout: one row per component
    with pytest.raises(ValueError, match="pass covariance_type="):
        plot.plot_mixture_2d(X, [0.5, 0.5], np.zeros((2, 2)), variances)
    ax = plot.plot_mixture_2d(X, [0.5, 0.5], np.zeros((2, 2)), variances,
                              covariance_type="diag")
    axes = sorted((round(p.width, 9), round(p.height, 9)) for p in ax.patches)
    # 1- and 2-sigma ellipses: full axis lengths 2 n sigma (the longer one is the width)
    assert axes == sorted([(2 * n * 2.0, 2 * n * 1.0) for n in (1, 2)]
                          + [(2 * n * 3.0, 2 * n * 1.0) for n in (1, 2)])
    plt.close(ax.figure)
    tied = plot.full_covariances(np.array([[2.0, 0.5], [0.5, 1.0]]), 3, 2, "tied")
    assert tied.shape == (3, 2, 2) and np.all(tied[2] == [[2.0, 0.5], [0.5, 1.0]])
    np.testing.assert_array_equal(plot.full_covariances(np.array([1.0, 4.0, 9.0]), 3, 2)[2],
                                  9.0 * np.eye(2))


@pytest.mark.parametrize("family", ["poisson", "gamma", "exponential", "lognormal", "t",
                                    "poisson-2d"])
def test_mixture_draws_every_family_with_a_density(family, tmp_path):
    rng = np.random.default_rng(0)
    counts = np.concatenate([rng.poisson(3, 150), rng.poisson(15, 150)])[:, None]
    positive = np.concatenate([rng.gamma(2, 1, 150), rng.gamma(9, 2, 150)])[:, None]
    est, X = {
        "poisson": (emkit.PoissonMixture(2, random_state=0), counts),
        "gamma": (emkit.MixtureModel(emkit.Gamma(), 2, random_state=0), positive),
        "exponential": (emkit.MixtureModel(emkit.Exponential(), 2, random_state=0), positive),
        "lognormal": (emkit.MixtureModel(emkit.LogNormal(), 2, random_state=0), positive),
        "t": (emkit.StudentTMixture(2, random_state=0), make_blobs(100, 2, 2)),
        "poisson-2d": (emkit.PoissonMixture(2, random_state=0),
                       np.column_stack([counts[:, 0], rng.permutation(counts[:, 0])])),
    }[family]
    X = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    ax = plot.mixture(est.fit(X), X, title=f"{family} mixture", xlabel="value")
    assert ax.get_title() == f"{family} mixture" and ax.get_xlabel() == "value"
    save(ax, tmp_path / f"{family}.png")


def test_one_dimensional_density_integrates_to_one():
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(0, 1, 200), rng.normal(6, 1.5, 200)])[:, None]
    est = emkit.GaussianMixture(2, random_state=0).fit(X)
    ax = plot.mixture(est, X)
    mixture_line = [line for line in ax.lines if line.get_label() == "mixture"][0]
    x, y = mixture_line.get_data()
    from scipy.stats import norm

    expected = sum(w * norm.pdf(x, m[0], np.sqrt(c[0, 0]))
                   for w, m, c in zip(est.weights_, est.means_, est.covariances_))
    np.testing.assert_allclose(y, expected, rtol=1e-9)
    plt.close(ax.figure)


def test_bic_curves_from_a_table(tmp_path):
    X = make_blobs(n_per=60, n_features=2, seed=2)
    rows = [{"covariance_type": ct, "n_components": k,
             "bic": emkit.GaussianMixture(k, covariance_type=ct, random_state=0).fit(X).bic(X)}
            for ct in COVARIANCE_TYPES for k in (1, 2, 3)]
    table = pd.DataFrame(rows)
    ax = plot.bic(table, title="BIC", ylabel="criterion")
    assert len([line for line in ax.lines if line.get_label() in COVARIANCE_TYPES]) == 4
    best = [line for line in ax.lines if line.get_label() == "best"][0]
    assert best.get_ydata()[0] == table["bic"].min()
    assert ax.get_ylabel() == "criterion"
    save(ax, tmp_path / "bic.png")
    with pytest.raises(ValueError, match="no column"):
        plot.bic(table.drop(columns="bic"))


def test_plot_demo_titles_the_data_it_is_given(tmp_path, monkeypatch):
    X = pd.DataFrame(make_blobs(n_per=50, n_features=2, n_components=2),
                     columns=["u", "v"])
    est = emkit.GaussianMixture(2, random_state=0).fit(X)
    titles = []
    monkeypatch.setattr(plt.Figure, "savefig", lambda fig, path, **kw: (
        titles.extend(ax.get_title() for ax in fig.axes), open(path, "wb").close()))
    plot.plot_demo(X, est, tmp_path / "demo.png", feature_names=("u", "v"), title="My data")
    assert "My data" in titles and not any("Old Faithful" in t for t in titles)


def test_the_default_demo_figure_is_not_blank(tmp_path):
    X = emkit.datasets.load_old_faithful()
    est = emkit.GaussianMixture(2, random_state=0).fit(X)
    assert_not_blank(plot.plot_demo(X, est, tmp_path / "demo.png"))
