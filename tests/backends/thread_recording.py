"""A Gaussian that notes which threads its statistics are computed on (for the thread tests).

A module of its own, so that joblib's worker processes can import it.
"""
import threading

import emkit

#: Thread identifiers seen since the last :func:`threads_seen` call, in this process.
SEEN = set()


class ThreadRecordingGaussian(emkit.Gaussian):
    def stats_from_densities(self, params, X, weights, densities):
        SEEN.add(threading.get_ident())
        return super().stats_from_densities(params, X, weights, densities)


def threads_seen(estimator, X, y=None):
    """A scikit-learn scorer: how many threads ran the E-steps of the fit just made here."""
    count = len(SEEN)
    SEEN.clear()
    return count
