"""The emkit command: demo, fit/predict/score/sample round trip, one-line errors."""
import subprocess
import sys

import numpy as np
import pytest

import emkit
from emkit.cli import main


@pytest.fixture
def faithful_csv(tmp_path):
    path = tmp_path / "faithful.csv"
    np.savetxt(path, emkit.datasets.load_old_faithful(), delimiter=",",
               header="eruptions,waiting", comments="")
    return path


def test_demo_prints_the_anatomy_and_writes_the_figure(tmp_path, capsys):
    figure = tmp_path / "demo.png"
    assert main(["demo", "--output", str(figure)]) == 0
    out = capsys.readouterr().out
    assert "bound after E" in out and "KL gap" in out
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_predict_score_sample_round_trip(tmp_path, faithful_csv, capsys):
    prefix = tmp_path / "model"
    assert main(["fit", str(faithful_csv), "-k", "2", "--random-state", "0", "-q",
                 "-o", str(prefix)]) == 0
    reference = emkit.GaussianMixture(2, random_state=0).fit(
        emkit.datasets.load_old_faithful())
    capsys.readouterr()
    assert main(["predict", str(prefix), str(faithful_csv)]) == 0
    labels = np.loadtxt(capsys.readouterr().out.splitlines()[1:], dtype=int)
    np.testing.assert_array_equal(labels, reference.predict(emkit.datasets.load_old_faithful()))
    assert main(["score", str(prefix), str(faithful_csv)]) == 0
    assert f"{reference.score(emkit.datasets.load_old_faithful()):.6f}" in capsys.readouterr().out
    assert main(["sample", str(prefix), "-n", "5"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 6


@pytest.mark.parametrize("argv, message", [
    (["fit", "missing.csv"], "data file 'missing.csv' does not exist"),
    (["predict", "nomodel", "missing.csv"], "model file 'nomodel': it does not exist"),
])
def test_user_errors_are_one_line_with_exit_code_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_bad_columns_and_debug_traceback(faithful_csv, capsys):
    assert main(["fit", str(faithful_csv), "--columns", "nope"]) == 2
    err = capsys.readouterr().err
    assert "columns 'nope' not found in" in err and "faithful.csv; it has the columns" in err
    result = subprocess.run([sys.executable, "-m", "emkit", "--debug", "fit", "missing.csv"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" in result.stderr
