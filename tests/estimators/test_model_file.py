"""One-file models (.emk): names honoured, no silent overwrite, every hostile file refused with a
ModelFileError naming the file (and the parameter), within bounded memory."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

import emkit
from emkit import ModelFileError
from emkit.persist import save as save_version_1
from conftest import COVARIANCE_TYPES, make_blobs


@pytest.fixture(scope="module")
def fitted():
    return emkit.GaussianMixture(2, covariance_type="full", random_state=0).fit(make_blobs())


def rewrite(path, spec=None, arrays=None, extra=None, drop=()):
    """Rewrite the .emk at ``path`` with spec/arrays changed (arrays: name -> raw array)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    old_spec = json.loads(members["spec.json"])
    members["spec.json"] = json.dumps(spec(old_spec) if spec else old_spec).encode()
    for name, array in (arrays or {}).items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array, allow_pickle=False)
        members[f"arrays/{name}.npy"] = buffer.getvalue()
    members.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name not in drop:
                archive.writestr(name, data)


def declared_as_stored(spec, **arrays):
    for name, array in arrays.items():
        spec["arrays"][name] = {"shape": list(array.shape), "dtype": array.dtype.str}
    return spec


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_file_round_trips_every_prediction(tmp_path, covariance_type):
    X = make_blobs(seed=1)
    model = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    path = emkit.save(model, tmp_path / "m")
    assert path == tmp_path / "m.emk" and os.listdir(tmp_path) == ["m.emk"]
    loaded = emkit.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.history_.to_table() == model.history_.to_table()
    with zipfile.ZipFile(path) as archive:
        assert all(n == "spec.json" or n.endswith(".npy") for n in archive.namelist())


def test_hmm_round_trips(tmp_path):
    rng = np.random.RandomState(1)
    X = rng.poisson(np.repeat([2.0, 9.0, 2.0, 9.0], 30))[:, None].astype(float)
    model = emkit.PoissonHMM(2, random_state=0).fit(X, lengths=[60, 60])
    loaded = emkit.load(emkit.save(model, tmp_path / "h"))
    np.testing.assert_array_equal(loaded.transmat_, model.transmat_)
    assert loaded.score(X, [60, 60]) == model.score(X, [60, 60])


def test_dots_in_the_name_are_kept_and_nothing_is_overwritten(tmp_path, fitted):
    first = emkit.save(fitted, tmp_path / "run.v1")
    second = emkit.save(fitted, tmp_path / "run.v2")
    assert (first.name, second.name) == ("run.v1.emk", "run.v2.emk")
    assert emkit.save(fitted, tmp_path / "m.emk").name == "m.emk"
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        emkit.save(fitted, tmp_path / "run.v1")
    assert emkit.save(fitted, tmp_path / "run.v1", overwrite=True) == first
    assert emkit.load(tmp_path / "run.v1").n_iter_ == fitted.n_iter_
    assert sorted(os.listdir(tmp_path)) == ["m.emk", "run.v1.emk", "run.v2.emk"]


def test_a_directory_is_not_a_model_name(tmp_path, fitted):
    with pytest.raises(ModelFileError, match="names a directory"):
        emkit.save(fitted, f"{tmp_path}/dir.csv/")
    with pytest.raises(ModelFileError, match="names a directory"):
        emkit.save(fitted, tmp_path)
    assert os.listdir(tmp_path) == []


def test_files_of_version_0_1_still_load(tmp_path, fitted):
    X = make_blobs()
    save_version_1(fitted, tmp_path / "old")
    for name in ("old", "old.json", "old.npz"):
        np.testing.assert_array_equal(emkit.load(tmp_path / name).predict_proba(X),
                                      fitted.predict_proba(X))


def test_an_unknown_format_names_both_versions(tmp_path, fitted):
    save_version_1(fitted, tmp_path / "old")
    spec = json.loads((tmp_path / "old.json").read_text())
    spec["format"] = 7
    (tmp_path / "old.json").write_text(json.dumps(spec))
    with pytest.raises(ModelFileError, match=r"model format 7 \(written by emkit 0\.1\.0\); "
                                             r"this emkit \(.*\) reads format 2"):
        emkit.load(tmp_path / "old")


BAD_PARAMETERS = [
    ("components.means", lambda a: a * np.nan, "contains NaN"),
    ("weights", lambda a: -a, "probabilities are >= 0"),
    ("weights", lambda a: a * 1.8, "sums to 1.8"),
    ("components.covariances", lambda a: a + np.eye(a.shape[-1], k=1),
     "not symmetric"),
    ("components.covariances", lambda a: -a, "not positive definite"),
]


@pytest.mark.parametrize("name, change, problem", BAD_PARAMETERS)
def test_a_parameter_outside_its_set_is_named(tmp_path, fitted, name, change, problem):
    path = emkit.save(fitted, tmp_path / "m")
    stored = fitted.get_fitted_state().params.paths()[name]
    rewrite(path, arrays={f"params.{name}": change(np.asarray(stored))})
    with pytest.raises(ModelFileError, match=f"{path}.*'{name}'.*{problem}") as error:
        emkit.load(path)
    assert error.value.parameter == name


@pytest.mark.parametrize("array, problem", [
    (np.zeros((2, 3), dtype=np.float16), "holds float16 values"),
    (np.array([["a", "b", "c"], ["c", "d", "e"]]), "holds <U1 values"),
    (np.zeros((2, 5)), r"has shape \(2, 5\) where its spec declares \(2, 3\)"),
])
def test_arrays_of_another_type_or_shape_are_refused_before_reading(tmp_path, fitted, array,
                                                                      problem):
    path = emkit.save(fitted, tmp_path / "m")
    rewrite(path, arrays={"params.components.means": array})
    with pytest.raises(ModelFileError, match=problem):
        emkit.load(path)


def test_a_huge_declared_shape_is_refused_without_allocating(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    rewrite(path, spec=lambda s: declared_as_stored(s, **{
        "params.components.means": np.lib.stride_tricks.as_strided(np.zeros(1), (10**6, 10**6),
                                                                   (0, 0))}),
            extra={"arrays/params.components.means.npy": header.getvalue()})
    with pytest.raises(ModelFileError, match=r"declares shape \(1000000, 1000000\)"):
        emkit.load(path)


def test_members_the_spec_does_not_name_are_never_read(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    bomb = io.BytesIO()
    np.lib.format.write_array(bomb, np.zeros(2**23))  # 64 MiB of zeros, 64 kB compressed
    rewrite(path, extra={"arrays/params.bomb.npy": bomb.getvalue()})
    assert os.path.getsize(path) < 2**19
    assert emkit.load(path, max_bytes=2**20).n_iter_ == fitted.n_iter_


def test_a_member_over_the_limit_is_refused(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    with pytest.raises(ModelFileError, match="over the"):
        emkit.load(path, max_bytes=200)


def test_a_link_to_a_device_is_not_read(tmp_path):
    os.symlink("/dev/zero", tmp_path / "m.emk")
    os.symlink("/dev/zero", tmp_path / "old.json")
    np.savez(tmp_path / "old.npz", x=np.zeros(1))
    for name in ("m", "old"):
        with pytest.raises(ModelFileError, match="not a regular file"):
            emkit.load(tmp_path / name)


@pytest.mark.parametrize("content, problem", [
    (b"", "not a zip archive"),
    (os.urandom(4000), "not a zip archive"),
    (b"PK\x03\x04" + b"\0" * 100, "not a zip archive"),
])
def test_files_that_are_not_models(tmp_path, content, problem):
    (tmp_path / "m.emk").write_bytes(content)
    with pytest.raises(ModelFileError, match=problem):
        emkit.load(tmp_path / "m.emk")


@pytest.mark.parametrize("change, problem", [
    (lambda s: [1, 2], "not a JSON object"),
    (lambda s: {k: v for k, v in s.items() if k != "arrays"}, "has no 'arrays'"),
    (lambda s: {**s, "estimator": "os.system"}, "names estimator 'os.system'"),
    (lambda s: {**s, "estimator": None}, "has no 'estimator'|'estimator' is NoneType"),
    (lambda s: {**s, "hyper_parameters": {"n_components": "x"}}, "do not rebuild|must be"),
    (lambda s: {**s, "hyper_parameters": {"nope": 1}}, "do not rebuild"),
    (lambda s: {**s, "result": {**s["result"], "n_iter": "many"}}, "'n_iter' is str"),
    (lambda s: {**s, "result": {"n_iter": 1}}, "record of the fit has entries"),
    (lambda s: {**s, "n_features_in": 5}, "feature names|do not fit"),
    (lambda s: {**s, "arrays": {"params.x": {"shape": [-1], "dtype": "<f8"}}}, "declares"),
    (lambda s: {**s, "arrays": {"../etc": {"shape": [1], "dtype": "<f8"}}}, "not a parameter"),
    (lambda s: {**s, "hyper_parameters": {"n_components": {"__emkit__": "os.system",
                                                           "args": [], "kwargs": {}}}},
     "do not rebuild"),
])
def test_malformed_specs_give_one_clear_error(tmp_path, fitted, change, problem):
    path = emkit.save(fitted, tmp_path / "m")
    rewrite(path, spec=change)
    with pytest.raises(ModelFileError, match=problem):
        emkit.load(path)


def test_deeply_nested_json_is_refused(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    rewrite(path, extra={"spec.json": b"[" * 100000 + b"]" * 100000})
    with pytest.raises(ModelFileError):
        emkit.load(path)


def test_a_missing_member_and_a_truncated_file(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    rewrite(path, drop=("arrays/params.weights.npy",))
    with pytest.raises(ModelFileError, match="no member 'arrays/params.weights.npy'"):
        emkit.load(path)
    path = emkit.save(fitted, tmp_path / "t")
    data = path.read_bytes()
    for cut in (len(data) // 3, len(data) - 30):
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError):
            emkit.load(path)


def test_flipped_bytes_give_a_model_or_a_model_file_error(tmp_path, fitted):
    path = emkit.save(fitted, tmp_path / "m")
    data = bytearray(path.read_bytes())
    rng = np.random.RandomState(0)
    for _ in range(60):
        mutated = bytearray(data)
        for position in rng.randint(0, len(data), size=rng.randint(1, 4)):
            mutated[position] = rng.randint(256)
        path.write_bytes(bytes(mutated))
        try:
            loaded = emkit.load(path)
        except ModelFileError:
            continue
        assert np.all(np.isfinite(loaded.means_))


def test_a_missing_file_names_what_was_looked_for(tmp_path):
    with pytest.raises(ModelFileError, match=r"does not exist \(nor does .*nothing.emk"):
        emkit.load(tmp_path / "nothing")
