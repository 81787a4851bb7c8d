"""Every Python snippet of the README and of the docs' pages runs (see ``snippets.py`` for
how blocks are found, and how one is marked as not runnable with its reason)."""
import contextlib
import io
import os

import pytest

from conftest import ROOT, load_example
from snippets import documented_files, snippets

FILES = [path for path in documented_files(ROOT) if snippets(path)]


def _run(snippet, namespace, examples):
    """Run one block; return the page's namespace after it.

    A block that shows part of an example file runs in a copy of that file's namespace and
    leaves the page's alone (the file, not the excerpt, is what later blocks use).
    """
    excerpt = snippet.code.lstrip().startswith("# examples/")
    scope = namespace
    if snippet.example:
        if snippet.example not in examples:
            examples[snippet.example] = vars(load_example(snippet.example))
        scope = {**examples[snippet.example], **({} if excerpt else namespace)}
    code = compile(snippet.code, f"{snippet.path.name}:{snippet.line}", "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, scope)
    return namespace if excerpt else scope


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_of_the_page_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # snippets that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace, examples, skipped = {"__name__": "__snippet__"}, {}, []
    for snippet in snippets(path):
        if snippet.skip:
            skipped.append(f"line {snippet.line}: {snippet.skip}")
            continue
        try:
            namespace = _run(snippet, namespace, examples)
        except Exception as error:
            raise AssertionError(f"the snippet at {path.name} line {snippet.line} fails: "
                                 f"{type(error).__name__}: {error}") from error
    if skipped:
        print(f"{path.name}: not run: " + "; ".join(skipped))


def test_the_finder_reads_both_formats_and_honours_the_marker(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nx = 1\n```\n\n<!-- not-runnable: needs a cluster -->\n"
                    "```python\nconnect()\n```\n\n```bash\nls\n```\n")
    rst = tmp_path / "page.rst"
    rst.write_text("Title\n\n.. code-block:: python\n   :caption: c\n\n   y = 2\n   z = y\n\n"
                   ".. not-runnable: no address\n\n.. code-block:: python\n\n   connect()\n\n"
                   "after\n")
    md_found, rst_found = snippets(page), snippets(rst)
    assert [(s.code, s.skip) for s in md_found] == [("x = 1", None),
                                                    ("connect()", "needs a cluster")]
    assert [(s.code, s.skip) for s in rst_found] == [("y = 2\nz = y\n", None),
                                                     ("connect()\n", "no address")]
    assert os.path.basename(str(md_found[0].path)) == "page.md"
