"""Checking the paths a source reads, with messages that say what to do."""
from __future__ import annotations

import glob
import os
from pathlib import Path

__all__ = ["existing_files", "existing_path", "expand_pattern", "is_pattern"]

_WILDCARDS = ("*", "?", "[")


def is_pattern(path) -> bool:
    """Whether ``path`` is a str with a glob wildcard (``*``, ``?`` or ``[``) in it."""
    return isinstance(path, str) and any(mark in path for mark in _WILDCARDS)


def expand_pattern(path):
    """The files a glob pattern names, in name order; any other path unchanged.

    Parameters
    ----------
    path : str, Path or sequence of them
        A path, a list of paths, or a pattern such as ``"big/*.parquet"`` (``**`` matches
        folders at any depth).

    Returns
    -------
    str, Path, list of Path
        ``path`` itself unless it is a pattern; for a pattern, the path when one file matches
        and a sorted list of the files when several do.

    Raises
    ------
    FileNotFoundError
        If no file matches the pattern.
    """
    if not is_pattern(path):
        return path
    matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(path), recursive=True))
    if not matches:
        raise FileNotFoundError(
            f"no file matches the pattern {path!r} (looked in {Path(path).parent.resolve()}). "
            "Check the spelling and the working directory."
        )
    return matches[0] if len(matches) == 1 else matches


def existing_path(path) -> Path:
    """Return ``path`` as a Path, or raise FileNotFoundError saying where it was looked for."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path; got {type(path).__name__}.")
    found = Path(path).expanduser()
    if not found.exists():
        raise FileNotFoundError(
            f"data file {str(path)!r} does not exist (looked for {found.resolve()}). Check "
            "the spelling and the working directory."
        )
    return found


def existing_files(path, suffix: str) -> list:
    """The files to read: ``path`` itself, the ``*suffix`` files of a directory, or a list.

    Parameters
    ----------
    path : str, Path or sequence of them
    suffix : str
        File name ending looked for in a directory (".parquet").

    Returns
    -------
    list of Path
        Non-empty, in name order for a directory.
    """
    if isinstance(path, (list, tuple)):
        if not path:
            raise ValueError("path is an empty list; pass at least one file.")
        return [existing_path(p) for p in path]
    found = existing_path(path)
    if not found.is_dir():
        return [found]
    files = sorted(p for p in found.iterdir() if p.name.endswith(suffix) and p.is_file())
    if not files:
        raise FileNotFoundError(f"directory {str(path)!r} holds no *{suffix} files; pass a file "
                                "or a directory of them.")
    return files
