"""The conjugate priors against scipy.stats and against direct maximisation."""
import numpy as np
import pytest
from scipy import optimize, stats

from emkit.priors import Beta, Dirichlet, Gamma


def test_dirichlet_log_pdf_matches_scipy():
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
    prior = Dirichlet([1.5, 2.0, 3.0])
    expected = sum(stats.dirichlet([1.5, 2.0, 3.0]).logpdf(p) for p in probs)
    assert prior.log_pdf(probs) == pytest.approx(expected, rel=1e-12)


def test_beta_and_gamma_log_pdf_match_scipy():
    p = np.array([0.1, 0.5, 0.9])
    assert Beta(2.0, 3.5).log_pdf(p) == pytest.approx(stats.beta(2.0, 3.5).logpdf(p).sum())
    x = np.array([0.3, 2.0, 7.5])
    expected = stats.gamma(2.5, scale=1 / 0.7).logpdf(x).sum()
    assert Gamma(2.5, 0.7).log_pdf(x) == pytest.approx(expected, rel=1e-12)


def test_dirichlet_mode_maximises_the_posterior():
    counts, prior = np.array([3.0, 0.0, 7.0]), Dirichlet(2.0)

    def negative_log_posterior(z):
        p = np.exp(z) / np.exp(z).sum()
        return -(np.sum(counts * np.log(p)) + prior.log_pdf(p))

    z = optimize.minimize(negative_log_posterior, np.zeros(3), tol=1e-12).x
    np.testing.assert_allclose(prior.mode(counts), np.exp(z) / np.exp(z).sum(), atol=1e-6)


@pytest.mark.parametrize("make", [lambda: Dirichlet(0.5), lambda: Beta(0.2, 1),
                                  lambda: Gamma(2.0, -1.0)])
def test_improper_hyper_parameters_are_rejected(make):
    with pytest.raises(ValueError, match="must be"):
        make()
