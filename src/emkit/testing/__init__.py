"""Public conformance kits: check a component or a latent variable model against references.

``check_component(component, params, reference)`` compares a component with an independent
reference density (usually scipy.stats) property by property; ``check_model(model, data)``
checks the EM guarantees of a model and its posterior by brute-force enumeration. Both raise
``AssertionError`` naming the failing property, so they work in any test runner.
``expected_failed_checks`` says which scikit-learn estimator checks a mixture estimator is
expected to fail, and why.
"""
from .component import CHECKS, check_component
from .model import check_model, mixture_log_joint
from .references import Product
from .sklearn_checks import expected_failed_checks

__all__ = ["CHECKS", "Product", "check_component", "check_model", "expected_failed_checks",
           "mixture_log_joint"]
