"""User errors of the ``emkit`` command: one line on stderr, remedies in command-line syntax."""
from __future__ import annotations

import re

__all__ = ["UserError", "as_cli_text", "one_line"]

#: Library argument names and the command-line options that set them.
OPTION_NAMES = {
    "n_components": "-k/--n-components", "covariance_type": "--covariance-type",
    "reg_covar": "--reg-covar", "max_iter": "--max-iter", "n_iter": "--max-iter",
    "n_init": "--n-init", "random_state": "--random-state", "n_trials": "--n-trials",
    "n_categories": "--n-categories", "n_mix": "--n-mix", "dof": "--dof", "tol": "--tol",
    "checkpoint_every": "--checkpoint-every",
}
#: Names replaced only as ``name=`` (as plain words they mean something else).
KEYWORD_NAMES = {"format": "--format", "lengths": "--lengths-column (or --sequence-column)",
                 "checkpoint": "--checkpoint", "resume": "--resume"}


class UserError(Exception):
    """An error caused by the command's input, reported as one line (exit code 2)."""


def _columns_option(match):
    names = [name.strip().strip("'\"") for name in match.group(1).split(",") if name.strip()]
    return "--columns " + ",".join(names) if names else "--columns NAME,..."


def as_cli_text(message: str) -> str:
    """A library message with its remedies phrased as command-line options.

    ``columns=['x', 'y']`` becomes ``--columns x,y`` and ``reg_covar`` ``--reg-covar``, so
    that what the message tells the user to pass is what they would type.

    Parameters
    ----------
    message : str

    Returns
    -------
    str
    """
    text = re.sub(r"\bcolumns=\[([^\]]*)\]", _columns_option, message)
    text = re.sub(r"\bcolumns=(?=[.,;\s]|$)", "--columns", text)
    text = re.sub(r"\bcolumns=", "--columns ", text)
    for name, option in OPTION_NAMES.items():
        text = re.sub(rf"(?<![\w.-]){name}=(?!=)\s*", option + " ", text)
        text = re.sub(rf"(?<![\w.-]){name}\b(?![(\[])", option, text)
    for name, option in KEYWORD_NAMES.items():
        text = re.sub(rf"(?<![\w.-]){name}=(?!=)\s*", option + " ", text)
    return text


def one_line(message: str) -> str:
    """``message`` with its lines joined (the command reports an error on one line)."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())
