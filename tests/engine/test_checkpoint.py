"""Checkpoint and resume: a fit killed with SIGKILL and resumed equals one never interrupted."""
import os
import subprocess
import sys

import numpy as np
import pytest

import emkit
from emkit.engine import fit
from emkit.engine.checkpoint import read_checkpoint

CHILD = os.path.join(os.path.dirname(__file__), "ckpt_child.py")


def run_child(*arguments):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, CHILD, *arguments], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow  # two fresh processes per case (each compiles the kernels)
@pytest.mark.parametrize("case", ["mixture", "hmm", "streamed"])
def test_a_fit_killed_and_resumed_equals_one_never_interrupted(tmp_path, case):
    killed = run_child(case, str(tmp_path), "kill")
    assert killed.returncode == -9, killed.stderr  # really killed mid-way
    saved = read_checkpoint(tmp_path / f"{case}.ckpt")
    assert len(saved.rows) in (5, 6)  # the checkpoint of the last step before the kill
    done = run_child(case, str(tmp_path), "after")
    assert done.returncode == 0, done.stderr
    with np.load(tmp_path / f"{case}-resume.npz") as resumed, \
            np.load(tmp_path / f"{case}-whole.npz") as whole:
        assert sorted(resumed.files) == sorted(whole.files)
        for name in whole.files:
            np.testing.assert_array_equal(resumed[name], whole[name], err_msg=name)
        assert len(whole["history"]) == 15


def test_checkpoints_are_written_every_n_iterations_and_atomically(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 2)
    path = tmp_path / "c.ckpt"
    seen = []

    def look(row, params):
        seen.append(len(read_checkpoint(path).rows) if path.exists() else 0)

    fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, random_state=0, max_iter=7, tol=0.0,
        checkpoint=path, checkpoint_every=3, callbacks=[look])
    assert seen == [0, 0, 0, 3, 3, 3, 6]  # callbacks run before the checkpointer
    assert [p for p in os.listdir(tmp_path)] == ["c.ckpt"]  # no temporary left behind


def test_resuming_another_model_or_a_missing_file_is_refused(tmp_path):
    X = np.random.RandomState(0).randn(100, 2)
    path = tmp_path / "c.ckpt"
    fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, random_state=0, max_iter=2,
        checkpoint=path)
    with pytest.raises(ValueError, match="was written by a fit of"):
        fit(emkit.Mixture(emkit.Gaussian("full"), 2), X, resume=path)
    with pytest.raises(ValueError, match="the checkpoint does not exist"):
        fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, resume=tmp_path / "none")
    (tmp_path / "bad").write_bytes(b"junk")
    with pytest.raises(ValueError, match="is not an emkit checkpoint"):
        fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, resume=tmp_path / "bad")
    with pytest.raises(ValueError, match="follow one run"):
        fit(emkit.Mixture(emkit.Gaussian("diag"), 2), X, n_init=2, checkpoint=path)
