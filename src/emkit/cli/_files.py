"""Model files for the command: the one place that saves and loads them.

The command writes one ``.emk`` file with :func:`emkit.save` and reads with
:func:`emkit.load` (which also reads the 0.1 pair ``PREFIX.json`` + ``PREFIX.npz``).
Whatever a file holds, loading it is reported as one line: a model file is input, and a
hostile or damaged one is a user error, never a traceback.
"""
from __future__ import annotations

from pathlib import Path

from ._errors import UserError

__all__ = ["load_model", "save_model"]


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
    from ..model_file import save

    try:
        return [Path(save(estimator, path, overwrite=force))]
    except FileExistsError as error:
        text = str(error)
        raise UserError(text if "--force" in text else f"{text} (pass --force to overwrite)") \
            from None


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
    from ..model_file import load

    try:
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
