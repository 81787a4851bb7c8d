"""The examples in the estimators' docstrings run and print what they show."""
import doctest

import pytest

from emkit.estimators import estimator, mixture_model, regression_mixture


@pytest.mark.parametrize("module", [estimator, mixture_model, regression_mixture], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0
