"""Model files for the command: the one place that saves and loads them.

``emkit.save``/``emkit.load`` (one ``.emk`` file) are used when this emkit has them; until
then the 0.1 pair ``PREFIX.json`` + ``PREFIX.npz`` of :mod:`emkit.persist`. Whatever a file
holds, loading it is reported as one line: a model file is input, and a hostile or damaged
one is a user error, never a traceback.
"""
from __future__ import annotations

from pathlib import Path

from ._errors import UserError

__all__ = ["load_model", "save_model"]


def _single_file_api():
    """``(save, load)`` of the single-file format, or None where this emkit lacks it."""
    import emkit

    save, load = getattr(emkit, "save", None), getattr(emkit, "load", None)
    return (save, load) if callable(save) and callable(load) else None


def save_model(estimator, path, force=False) -> list:
    """Write a fitted estimator; refuse to overwrite an existing file unless ``force``.

    Parameters
    ----------
    estimator : fitted emkit estimator
    path : str
        The ``-o`` argument.
    force : bool
        The ``--force`` flag.

    Returns
    -------
    list of Path
        The files written.
    """
    api = _single_file_api()
    try:
        if api is not None:
            return [Path(api[0](estimator, path, overwrite=force))]
        from ..persist import _paths, save

        existing = [str(p) for p in _paths(path) if p.exists()]
        if existing and not force:
            raise UserError(f"model file(s) {', '.join(existing)} already exist; pass --force "
                            "to overwrite, or choose another -o.")
        return list(save(estimator, path))
    except FileExistsError as error:
        raise UserError(f"{error} (pass --force to overwrite)") from None


def load_model(path):
    """Read a model file written by ``emkit fit`` (or ``emkit.save``).

    Parameters
    ----------
    path : str

    Returns
    -------
    fitted emkit estimator

    Raises
    ------
    UserError
        For any file that does not load (missing, damaged, hostile), naming the file.
    """
    api = _single_file_api()
    try:
        if api is not None:
            return api[1](path)
        from ..persist import load

        return load(path)
    except (KeyboardInterrupt, MemoryError):
        raise
    except (ValueError, OSError) as error:
        text = str(error)
        if str(path) not in text:
            text = f"model file {str(path)!r} cannot be read: {text}"
        raise UserError(text) from None
    except Exception as error:  # a model file is untrusted input: anything is one line
        raise UserError(f"model file {path!r} is not a valid emkit model "
                        f"({type(error).__name__}: {error}); write it again with "
                        "`emkit fit -o`.") from None
