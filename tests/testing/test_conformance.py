"""Every shipped component and model against the public conformance kit (emkit.testing)."""
import pytest

from emkit.testing import check_component, check_model
from registry import COMPONENTS, MODELS


@pytest.mark.parametrize("case", COMPONENTS, ids=[c.name for c in COMPONENTS])
def test_component_passes_the_conformance_kit(case):
    check_component(case.component, case.params, case.reference, **case.options)


@pytest.mark.parametrize("case", MODELS, ids=[c.name for c in MODELS])
def test_model_passes_the_conformance_kit(case):
    check_model(case.model, case.data, **case.options)
