"""Every Python code block of docs/migrating.md runs (each in a fresh namespace)."""
import re
import textwrap
import warnings
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"
BLOCKS = [textwrap.dedent(block) for block in
          re.findall(r"^ *```python\n(.*?)^ *```", GUIDE.read_text(), re.S | re.M)]


def test_the_guide_has_its_snippets():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_snippet_runs(index, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fits in the snippets: ConvergenceWarning
        exec(compile(BLOCKS[index], f"{GUIDE.name}[{index}]", "exec"), {})
