"""Every error listed in docs/errors.md can be triggered, with its class and message."""
import os
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import emkit
from emkit.engine import fit as engine_fit
from emkit.exceptions import ComponentCollapseError, DataError

DOC = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "errors.md")
ENTRY = re.compile(r"^### ([\w-]+): (\w+)\nMessage contains: `(.+?)`\n", re.MULTILINE)
X = np.random.RandomState(0).randn(60, 2)


def entries():
    with open(DOC) as doc:
        return ENTRY.findall(doc.read())


def fitted():
    return emkit.GaussianMixture(2, random_state=0).fit(X)


def saved(tmp_path):
    return emkit.save(fitted(), tmp_path / "m")


def rewrite_spec(path, change):
    import json
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["spec.json"] = json.dumps(change(json.loads(members["spec.json"]))).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rewrite_array(path, name, array):
    import io
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    members[f"arrays/{name}.npy"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)
    return path


def truncated_npy(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros((2000, 2)))
    batches = emkit.sources.NpyReader(path).batches(500)
    next(batches)
    with open(path, "r+b") as handle:
        handle.truncate(2000)
    list(batches)


def checkpoint(tmp_path):
    path = tmp_path / "c.ckpt"
    engine_fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, max_iter=1, checkpoint=path)
    return path


def collapse():
    rng = np.random.RandomState(0)
    rows = np.r_[np.full(30, 2.0), rng.gamma(5.0, 3.0, 30)][:, None]  # 30 equal values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.AnatomyWarning)
        emkit.MixtureModel(emkit.Gamma(), 2, random_state=0).fit(rows)


def version_7(tmp_path):
    from emkit.persist import save as save_version_1

    save_version_1(fitted(), tmp_path / "old")
    (tmp_path / "old.json").write_text(
        (tmp_path / "old.json").read_text().replace('"format": 1', '"format": 7'))
    emkit.load(tmp_path / "old")


def foreign_component(tmp_path):
    class Mine(emkit.Gaussian):
        pass

    emkit.save(emkit.MixtureModel(Mine(), 2, random_state=0).fit(X), tmp_path / "m")


def convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emkit.GaussianMixture(2, max_iter=1, tol=0.0, random_state=0).fit(X)


TRIGGERS = {
    "data-not-2d": lambda t: emkit.GaussianMixture(2).fit(X[:, 0]),
    "data-complex": lambda t: emkit.GaussianMixture(2).fit(X + 1j),
    "data-text": lambda t: emkit.GaussianMixture(2).fit(np.array([["a", "b"]] * 5)),
    "data-nan": lambda t: emkit.MixtureModel(emkit.Multinomial(), 2).fit(
        np.vstack([np.round(np.abs(X)), [[np.nan, 0.0]]])),
    "data-no-rows": lambda t: (open(t / "h.csv", "w").write("a,b\n"),
                               emkit.GaussianMixture(2).fit(
                                   emkit.sources.open_source(t / "h.csv"))),
    "data-too-few-rows": lambda t: emkit.GaussianMixture(5).fit(X[:3]),
    "data-constant-column": lambda t: emkit.GaussianMixture(2).fit(np.c_[X, np.ones(60)]),
    "data-too-large": lambda t: emkit.GaussianMixture(2).fit(X * 1e300),
    "data-outside-support": lambda t: emkit.PoissonMixture(2).fit(-np.abs(X)),
    "poisson-count-too-large": lambda t: emkit.PoissonMixture(2).fit(np.full((5, 1), 1e16)),
    "row-impossible": lambda t: fitted().predict(np.array([[1e300, -1e300]])),
    "weights-negative": lambda t: emkit.GaussianMixture(2).fit(X, sample_weight=-np.ones(60)),
    "weights-overflow": lambda t: emkit.GaussianMixture(2).fit(
        X, sample_weight=np.full(60, 1e308)),
    "npy-truncated": truncated_npy,
    "reg-covar": lambda t: emkit.GaussianMixture(2, reg_covar=np.inf).fit(X),
    "tol": lambda t: emkit.GaussianMixture(2, tol=-1.0).fit(X),
    "not-fitted": lambda t: emkit.GaussianMixture(2).predict(X),
    "collapse": lambda t: collapse(),
    "file-missing": lambda t: emkit.load(t / "none"),
    "file-directory": lambda t: emkit.save(fitted(), t),
    "file-exists": lambda t: emkit.save(fitted(), saved(t)),
    "file-not-regular": lambda t: (os.symlink("/dev/zero", t / "z.emk"), emkit.load(t / "z")),
    "file-not-zip": lambda t: ((t / "j.emk").write_bytes(b"junk"), emkit.load(t / "j")),
    "file-format": version_7,
    "file-parameter": lambda t: emkit.load(rewrite_array(saved(t), "params.weights",
                                                         np.array([0.9, 0.9]))),
    "file-dtype": lambda t: emkit.load(rewrite_array(saved(t), "params.components.means",
                                                     np.zeros((2, 2), np.float16))),
    "file-too-large": lambda t: emkit.load(saved(t), max_bytes=100),
    "file-foreign-class": lambda t: emkit.load(rewrite_spec(
        saved(t), lambda s: {**s, "estimator": "os.system"})),
    "save-foreign-component": foreign_component,
    "resume-missing": lambda t: engine_fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X,
                                           resume=t / "none"),
    "resume-other-model": lambda t: engine_fit(emkit.Mixture(emkit.Gaussian("full"), 2), X,
                                               resume=checkpoint(t)),
    "resume-damaged": lambda t: ((t / "bad.ckpt").write_bytes(b"junk"),
                                 emkit.GaussianMixture(2).fit(X, resume=t / "bad.ckpt")),
    "resume-other-data": lambda t: emkit.GaussianMixture(2, covariance_type="diag").fit(
        X[:50], resume=checkpoint(t)),
    "resume-other-values": lambda t: emkit.GaussianMixture(2, covariance_type="diag").fit(
        X + 1.0, resume=checkpoint(t)),
    "checkpoint-restarts": lambda t: emkit.GaussianMixture(2, n_init=2).fit(
        X, checkpoint=t / "c"),
    "checkpoint-squarem": lambda t: emkit.GaussianMixture(2, accelerate="squarem").fit(
        X, checkpoint=t / "c"),
    "checkpoint-folder": lambda t: emkit.GaussianMixture(2).fit(
        X, checkpoint=t / "missing" / "c"),
    "checkpoint-not-ours": lambda t: (t / "data.csv").write_text("a\n1\n") and
    emkit.GaussianMixture(2).fit(X, checkpoint=t / "data.csv"),
    "convergence": lambda t: convergence(),
}

CLASSES = {"ValueError": ValueError, "DataError": DataError,
           "ModelFileError": emkit.ModelFileError, "FileExistsError": FileExistsError,
           "NotFittedError": NotFittedError, "ComponentCollapseError": ComponentCollapseError,
           "ConvergenceWarning": emkit.ConvergenceWarning}


def test_every_entry_has_a_trigger_and_every_trigger_an_entry():
    assert sorted(name for name, _, _ in entries()) == sorted(TRIGGERS)


@pytest.mark.parametrize("name, cls, fragment", entries(), ids=[e[0] for e in entries()])
def test_each_documented_error_is_raised_as_documented(tmp_path, name, cls, fragment):
    with pytest.raises(CLASSES[cls], match=re.escape(fragment)) as raised:
        TRIGGERS[name](tmp_path)
    assert type(raised.value) is CLASSES[cls] or cls == "ValueError"
    assert "\n" not in str(raised.value).strip()  # one line
