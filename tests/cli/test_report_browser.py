"""The HTML report opened in headless Chromium (Debian's ``chromium``, which .ci/run
installs): no console message, and a screenshot that is not blank."""
import shutil
import subprocess

import pytest
from cli_fixtures import data_dir, faithful, sequences  # noqa: F401  (fixtures)

from emkit.cli import main
from images import assert_not_blank

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                 "(apt-get install chromium; .ci/run installs it)"),
              pytest.mark.slow]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]


def open_in_chromium(page, tmp_path, height=2400):
    """Screenshot ``page`` in a fresh profile; return (screenshot path, console lines)."""
    shot = tmp_path / f"{page.stem}.png"
    run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          f"--window-size=1200,{height}", f"--screenshot={shot}",
                          page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=180)
    log = run.stdout + run.stderr
    assert shot.exists(), f"chromium wrote no screenshot (exit {run.returncode}): {log[-2000:]}"
    return shot, [line for line in log.splitlines() if ":CONSOLE" in line]


def test_the_console_check_sees_an_error(tmp_path):
    """The check below can fail: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><h1>x</h1><script>console.error('marker');nothing();"
                    "</script></body></html>")
    _, console = open_in_chromium(page, tmp_path, height=400)
    assert any("marker" in line for line in console)
    assert any("nothing is not defined" in line for line in console)


@pytest.mark.parametrize("kind", ["mixture", "hmm"])
def test_the_report_renders_without_console_errors(kind, data_dir, tmp_path, capsys):
    report, model = tmp_path / f"report-{kind}.html", tmp_path / "model"
    if kind == "mixture":  # the report written by select: with the BIC table and curve
        argv = ["select", str(data_dir / "faithful.parquet"), "--columns",
                "eruptions,waiting", "-k", "1:3", "--covariance-type", "diag,full",
                "--random-state", "0", "--report", str(report), "-q"]
    else:
        assert main(["fit", str(data_dir / "seq.parquet"), "--model", "hmm", "-k", "2",
                     "--sequence-column", "run", "-o", str(model), "-q"]) == 0
        argv = ["report", str(model), str(data_dir / "seq.parquet"), "--sequence-column",
                "run", "-o", str(report)]
    assert main(argv) == 0, capsys.readouterr().err
    shot, console = open_in_chromium(report, tmp_path)
    assert console == []
    assert_not_blank(shot, min_ink=0.05)
