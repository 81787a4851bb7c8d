"""Properties of EM over every shipped component and model (tests/registry.py), by hypothesis.

For random data (sizes, seeds, scales from 1e-6 to 1e6 where the family allows) and starts:

* the objective never decreases, and the bound after each E-step equals it, unless a warning
  (NonMonotoneWarning, AnatomyWarning) names the cause;
* the same seed gives bit-identical parameters and anatomy;
* the result does not depend on the order of independent rows, nor on the chunk size (up to
  the rounding of reassociated sums);
* scores are finite or -inf, never NaN.

A fit may also end in a documented exception (a component collapses on a draw of few rows):
that is an accepted outcome, never a crash. ``EMKIT_PROPERTY_EXAMPLES`` examples run per case
(1 in ``make test``; ``make fuzz`` runs 60 per case, beside the fuzz job: more than 10,000
examples in all).
"""
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from emkit.backends.numpy_backend import NumpyBackend
from emkit.engine import fit
from emkit.engine.data import Block
from emkit.engine.monitor import BOUND_MISMATCH, ROUNDING
from emkit.exceptions import AnatomyWarning, NonMonotoneWarning
from emkit.models import Mixture

from registry import COMPONENTS, MODELS, FiniteMixture

EXAMPLES = int(os.environ.get("EMKIT_PROPERTY_EXAMPLES", "1"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 1,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
#: Families whose support is all of R^D (or a box): the data may be scaled freely.
SCALABLE = ("gaussian", "student", "uniform", "independent-gaussians", "stacked-gaussians")
RTOL = 1e-6  # reassociated sums over other row orders and chunks: rounding, amplified by EM


def _draw(case, n, seed, scale):
    weights = np.array([0.4, 0.6])
    laws = [case.reference(case.params, k) for k in range(2)]
    X = np.asarray(FiniteMixture(weights, laws).rvs(n, random_state=seed), dtype=float)
    X = X.reshape(n, -1)
    return X * scale if case.name.startswith(SCALABLE) else X


def _fit(model, data, **options):
    """``(result, warnings)``, or None when the fit ends in a documented ValueError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit(model, data, max_iter=6, tol=0.0, **options)
        except ValueError as error:  # DataError, ComponentCollapseError: documented
            assert str(error).strip() and "\n" not in str(error).strip()
            return None, caught
    return result, caught


def _anatomy_is_honest(result, caught):
    """Every decrease and every bound mismatch comes with a warning naming it."""
    kinds = {type(w.message) for w in caught}
    for row in result.history:
        scale = max(1.0, abs(row.evidence), result.n_samples)
        assert row.change >= -ROUNDING * scale or NonMonotoneWarning in kinds, row
        assert abs(row.bound_e - row.evidence) <= BOUND_MISMATCH * scale \
            or AnatomyWarning in kinds, row
        assert not np.isnan(row.evidence) and not np.isnan(row.bound_e)


def _table(result):
    """The anatomy rows without their wall times (the only column that may differ)."""
    return [tuple(value for name, value in row.__dict__.items() if name != "seconds")
            for row in result.history]


def _assert_same_params(a, b, exact):
    pa, pb = a.params.paths(), b.params.paths()
    assert sorted(pa) == sorted(pb)
    for name in pa:
        if exact:
            np.testing.assert_array_equal(pa[name], pb[name], err_msg=name)
        else:
            np.testing.assert_allclose(pa[name], pb[name], rtol=RTOL,
                                       atol=RTOL * (1 + np.max(np.abs(pa[name]))), err_msg=name)


def _check_everything(model, data, seed, chunk, permutation=None, fixed=()):
    first, caught = _fit(model, data, random_state=seed, fixed=fixed)
    if first is None:
        return
    _anatomy_is_honest(first, caught)
    again, _ = _fit(model, data, random_state=seed, fixed=fixed)
    _assert_same_params(first, again, exact=True)
    assert _table(first) == _table(again)
    start = first.params  # from one start, other chunks and row orders give the same steps
    chunked, _ = _fit(model, data, init=start, backend=NumpyBackend(chunk_size=chunk),
                      fixed=fixed)
    reference, _ = _fit(model, data, init=start, fixed=fixed)
    if chunked is None or reference is None:
        return
    _assert_same_params(reference, chunked, exact=False)
    if permutation is not None:
        X = data.X if isinstance(data, Block) else data
        shuffled, _ = _fit(model, X[permutation], init=start, fixed=fixed)
        if shuffled is not None:
            _assert_same_params(reference, shuffled, exact=False)
    block = data if isinstance(data, Block) else Block(data)
    scores = model.row_log_likelihood(reference.params, block)
    assert not np.isnan(scores).any()


@pytest.mark.parametrize("case", COMPONENTS, ids=[c.name for c in COMPONENTS])
@PROPERTY
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(12, 150), exponent=st.integers(-6, 6),
       chunk=st.integers(1, 64), data=st.data())
def test_mixtures_of_every_component(case, seed, n, exponent, chunk, data):
    X = _draw(case, n, seed, 10.0 ** exponent)
    permutation = data.draw(st.permutations(range(n)))
    _check_everything(Mixture(case.component, 2), X, seed, chunk, np.array(permutation))


@pytest.mark.parametrize("case", MODELS, ids=[c.name for c in MODELS])
@PROPERTY
@given(seed=st.integers(0, 2**31 - 1), chunk=st.integers(1, 64), data=st.data())
def test_every_model(case, seed, chunk, data):
    sequences = isinstance(case.data, Block) and case.data.lengths is not None
    labelled = isinstance(case.data, Block) and case.data.labels is not None
    n = case.data.n_samples if isinstance(case.data, Block) else len(case.data)
    permutation = None if sequences or labelled else np.array(
        data.draw(st.permutations(range(n))))
    _check_everything(case.model, case.data, seed, chunk, permutation,
                      case.options.get("fixed", ()))
