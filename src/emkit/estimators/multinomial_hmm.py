"""``emkit.MultinomialHMM``: a drop-in for ``hmmlearn.hmm.MultinomialHMM`` (hmmlearn >= 0.3)."""
from __future__ import annotations

import numbers

import numpy as np
from scipy import stats

from ..components.multinomial import Multinomial
from ..engine.validation import check_probabilities
from ._hmm_base import HMMEstimator, hmmlearn_tail
from ._signature import positional

__all__ = ["MultinomialHMM"]


def _block_totals_problem(n_trials, block):
    """The first row whose total differs from ``n_trials``, as ``(row, total)``, or None."""
    totals = block.X.sum(axis=1)
    bad = np.flatnonzero(totals != n_trials)
    return None if bad.size == 0 else (int(bad[0]), float(totals[bad[0]]))


class MultinomialHMM(HMMEstimator):
    """Hidden Markov model with multinomial emissions; hmmlearn's (>= 0.3) names.

    Every row of X holds counts over ``n_features`` categories, drawn from ``n_trials``
    trials: ``p(x | k) = Multinomial(x | n_trials, emissionprob_[k])``. (hmmlearn < 0.3's
    MultinomialHMM, one symbol per row, is :class:`~emkit.CategoricalHMM`.)

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    n_trials : int, array-like of shape (n_samples,) or None
        The total of every row (checked against X in ``fit``); None takes each row's own
        total. ``sample`` needs one integer.
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    algorithm, random_state, n_iter, tol, verbose, implementation
        As for :class:`~emkit.GaussianHMM`.
    params, init_params : str, default="ste"
        s startprob, t transmat, e emissionprob (emkit's ``probs``).
    n_init, fixed, accelerate, n_jobs, chunk_size, backend
        As for :class:`~emkit.GaussianHMM`.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emissionprob_ : ndarray of shape (n_components, n_features)
    n_features : int
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import MultinomialHMM
    >>> rng = np.random.default_rng(0)
    >>> states = np.repeat([0, 1, 0, 1], 100)
    >>> probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    >>> X = np.array([rng.multinomial(10, probs[s]) for s in states])
    >>> hmm = MultinomialHMM(2, n_trials=10, n_iter=50, random_state=0)
    >>> hmm = hmm.fit(X, lengths=[200, 200])
    >>> hmm.emissionprob_[np.argsort(-hmm.emissionprob_[:, 0])].round(1)
    array([[0.7, 0.2, 0.1],
           [0.1, 0.2, 0.7]])
    >>> hmm.predict(X, lengths=[200, 200]).shape
    (400,)
    """

    _codes = {"s": "startprob", "t": "transmat", "e": "probs"}
    _attributes = {"s": "startprob_", "t": "transmat_", "e": "emissionprob_"}
    _features_from = "emissionprob_"

    _positional = (positional("n_trials", None), positional("startprob_prior", 1.0),
                   positional("transmat_prior", 1.0), *hmmlearn_tail(_codes))

    def _sample_trials(self):
        if isinstance(self.n_trials, numbers.Integral) and not isinstance(self.n_trials, bool):
            return int(self.n_trials)
        values = np.unique(np.asarray(self.n_trials)) if self.n_trials is not None else []
        return int(values[0]) if len(values) == 1 else None

    def _emission(self, data=None, params=None):
        if data is not None and self.n_trials is not None:
            self._check_trials(data)
        return Multinomial(n_trials=self._sample_trials())

    def _check_trials(self, data):
        n_trials = np.asarray(self.n_trials, dtype=float)
        if n_trials.ndim not in (0, 1) or (n_trials.ndim == 1
                                           and n_trials.shape != (data.n_samples,)):
            raise ValueError(f"n_trials must be an integer or have one entry per row "
                             f"({data.n_samples}); got shape {n_trials.shape}.")
        if n_trials.ndim == 1:  # per-row totals: compared in memory
            totals = np.asarray(data.source.head().X).sum(axis=1)
            if data.source.complete_head and not np.array_equal(totals, n_trials):
                row = int(np.flatnonzero(totals != n_trials)[0])
                raise ValueError(f"the counts of X row {row} sum to {totals[row]:g}, but "
                                 f"n_trials[{row}] = {n_trials[row]:g}. Pass the row totals "
                                 "as n_trials, or None to use them.")
            return
        problems = data.backend.map_blocks(
            lambda params, block: _block_totals_problem(float(n_trials), block), None,
            data.source)
        for problem in problems:
            if problem is not None:
                raise ValueError(f"every row of X must sum to n_trials={self.n_trials}; a "
                                 f"row sums to {problem[1]:g}. Pass the row totals as "
                                 "n_trials, or None to use them.")

    def _initial_emission(self, X, codes, stream, emission=None):
        if "e" not in codes:
            return {}
        probs = stream().rand(self.n_components, X.shape[1])
        return {"emissionprob_": probs / probs.sum(axis=1, keepdims=True)}

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        attributes = self.__dict__ if attributes is None else attributes
        if "e" not in codes or "emissionprob_" not in attributes:
            return {}
        value = attributes["emissionprob_"]
        d = n_features if n_features is not None else np.shape(value)[-1]
        return {"probs": check_probabilities(value, "emissionprob_", (self.n_components, d))}

    def _row_sampler(self, emission, params):
        n_trials = self._sample_trials()
        if n_trials is None:
            raise ValueError(f"sample() needs one number of trials; n_trials={self.n_trials!r}. "
                             "Set n_trials to an integer.")
        probs = params.probs
        return lambda state, rng: stats.multinomial.rvs(n=n_trials, p=probs[state],
                                                        random_state=rng)

    def _publish_emission(self, emission, params):
        self.emissionprob_ = np.array(params.probs)
