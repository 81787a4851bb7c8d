"""The emkit command fits files block by block, on a Dask scheduler when given one, with
progress bars; a scheduler that does not answer is one line on stderr and exit code 2."""
import subprocess
import sys
import time

import numpy as np
import pytest

import emkit
from emkit.cli import main
from emkit import load
from conftest import closed_port

pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def faithful():
    return emkit.datasets.load_old_faithful()


@pytest.fixture
def files(tmp_path, faithful):
    frame = pd.DataFrame(faithful, columns=["eruptions", "waiting"]).assign(note="x")
    frame.to_parquet(tmp_path / "faithful.parquet", row_group_size=50)
    frame.to_csv(tmp_path / "faithful.csv", index=False, float_format="%.17g")
    np.save(tmp_path / "faithful.npy", faithful)
    return tmp_path


@pytest.fixture(scope="module")
def reference(faithful):
    return emkit.GaussianMixture(2, random_state=0).fit(faithful)


def _fit(argv, tmp_path):
    prefix = tmp_path / "model"
    assert main(["fit", *argv, "--random-state", "0", "-k", "2", "-o", str(prefix)]) == 0
    return load(prefix)


@pytest.mark.parametrize("name, columns", [("faithful.parquet", "eruptions,waiting"),
                                           ("faithful.csv", "eruptions,waiting"),
                                           ("faithful.npy", None)])
def test_fit_from_each_file_format_equals_the_in_memory_fit(name, columns, files, reference):
    argv = [str(files / name)] + (["--columns", columns] if columns else [])
    model = _fit(argv, files)
    np.testing.assert_allclose(model.means_, reference.means_, rtol=1e-10)
    np.testing.assert_allclose(model.covariances_, reference.covariances_, rtol=1e-10)


def test_fit_and_predict_on_a_scheduler(files, reference, faithful, capsys):
    with distributed.LocalCluster(n_workers=2, processes=False, protocol="tcp",
                                  dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        model = _fit([str(files / "faithful.parquet"), "--columns", "eruptions,waiting",
                      "--scheduler", address], files)
        capsys.readouterr()
        assert main(["predict", str(files / "model"), str(files / "faithful.parquet"),
                     "--columns", "eruptions,waiting", "--scheduler", address]) == 0
        labels = np.loadtxt(capsys.readouterr().out.splitlines()[1:], dtype=int)
    np.testing.assert_allclose(model.means_, reference.means_, rtol=1e-10)
    np.testing.assert_array_equal(labels, reference.predict(faithful))


def test_progress_bars_are_on_in_the_command_and_can_be_turned_off(files, capsys):
    path = str(files / "faithful.npy")
    assert main(["fit", path, "-o", str(files / "m"), "--force"]) == 0
    assert "iterations" in capsys.readouterr().err
    assert main(["fit", path, "-o", str(files / "m"), "--no-progress", "--force"]) == 0
    assert capsys.readouterr().err == ""


def test_an_unreachable_scheduler_is_one_line_and_exit_code_2(files):
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "emkit", "fit", str(files / "faithful.npy"),
                          "--scheduler", closed_port(), "--connect-timeout", "1"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith("emkit fit: error: no Dask scheduler answered at")
    assert len(run.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 30


def test_a_missing_file_is_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "missing.parquet")]) == 2
    err = capsys.readouterr().err.strip()
    assert "data file" in err and "missing.parquet' does not exist" in err
    assert len(err.splitlines()) == 1
