"""StudentTMixture: the Student-t family's arguments as estimator parameters.

Needs emkit.components.StudentT (branch ``continuous``); the robustness of Student-t mixtures
to outliers is tested with the component (tests/components/test_student_t_mixture.py).
"""
import pickle

import numpy as np

from emkit import MixtureModel
from emkit.components import StudentT
from emkit.estimators.student_t_mixture import StudentTMixture

MEANS = np.array([[0.0, 0.0], [6.0, 6.0]])


def _with_outliers(seed=0):
    rng = np.random.default_rng(seed)
    clusters = np.vstack([rng.normal(m, 1.0, (190, 2)) for m in MEANS])
    outliers = rng.uniform(-60.0, 60.0, (20, 2))  # 5% gross outliers
    return np.vstack([clusters, outliers])


def test_student_t_arguments_are_estimator_parameters():
    estimator = StudentTMixture(2, dof=4.0, reg_covar=1e-5)
    params = estimator.get_params()
    assert params["dof"] == 4.0 and params["dof_init"] == 10.0 and params["reg_covar"] == 1e-5
    assert "dof_init : float" in StudentTMixture.__doc__


def test_student_t_mixture_is_the_mixture_model_of_student_t():
    X = _with_outliers()
    named = StudentTMixture(2, random_state=0).fit(X)
    generic = MixtureModel(StudentT(), 2, random_state=0).fit(X)
    for path, value in generic.params_.paths().items():
        np.testing.assert_array_equal(named.params_.get_path(path), value)
    restored = pickle.loads(pickle.dumps(named))
    np.testing.assert_array_equal(restored.predict(X), named.predict(X))

