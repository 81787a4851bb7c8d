"""``emkit fit --checkpoint PATH [--checkpoint-every N] [--resume PATH]``.

The reference is the model file of an uninterrupted ``emkit fit`` with the same options: a fit
killed (SIGKILL, in a child process) or interrupted (Ctrl-C) and then resumed must write a
model with exactly its parameters and anatomy (all but ``seconds``).
"""
import os
import subprocess
import sys

import numpy as np
import pytest
from cli_fixtures import data_dir, faithful, sequences  # noqa: F401  (fixtures)

import emkit
import emkit.engine.checkpoint as checkpoints
from emkit.cli import main
from emkit.engine.checkpoint import read_checkpoint

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "engine"))
import ckpt_child  # noqa: E402  (the child process, and what it records)


def assert_same_models(path, reference):
    """The model files hold the same parameters and the same fit (all but seconds)."""
    a = ckpt_child.estimator_record(emkit.load(path))
    b = ckpt_child.estimator_record(emkit.load(reference))
    assert sorted(a) == sorted(b)
    for name in b:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.slow  # two fresh processes (each imports emkit and compiles the kernels)
def test_emkit_fit_killed_and_resumed_writes_the_uninterrupted_model(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def child(mode):
        return subprocess.run([sys.executable, ckpt_child.__file__, "cli", str(tmp_path), mode],
                              env=env, capture_output=True, text=True, timeout=300)

    killed = child("kill")
    assert killed.returncode == -9, killed.stderr
    assert not (tmp_path / "cli-killed.emk").exists()
    assert len(read_checkpoint(tmp_path / "cli.ckpt").rows) == ckpt_child.KILL_AT - 1
    done = child("after")
    assert done.returncode == 0, done.stderr
    assert_same_models(tmp_path / "cli-resume.emk", tmp_path / "cli-whole.emk")
    assert emkit.load(tmp_path / "cli-whole.emk").n_iter_ > ckpt_child.KILL_AT + 1


def hmm_fit(data_dir, output, *options):
    return ["fit", str(data_dir / "seq.csv"), "--model", "hmm", "-k", "2", "--columns", "a,b",
            "--sequence-column", "run", "--random-state", "0", "--tol", "0", "--max-iter", "12",
            "-o", str(output), "-q", "--no-progress", *map(str, options)]


def test_ctrl_c_then_resume_writes_the_uninterrupted_model(data_dir, tmp_path, monkeypatch,
                                                           capsys):
    assert main(hmm_fit(data_dir, tmp_path / "whole")) == 0
    real, count = checkpoints.write_checkpoint, [0]

    def write(path, state):
        count[0] += 1
        if count[0] == 5:
            raise KeyboardInterrupt  # Ctrl-C during the fit, after 4 checkpoints
        real(path, state)

    monkeypatch.setattr(checkpoints, "write_checkpoint", write)
    path = tmp_path / "fit.ckpt"
    assert main(hmm_fit(data_dir, tmp_path / "cut", "--checkpoint", path,
                        "--checkpoint-every", 2)) == 130
    monkeypatch.undo()
    assert not (tmp_path / "cut.emk").exists()
    assert len(read_checkpoint(path).rows) == 8  # the fourth checkpoint, every 2 iterations
    capsys.readouterr()
    assert main(hmm_fit(data_dir, tmp_path / "resumed", "--resume", path)) == 0
    assert_same_models(tmp_path / "resumed.emk", tmp_path / "whole.emk")


@pytest.mark.parametrize("options, fragment", [
    (["--checkpoint-every", "2"], "--checkpoint-every applies with --checkpoint PATH"),
    (["--checkpoint", "c.ckpt", "--accelerate", "squarem"], "leave out --accelerate"),
    (["--checkpoint", "c.ckpt", "--n-init", "2"],
     "--checkpoint and --resume follow one run; got --n-init 2. Pass --n-init 1"),
    (["--checkpoint", "c.ckpt", "--checkpoint-every", "0"],
     "--checkpoint-every must be an integer >= 1"),
    (["--resume", "none.ckpt"], "--resume 'none.ckpt': the checkpoint does not exist"),
    (["--checkpoint", "no/such/folder/c.ckpt"], "which is not a writable folder"),
])
def test_checkpoint_options_errors_are_one_line(data_dir, tmp_path, monkeypatch, capsys,
                                                options, fragment):
    monkeypatch.chdir(tmp_path)
    argv = ["fit", str(data_dir / "faithful.csv"), "--columns", "eruptions,waiting", "-q",
            "-o", "m", *options]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert fragment in error and error.count("\n") == 1, error
    assert not os.path.exists("m.emk") and not os.path.exists("c.ckpt")
