"""The built documentation site: a gallery page opens in headless Chromium without console
errors, and its screenshot is not blank.

``make docs`` builds the site and then runs this file, so CI checks the pages it just built.
In ``make test`` (which runs before the docs are built on a fresh clone) it is skipped until
``docs/_build/html`` exists.
"""
import pytest

from browser import Chromium, blank_reason, chromium_path, running_in_ci
from conftest import ROOT

SITE = ROOT / "docs" / "_build" / "html"
PAGES = ["auto_examples/plot_gmm.html", "theory.html", "api/generated/emkit.GaussianMixture.html"]


@pytest.fixture(scope="module")
def chromium():
    if chromium_path() is None:
        if running_in_ci():
            pytest.fail("CI must install Debian's chromium (.ci/run does): no chromium found")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    with Chromium() as browser:
        yield browser


@pytest.fixture
def built(page):
    """The built page's path; skips when the docs are not built (``make docs`` builds them)."""
    path = SITE / page
    if not path.exists():
        pytest.skip(f"the docs are not built ({path} is absent): run `make docs`")
    return path


@pytest.mark.parametrize("page", PAGES)
def test_a_built_page_opens_without_console_errors_and_renders(page, built, chromium, tmp_path):
    path = built
    visit = chromium.visit(path)
    (tmp_path / "screenshot.png").write_bytes(visit.png)    # kept by pytest for a look
    assert visit.errors == [], f"{page} reported errors in Chromium: {visit.errors}"
    assert blank_reason(visit.png) is None, f"{page} looks blank: {blank_reason(visit.png)}"


def test_the_checks_see_an_error_and_a_blank_page(chromium, tmp_path):
    """The two checks above can fail: a script error and a missing image are reported, and an
    empty page is called blank."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><img src="missing.png">'
                   '<script>console.error("boom"); notDefined();</script></body></html>')
    visit = chromium.visit(bad, settle=0.5)
    assert any("boom" in e for e in visit.errors)
    assert any("notDefined" in e for e in visit.errors)
    assert any("missing.png" in e for e in visit.errors)
    assert blank_reason(visit.png) is not None
