"""Small data sets shipped with emkit (no downloads at run time)."""
from importlib import resources

import numpy as np

__all__ = ["load_old_faithful"]


def load_old_faithful():
    """Old Faithful geyser eruptions: 272 rows of (eruption minutes, waiting minutes).

    Returns
    -------
    X : ndarray of shape (272, 2)
        Column 0 is the eruption duration, column 1 the waiting time to the next eruption,
        both in minutes.

    References
    ----------
    Azzalini, A. and Bowman, A. W. (1990). A look at some data on the Old Faithful geyser.
    Applied Statistics 39, 357-365.
    """
    with resources.files(__package__).joinpath("old_faithful.csv").open("r") as handle:
        return np.loadtxt(handle, delimiter=",", skiprows=1)
