"""A user error is exit code 2 and one line on stderr, with no traceback; Ctrl-C is one line
and 130; a closed pipe ends the command quietly. Once as a subprocess, the rest in-process."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli_fixtures import data_dir, faithful, sequences  # noqa: F401  (fixtures)

import emkit.cli
from emkit.cli import main

pd = pytest.importorskip("pandas")

SRC = str(Path(emkit.cli.__file__).resolve().parents[2])


def emkit_process(*argv, **options):
    """Run ``python -m emkit argv`` with this checkout's emkit."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "emkit", *map(str, argv)], env=env,
                          capture_output=True, text=True, timeout=300, **options)


@pytest.fixture(scope="module")
def model(data_dir, tmp_path_factory):
    """A Gaussian mixture fitted on faithful.csv's two columns, and a 3-column one."""
    folder = tmp_path_factory.mktemp("models")
    for name, columns in (("two", "eruptions,waiting"), ("three", "eruptions,waiting,label")):
        assert main(["fit", str(data_dir / "faithful.csv"), "--columns", columns, "-o",
                     str(folder / name), "-q", "--random-state", "0"]) == 0
    return folder


def _corrupt(folder):
    """A model whose JSON is not JSON (the 0.1 pair) or a zip that is cut short (.emk)."""
    (folder / "corrupt.json").write_text('{"format": 1, "estimator": ')
    (folder / "corrupt.npz").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "corrupt.emk").write_bytes(b"PK\x03\x04 not really a zip")
    return folder / "corrupt"


def _hostile(folder):
    """Valid JSON naming a class outside emkit, with arrays the spec does not describe."""
    spec = {"format": 1, "estimator": "GaussianMixture",
            "hyper_parameters": {"n_components": {"__emkit__": "os.system", "args": ["true"],
                                                  "kwargs": {}}}}
    (folder / "hostile.json").write_text(json.dumps(spec))
    np.savez(folder / "hostile.npz", x=np.zeros(2))
    with zipfile.ZipFile(folder / "hostile.emk", "w") as archive:
        archive.writestr("spec.json", json.dumps(spec))
    return folder / "hostile"


def _header_only(folder):
    (folder / "empty.csv").write_text("a,b\n")
    return folder / "empty.csv"


def _cases(data_dir, models, tmp_path):
    csv = str(data_dir / "faithful.csv")
    text = tmp_path / "text.csv"
    text.write_text("x,y\n1,a\n2,b\n3,c\n")
    return {
        "missing file": (["fit", str(tmp_path / "nope.csv")], "does not exist"),
        "unknown column": (["fit", csv, "--columns", "eruptions,nope"], "'nope' not found"),
        "non-numeric column": (["fit", str(text)], "--columns x"),
        "k zero": (["fit", csv, "--columns", "eruptions", "-k", "0"], "-k/--n-components"),
        "corrupt model": (["predict", str(_corrupt(tmp_path)), csv], "corrupt"),
        "hostile model": (["predict", str(_hostile(tmp_path)), csv], "hostile"),
        "model of another width": (["predict", str(models / "three"), csv, "--columns",
                                    "eruptions,waiting"], "3 features"),
        "unknown model": (["fit", csv, "--model", "nope"], "invalid choice: 'nope'"),
        "unknown option": (["fit", csv, "--bogus"], "unrecognized arguments: --bogus"),
        "option of another model": (["fit", csv, "--n-mix", "2"], "--n-mix applies to"),
        "infinite timeout": (["fit", csv, "--scheduler", "tcp://127.0.0.1:1",
                              "--connect-timeout", "inf"], "--connect-timeout"),
        "huge sample": (["sample", str(models / "two"), "-n", "10000000000"],
                        "-n/--n-samples must be between 1 and"),
        "model features missing": (["score", str(models / "two"), str(text)],
                                   "fitted on the columns eruptions,waiting"),
        "format of an unknown suffix": (["fit", str(tmp_path / "x.txt")], "does not exist"),
        "sequence options on a mixture": (["score", str(models / "two"), csv,
                                           "--sequence-column", "label"], "apply to HMMs"),
        "header-only file": (["fit", str(_header_only(tmp_path))], "has no rows"),
        "feature names in another order": (["predict", str(models / "two"), csv, "--columns",
                                            "waiting,eruptions"], "feature names should "),
    }


CASES = ["missing file", "unknown column", "non-numeric column", "k zero", "corrupt model",
         "hostile model", "model of another width", "unknown model", "unknown option",
         "option of another model", "infinite timeout", "huge sample",
         "model features missing", "format of an unknown suffix",
         "sequence options on a mixture", "feature names in another order",
         "header-only file"]


@pytest.mark.parametrize("case", CASES)
def test_a_user_error_is_exit_2_and_one_line(case, data_dir, model, tmp_path, capsys):
    argv, expected = _cases(data_dir, model, tmp_path)[case]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("emkit") and "error:" in lines[0]
    assert expected in lines[0] and "Traceback" not in captured.err


def test_remedies_are_phrased_as_options(data_dir, tmp_path, capsys):
    text = tmp_path / "text.csv"
    text.write_text("x,y,z\n1,a,2\n2,b,3\n")
    assert main(["fit", str(text)]) == 2
    err = capsys.readouterr().err
    assert "Leave them out with --columns x,z" in err and "columns=" not in err


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, data_dir, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(emkit.cli.COMMANDS, "fit", interrupted)
    assert main(["fit", str(data_dir / "faithful.csv")]) == 130
    assert capsys.readouterr().err == "emkit fit: interrupted\n"


@pytest.mark.slow
def test_as_a_subprocess_errors_pipes_and_debug(data_dir, model, tmp_path):
    missing = emkit_process("fit", tmp_path / "missing.parquet")
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    debug = emkit_process("fit", tmp_path / "missing.parquet", "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    # `emkit sample ... | head -1`: several MB into a pipe closed after one line
    piped = subprocess.run(
        f"{sys.executable} -m emkit sample {model / 'two'} -n 300000 | head -1",
        shell=True, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=SRC))
    assert piped.stdout == "eruptions,waiting,component\n"
    assert piped.stderr == ""
    version = emkit_process("--version")
    assert version.returncode == 0 and version.stdout.startswith("emkit ")
