"""The examples in emkit's docstrings run and print what they show (every module of the
package, as ``pytest --doctest-modules src/emkit`` would, without importing ``__main__``)."""
import doctest
import importlib
import pkgutil

import pytest

import emkit


def _modules():
    names = [emkit.__name__] + [info.name for info in pkgutil.walk_packages(
        emkit.__path__, prefix=f"{emkit.__name__}.") if not info.name.endswith("__main__")]
    return names


def _with_examples(names):
    found = []
    for name in names:
        module = importlib.import_module(name)
        if any(test.examples for test in doctest.DocTestFinder().find(module)):
            found.append(name)
    return found


MODULES = _with_examples(_modules())


def test_doctests_are_found():
    assert "emkit.estimators.gaussian_mixture" in MODULES
    assert "emkit.estimators.discrete_mixtures" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE
                             | doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
