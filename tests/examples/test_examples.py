"""The runnable custom models in examples/ and the code in docs/custom-models.md.

Each example's fitted values are compared with the maximum-likelihood estimate found without
emkit (closed form, or scipy.optimize on the observed-data likelihood).
"""
import contextlib
import io
import re

import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.testing import Product, check_component

from conftest import ROOT, load_example as load


@pytest.fixture(scope="module")
def component_example():
    return load("custom_component")


@pytest.fixture(scope="module")
def model_example():
    return load("custom_model")


def test_the_rayleigh_component_reaches_the_closed_form_mle(component_example):
    rng = np.random.default_rng(1)
    X, weights = rng.rayleigh([2.0, 0.7], size=(400, 2)), rng.uniform(0.5, 2.0, 400)
    model = emkit.MixtureModel(component_example.Rayleigh(), 1).fit(X, sample_weight=weights)
    closed_form = np.sqrt(weights @ X ** 2 / (2 * weights.sum()))
    np.testing.assert_allclose(model.scales_[0], closed_form, rtol=1e-12)


def test_the_rayleigh_component_passes_the_conformance_kit(component_example):
    params = emkit.Tree(scales=np.array([[1.0, 3.0], [5.0, 0.5]]))
    check_component(component_example.Rayleigh(), params, lambda p, k: Product(
        [stats.rayleigh(scale=s) for s in p.scales[k]]))


def test_the_rayleigh_mixture_reaches_the_direct_mle(component_example):
    with contextlib.redirect_stdout(io.StringIO()):
        model = component_example.main()
    rng = np.random.default_rng(0)  # the example's data
    X = np.vstack([rng.rayleigh([1.0, 3.0], size=(300, 2)), rng.rayleigh([5.0, 0.5], (200, 2))])

    def negative_log_lik(z):
        w = 1 / (1 + np.exp(-z[0]))
        scales = np.exp(z[1:]).reshape(2, 2)
        densities = [np.prod(stats.rayleigh(scale=s).pdf(X), axis=1) for s in scales]
        return -np.sum(np.log(w * densities[0] + (1 - w) * densities[1]))

    start = np.r_[0.0, np.log([[1.5, 2.0], [3.0, 1.0]]).ravel()]
    z = optimize.minimize(negative_log_lik, start, method="BFGS", tol=1e-10).x
    refit = emkit.MixtureModel(component_example.Rayleigh(), 2, n_init=3, tol=1e-12,
                               max_iter=2000, random_state=0).fit(X)
    order = np.argsort(refit.scales_[:, 0])
    np.testing.assert_allclose(refit.scales_[order], np.exp(z[1:]).reshape(2, 2), rtol=1e-5)
    assert refit.weights_[order][0] == pytest.approx(1 / (1 + np.exp(-z[0])), rel=1e-5)
    assert model.weights_.shape == (2,)


def test_the_blood_type_model_reaches_the_direct_mle(model_example):
    with contextlib.redirect_stdout(io.StringIO()):
        result = model_example.main()
    n_a, n_b, n_ab, n_o = model_example.COUNTS

    def negative_log_lik(z):
        p, q, r = np.exp(z) / np.exp(z).sum()
        return -(n_a * np.log(p * p + 2 * p * r) + n_b * np.log(q * q + 2 * q * r)
                 + n_ab * np.log(2 * p * q) + n_o * np.log(r * r))

    z = optimize.minimize(negative_log_lik, np.zeros(3), method="BFGS", tol=1e-12).x
    np.testing.assert_allclose(result.params.alleles, np.exp(z) / np.exp(z).sum(), atol=1e-7)
    assert result.log_likelihood == pytest.approx(-negative_log_lik(z), rel=1e-10)


def _doc_blocks():
    text = (ROOT / "docs" / "custom-models.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_docs_quote_the_examples_verbatim():
    quoted = [b for b in _doc_blocks() if b.startswith("# examples/")]
    assert len(quoted) == 2
    for block in quoted:
        path, _, code = block.partition("\n")
        assert code in (ROOT / path[2:]).read_text(), f"docs differ from {path[2:]}"


def test_the_docs_usage_runs(component_example, model_example):
    modules = {"examples/custom_component.py": component_example,
               "examples/custom_model.py": model_example}
    usages = [b for b in _doc_blocks() if b.startswith("# using ")]
    assert len(usages) == 5
    namespaces = {}
    for block in usages:
        path = block.partition("\n")[0][len("# using "):]
        namespace = namespaces.setdefault(path, dict(vars(modules[path])))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/custom-models.md ({path})", "exec"), namespace)
