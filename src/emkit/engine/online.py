"""Online EM (Cappé and Moulines 2009) and incremental EM (Neal and Hinton 1998), as drivers.

Both take the one EM step, :func:`~emkit.engine.step.em_step`, on a problem whose data is one
minibatch (:func:`block_problem`): its M-step maximises the bound of statistics that summarise
all the data seen so far, and its E-step runs on the next minibatch only. What differs is how
those statistics are kept.

* Online EM keeps a running average of the per-row statistics,
  ``s_t = (1 - g_t) s_{t-1} + g_t s(block_t; theta_t)``, with step sizes
  ``g_t = (t + t0)^(-alpha)``, alpha in (0.5, 1]. Statistics computed at different parameters
  are moved to one reference point first (:func:`~emkit.engine.moments.recentre`). Its rows
  (kind ``"online"``) show the running bound, ``N`` times the averaged per-row bound: the
  M-step must raise it (checked), the new minibatch may lower it.
* Incremental EM keeps every block's statistics, computed at the parameters of the last visit,
  and replaces one block's at a time. Its objective is the free energy
  ``F = E_q[log p(X, Z | theta)] + H(q)`` of those partial posteriors: both the partial E-step
  and the M-step raise it (Neal and Hinton's theorem), so every check of the anatomy applies to
  its rows (kind ``"incremental"``), with F in the "evidence" column.

Both end with one pass over all the data, so the fit reports the evidence at the parameters it
returns, as every fit does.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.utils import check_random_state

from .contracts import EStep
from .data import InMemory
from .drivers import Driver
from .em import default_backend
from .moments import recentre
from .step import EMProblem, Evaluation, em_step
from .tree import tree_sum
from .validation import check_positive_int

__all__ = ["IncrementalEM", "OnlineEM", "block_problem", "blend", "check_step_sizes",
           "minibatches", "online_step", "per_row", "running_evaluation", "step_size"]


def check_step_sizes(alpha, t0):
    """Validate the step-size schedule ``g_t = (t + t0)^(-alpha)``; returns (alpha, t0)."""
    alpha, t0 = float(alpha), float(t0)
    if not 0.5 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0.5, 1] (Cappé and Moulines' condition for the "
                         f"running average to converge); got {alpha!r}.")
    if not (np.isfinite(t0) and t0 >= 0.0):
        raise ValueError(f"t0 must be a finite number >= 0; got {t0!r}.")
    return alpha, t0


def step_size(t: int, alpha: float, t0: float) -> float:
    """``(t + t0)^(-alpha)``, the weight of the t-th minibatch (t = 1, 2, ...), at most 1."""
    return min(1.0, (t + t0) ** -alpha)


def per_row(estep: EStep, weight: float) -> EStep:
    """An E-step's sums (statistics, loglik, entropy) divided by ``weight``, the total weight
    of its rows."""
    return EStep(estep.stats * (1.0 / weight), estep.loglik / weight, estep.entropy / weight)


def blend(running: EStep, fresh: EStep, gamma: float) -> EStep:
    """``(1 - gamma) running + gamma fresh``, the running statistics first moved to the
    reference points of ``fresh`` (taken at the newer parameters)."""
    stats = recentre(running.stats, fresh.stats) * (1.0 - gamma) + fresh.stats * gamma
    return EStep(stats, (1.0 - gamma) * running.loglik + gamma * fresh.loglik,
                 (1.0 - gamma) * running.entropy + gamma * fresh.entropy)


def block_problem(problem: EMProblem, block, check=False) -> EMProblem:
    """``problem`` restricted to the rows of ``block`` (in memory), its blocks checked by the
    model first if ``check``."""
    source = InMemory(block)
    return EMProblem(problem.model, source, default_backend(source), problem.objective,
                     problem.fixed, check_blocks=check)


def running_evaluation(problem, params, running: EStep, scale: float) -> Evaluation:
    """The evaluation a driver steps from: per-row statistics ``running`` scaled to ``scale``
    rows, with their bound at ``params`` as the objective."""
    scaled = EStep(running.stats * scale, running.loglik * scale, running.entropy * scale)
    partial = Evaluation(params, scaled, 0.0)
    return replace(partial, objective=problem.bound(partial, params))


def online_step(problem, current, running, block, gamma, scale, check=False):
    """One step of online EM: the M-step from ``current`` (the running statistics), the E-step
    on ``block``, and the running statistics updated with weight ``gamma``.

    Parameters
    ----------
    problem : EMProblem
    current : Evaluation
        From :func:`running_evaluation` of ``running``.
    running : EStep
        Per-row running statistics.
    block : Block
        The minibatch.
    gamma : float
        Its weight, in (0, 1].
    scale : float
        Rows the running statistics stand for (the data's total weight).
    check : bool, default=False
        Check the block with the model first (rows not checked before).

    Returns
    -------
    step : Step
        Of kind ``"online"``; its evaluation holds the updated running statistics.
    running : EStep
        The updated per-row running statistics.
    """
    step = em_step(block_problem(problem, block, check), current)
    fresh = per_row(step.evaluation.estep, block.total_weight)
    running = blend(running, fresh, gamma)
    evaluation = running_evaluation(problem, step.params, running, scale)
    return replace(step, evaluation=evaluation, kind="online"), running


def _shuffled(block, rng):
    """The rows of an in-memory block in random order (whole sequences when it has them)."""
    if block.lengths is None:
        return block.take(rng.permutation(block.n_samples))
    ends = np.cumsum(block.lengths)
    order = rng.permutation(len(block.lengths))
    rows = np.concatenate([np.arange(ends[s] - block.lengths[s], ends[s]) for s in order])
    fields = {name: value[rows] for name, value in block.items()}
    return type(block)(lengths=np.asarray(block.lengths)[order], offset=rows, **fields)


def minibatches(source, batch_size, rng=None):
    """The minibatches of one pass over ``source``: blocks of about ``batch_size`` rows (whole
    sequences), in random order of rows (or sequences) when ``rng`` is given and the data is
    in memory; a streamed source is read in its own order."""
    if rng is not None and source.complete_head:
        source = InMemory(_shuffled(source.head(), rng))
    return source.blocks(batch_size)


class OnlineEM(Driver):
    """Online EM over shuffled minibatches (Cappé and Moulines 2009).

    Parameters
    ----------
    batch_size : int, default=256
        Rows per minibatch (whole sequences for an HMM).
    n_epochs : int, default=5
        Passes over the data; ``max_iter`` of the fit also caps the number of minibatches.
    alpha : float, default=0.6
        Decay of the step sizes ``(t + t0)^(-alpha)``, in (0.5, 1].
    t0 : float, default=2.0
        Offset of the step sizes (larger: the first minibatches weigh less).
    shuffle : bool, default=True
        Draw the rows (sequences) of data in memory in a new random order every epoch.
    random_state : int, RandomState or None
        For the shuffling.

    Notes
    -----
    The running statistics start from the E-step of all the data at the starting parameters
    (which the fit computes anyway). The run's reason is ``"epochs"`` when all epochs ran.
    O. Cappé and E. Moulines (2009), "On-line expectation-maximization algorithm for latent
    data models", *J. R. Statist. Soc. B* 71, 593-613.
    """

    def __init__(self, batch_size=256, n_epochs=5, alpha=0.6, t0=2.0, shuffle=True,
                 random_state=None):
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.n_epochs = check_positive_int(n_epochs, "n_epochs")
        self.alpha, self.t0 = check_step_sizes(alpha, t0)
        self.shuffle, self.random_state = bool(shuffle), random_state

    def __repr__(self):
        return (f"OnlineEM(batch_size={self.batch_size}, n_epochs={self.n_epochs}, "
                f"alpha={self.alpha:g}, t0={self.t0:g})")

    def run(self, problem, current, run):
        rng = check_random_state(self.random_state) if self.shuffle else None
        scale = problem.n_samples
        running = per_row(current.estep, scale)
        current = running_evaluation(problem, current.params, running, scale)
        for _ in range(self.n_epochs):
            for block in minibatches(problem.source, self.batch_size, rng):
                if run.finished:
                    break
                gamma = step_size(len(run.rows) + 1, self.alpha, self.t0)
                step, running = online_step(problem, current, running, block, gamma, scale)
                run.record(step)
                current = step.evaluation
        run.reason = run.reason or "epochs"
        run.last = problem.evaluate(current.params)


class IncrementalEM(Driver):
    """Incremental EM (Neal and Hinton 1998): one block's statistics replaced at a time.

    Parameters
    ----------
    batch_size : int, default=256
        Rows per block (whole sequences for an HMM); the blocks are fixed for the run.

    Notes
    -----
    R. M. Neal and G. E. Hinton (1998), "A view of the EM algorithm that justifies incremental,
    sparse, and other variants", in *Learning in Graphical Models*, 355-368.
    """

    def __init__(self, batch_size=256):
        self.batch_size = check_positive_int(batch_size, "batch_size")

    def __repr__(self):
        return f"IncrementalEM(batch_size={self.batch_size})"

    def run(self, problem, current, run):
        blocks = [block_problem(problem, block) for block in problem.source.blocks(
            self.batch_size)]
        esteps = [part.evaluate(current.params).estep for part in blocks]
        current = self._free_energy(problem, current.params, esteps)
        while not run.finished:
            visit = len(run.rows) % len(blocks)
            step = em_step(blocks[visit], current)
            esteps[visit] = step.evaluation.estep
            current = self._free_energy(problem, step.params, esteps)
            run.record(replace(step, evaluation=current, kind="incremental"))
        run.last = problem.evaluate(current.params)

    @staticmethod
    def _free_energy(problem, params, esteps):
        """The evaluation holding every block's statistics, with their bound (the free
        energy) at ``params``."""
        return running_evaluation(problem, params, tree_sum(esteps), 1.0)
