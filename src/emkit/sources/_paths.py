"""Checking the paths a source reads, with messages that say what to do."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["existing_files", "existing_path"]


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
