"""Model files: JSON + .npz, no pickle, fitted estimators survive the round trip."""
import json

import numpy as np
import pytest

import emkit
from emkit.persist import load, save
from conftest import COVARIANCE_TYPES, make_blobs


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_round_trip_preserves_every_prediction(tmp_path, covariance_type):
    X = make_blobs(seed=1)
    fitted = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    json_path, npz_path = save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.covariances_, fitted.covariances_)
    assert loaded.history_.to_table() == fitted.history_.to_table()
    assert loaded.n_iter_ == fitted.n_iter_ and loaded.lower_bound_ == fitted.lower_bound_
    spec = json.loads(json_path.read_text())
    assert spec["estimator"] == "GaussianMixture" and "numpy" in spec["versions"]
    with np.load(npz_path, allow_pickle=False) as arrays:
        assert all(arrays[key].dtype != object for key in arrays.files)


def test_feature_names_survive(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(make_blobs(n_features=2), columns=["a", "b"])
    save(emkit.GaussianMixture(2, random_state=0).fit(X), tmp_path / "m")
    assert list(load(tmp_path / "m").feature_names_in_) == ["a", "b"]


def test_a_file_naming_a_foreign_class_is_refused(tmp_path):
    save(emkit.GaussianMixture(2, random_state=0).fit(make_blobs()), tmp_path / "m")
    spec = json.loads((tmp_path / "m.json").read_text())
    spec["estimator"] = "os.system"
    (tmp_path / "m.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="names estimator 'os.system', which is not one of"):
        load(tmp_path / "m")
