"""scikit-learn's conventions for estimators whose rows are independent draws.

``fit(X, y=None, *, sample_weight=None, labels=None)``, ``predict_proba``, ``predict``,
``score_samples`` (per row), ``score`` (the mean), ``sample(n_samples)`` returning
``(X, latent)``, ``bic``, ``aic``, ``warm_start``; the mixture estimators and the generic
:class:`emkit.Estimator` follow them.
"""
from __future__ import annotations

from sklearn.base import DensityMixin
from sklearn.utils import check_random_state

from ..engine.posterior import DiscretePosterior
from ..engine.validation import check_positive_int
from ._base import (
    RESUMES_FROM_CHECKPOINT, LatentEstimator, check_run, documents_checkpoints,
)

__all__ = ["DensityEstimator"]


def posterior_probabilities(model, params, block):
    """``q(z_i = l)`` of a block's rows, shape (n_rows, n_latent) (a pass's task)."""
    posterior = model.posterior(params, block)
    if not isinstance(posterior, DiscretePosterior):
        raise ValueError(f"{type(model).__name__} has continuous latent variables: there are "
                         "no probabilities to predict. Use its posterior means instead.")
    return posterior.probabilities


def row_log_likelihood(model, params, block):
    """``log p(x_i)`` of a block's rows, shape (n_rows,) (a pass's task)."""
    return model.row_log_likelihood(params, block)


class DensityEstimator(DensityMixin, LatentEstimator):
    """Abstract: scikit-learn's fit/predict/score/sample on an emkit model.

    Concrete classes store the shared hyper-parameters ``tol``, ``max_iter``, ``n_init``,
    ``random_state``, ``warm_start``, ``verbose``, ``verbose_interval``, ``progress``,
    ``fixed``, ``stopping``, ``accelerate``, ``n_jobs``, ``chunk_size`` and ``backend``.
    """

    def _check_hyper_parameters(self, n_samples):
        check_run(self.tol, self.max_iter, self.n_init, min_iter=0)
        check_positive_int(self.verbose_interval, "verbose_interval")

    def _continues(self):
        return bool(self.warm_start)

    def _engine_options(self, data):
        warm = self._continues() and "model_" in self.__dict__
        return dict(tol=self.tol, max_iter=self.max_iter, n_init=1 if warm else self.n_init,
                    random_state=self.random_state, fixed=self.fixed or (),
                    verbose=self.verbose, verbose_interval=self.verbose_interval,
                    progress=self.progress, stopping=self.stopping,
                    accelerate=self.accelerate)

    def _record_fit(self, result):
        self.lower_bound_ = result.lower_bound
        self.lower_bounds_ = list(result.history.column("evidence") / result.n_samples)

    # -- fitting ---------------------------------------------------------------------------
    @documents_checkpoints(RESUMES_FROM_CHECKPOINT)
    def fit(self, X, y=None, *, sample_weight=None, labels=None, checkpoint=None,
            checkpoint_every=1, resume=None, **fields):
        """Estimate the parameters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or DataFrame, or source
            In memory, or outside it: a Dask collection (fitted on the default
            ``distributed`` client, or Dask's local scheduler), or a file opened with
            :func:`emkit.sources.open_source` (streamed block by block).
        y : ignored
            Accepted for scikit-learn compatibility; known components go in ``labels``.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights; an integer weight counts as that many copies of the row.
        labels : array-like of int of shape (n_samples,), optional
            The known latent assignment of some rows (semi-supervised fit), -1 for the others.
        {checkpoint parameters}
        **fields : array-like with n_samples rows
            Row-aligned inputs the model reads besides X (``block[name]``).

        Returns
        -------
        self
        """
        return self._fit(X, sample_weight=sample_weight, labels=labels,
                         checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                         resume=resume, **fields)

    def partial_fit(self, X, y=None, *, sample_weight=None, labels=None, alpha=0.6, t0=2.0,
                    **fields):
        """One step of online EM on the minibatch X (Cappé and Moulines 2009).

        The running statistics of the rows seen so far are averaged with X's, with weight
        ``(t + t0)^(-alpha)`` at the t-th call, and the parameters re-estimated from them.
        The first call initialises from X (or continues a previous ``fit``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The minibatch; every call must give the same columns.
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
        labels : array-like of int of shape (n_samples,), optional
        alpha : float, default=0.6
            Decay of the step sizes, in (0.5, 1].
        t0 : float, default=2.0
            Offset of the step sizes (>= 0).
        **fields : array-like with n_samples rows

        Returns
        -------
        self
        """
        from ._online import partial_fit

        return partial_fit(self, X, alpha, t0, sample_weight=sample_weight, labels=labels,
                           **fields)

    def fit_predict(self, X, y=None, *, sample_weight=None, labels=None, checkpoint=None,
                    checkpoint_every=1, resume=None, **fields):
        """Fit, then return the most probable latent value of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            The data, as in ``fit``.
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights, as in ``fit``.
        labels : array-like of shape (n_samples,), optional
            Known latent values (-1 where unknown), as in ``fit``.
        checkpoint, checkpoint_every, resume : optional
            Checkpoints of the fit, and resuming one, as in ``fit``.
        **fields : array-like with n_samples rows
            The model's own row-aligned inputs, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.fit(X, sample_weight=sample_weight, labels=labels, checkpoint=checkpoint,
                        checkpoint_every=checkpoint_every, resume=resume,
                        **fields).predict(X, **fields)

    # -- using the fit ----------------------------------------------------------------------
    def predict_proba(self, X, **fields):
        """Posterior probability of each latent value, shape (n_samples, n_latent).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        **fields : array-like with n_samples rows
            The model's own row-aligned inputs, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_latent)
            Rows sum to one.
        """
        return self._map_rows(X, posterior_probabilities, **fields)

    def predict(self, X, **fields):
        """Most probable latent value of each row (the argmax of :meth:`predict_proba`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            The data.
        **fields : array-like with n_samples rows
            The model's own row-aligned inputs, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.predict_proba(X, **fields).argmax(axis=1)

    def score_samples(self, X, **fields):
        """Log density ``log p(x_i)`` of each row, shape (n_samples,).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        **fields : array-like with n_samples rows

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._map_rows(X, row_log_likelihood, **fields)

    def score(self, X, y=None, **fields):
        """Mean log density of the rows of X (a float).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : ignored
        **fields : array-like with n_samples rows

        Returns
        -------
        float
            ``mean_i log p(x_i)`` (weighted by the sample weights where the data carry them).
        """
        total, n_samples = self._total_log_likelihood(X, **fields)
        return total / n_samples

    def sample(self, n_samples=1):
        """Draw samples from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        latent : ndarray of shape (n_samples,)
            The latent value each sample came from (for a mixture, its component; samples
            are grouped by component).
        """
        check_positive_int(n_samples, "n_samples")
        model, params = self._current(self.__dict__.get("n_features_in_"))
        return model.sample(params, n_samples, check_random_state(self.random_state))

    def bic(self, X, **fields):
        """Bayesian information criterion on X, ``-2 log L + n_parameters log n`` (lower is
        better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        **fields : array-like with n_samples rows

        Returns
        -------
        float
        """
        return self._bic(X, **fields)

    def aic(self, X, **fields):
        """Akaike information criterion on X, ``-2 log L + 2 n_parameters`` (lower is
        better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        **fields : array-like with n_samples rows

        Returns
        -------
        float
        """
        return self._aic(X, **fields)

    def icl(self, X, **fields):
        """Integrated completed likelihood on X: BIC plus twice the classification entropy
        (mclust's ICL, with the sign of :meth:`bic`: lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        **fields : array-like with n_samples rows

        Returns
        -------
        float
            ``bic(X) - 2 * sum_i log max_k p(z_i = k | x_i)`` (mclust's classification
            penalty, in nats; for a continuous latent variable, ``bic(X) + 2 H(q)`` with
            ``H(q)`` the posterior's entropy); lower is better.
        """
        return self._icl(X, **fields)
