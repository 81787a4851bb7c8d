"""The Python code blocks of the README and of the docs' pages, found and run in order.

A block is a Markdown fence opened with ```` ```python ```` or a reStructuredText
``.. code-block:: python`` (or ``.. code:: python``). The blocks of one file run one after
another in one namespace, as a reader would paste them. Two conventions:

* a block whose first line is ``# examples/NAME.py`` shows part of that example file: it
  runs in a copy of the file's namespace and leaves the page's namespace alone; a block whose
  first line is ``# using examples/NAME.py`` runs with the file's names added to the page's;
* a block right after ``<!-- not-runnable: REASON -->`` (Markdown) or
  ``.. not-runnable: REASON`` (reStructuredText, a comment) is skipped, and the reason is
  reported; use it only for what a test cannot have, such as a cluster's address.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"^\s*(?:<!--\s*not-runnable:\s*(?P<md>.+?)\s*-->|\.\. not-runnable:\s*"
                    r"(?P<rst>.+?))\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```\s*python\s*$")
RST_BLOCK = re.compile(r"^(?P<indent>\s*)\.\. (code-block|code|sourcecode)::\s*python\s*$")
EXAMPLE = re.compile(r"^#\s*(?:using\s+)?examples/(?P<name>\w+)\.py\b")
#: Folders of docs/ that hold what the build makes, not what people write.
BUILT = {"_build", "_generated", "api", "auto_examples", "_templates", "_ext", "examples"}


@dataclass
class Snippet:
    """One code block: where it starts (1-based line), its code, and why it is skipped."""

    path: Path
    line: int
    code: str
    skip: str | None = None

    @property
    def example(self) -> str | None:
        """The example file whose namespace the block runs in, if it names one."""
        found = EXAMPLE.match(self.code.lstrip())
        return found.group("name") if found else None


def _markdown_block(lines, start):
    """The code of the fence opened at ``start``, and the line after it closes."""
    indent = len(FENCE.match(lines[start]).group("indent"))
    end = start + 1
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    return textwrap.dedent("\n".join(line[indent:] for line in lines[start + 1:end])), end + 1


def _rst_block(lines, start):
    """The indented body of the directive at ``start`` (options skipped)."""
    indent = len(RST_BLOCK.match(lines[start]).group("indent"))
    end = start + 1
    while end < len(lines) and lines[end].strip().startswith(":"):
        end += 1
    body = end
    while end < len(lines) and (not lines[end].strip() or
                                len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return textwrap.dedent("\n".join(lines[body:end])).strip("\n") + "\n", end


def snippets(path) -> list:
    """Every Python block of a Markdown or reStructuredText file, in order."""
    path = Path(path)
    lines = path.read_text().splitlines()
    found, skip, i = [], None, 0
    while i < len(lines):
        marker = MARKER.match(lines[i])
        opener = FENCE.match(lines[i]) or RST_BLOCK.match(lines[i])
        if marker:
            skip = marker.group("md") or marker.group("rst")
        elif opener:
            read = _markdown_block if FENCE.match(lines[i]) else _rst_block
            code, after = read(lines, i)
            found.append(Snippet(path, i + 1, code, skip))
            skip, i = None, after
            continue
        elif lines[i].strip():
            skip = None          # a marker applies to the very next block only
        i += 1
    return found


def documented_files(root) -> list:
    """README.md and every page written under docs/ (not what the build makes)."""
    root = Path(root)
    pages = [p for p in sorted((root / "docs").rglob("*"))
             if p.suffix in (".md", ".rst") and not BUILT & set(p.relative_to(root / "docs").parts)]
    return [root / "README.md", *pages]
