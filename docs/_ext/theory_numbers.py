"""The numbers of the theory page, from a fit run when the docs build.

``theory_numbers(path)`` fits a two-component Gaussian mixture to Old Faithful from a fixed,
deliberately poor start, and writes a Markdown fragment that ``theory.md`` includes:

* the anatomy of the first iterations, with the rise of the bound in each E-step next to the
  KL gap the M-step opened;
* the bound and the KL term along partial E-steps, ``q = (1 - s) q_old + s p(Z | X, theta)``,
  computed here with scipy.stats, not by emkit;
* the answers to the page's two questions, worded from the measured numbers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats
from scipy.special import logsumexp

START = dict(weights_init=[0.5, 0.5], means_init=[[2.0, 80.0], [2.2, 82.0]],
             precisions_init=[np.diag([1.0, 0.01])] * 2)


def log_joint(X, weights, means, covariances):
    """``log p(x_i, z_i = k | theta)``, shape (n_samples, 2), with scipy.stats."""
    return np.column_stack([np.log(w) + stats.multivariate_normal(m, c).logpdf(X)
                            for w, m, c in zip(weights, means, covariances)])


def bound_and_kl(q, table):
    """``L(q, theta)`` and ``KL(q || p(Z | X, theta))`` from q and the log joint table."""
    log_q = np.log(np.clip(q, 1e-300, None))
    posterior_log = table - logsumexp(table, axis=1, keepdims=True)
    return float(np.sum(q * (table - log_q))), float(np.sum(q * (log_q - posterior_log)))


def _fit(X, max_iter, tol):
    import warnings

    import emkit

    with warnings.catch_warnings():  # the one-iteration fit stops at max_iter on purpose
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        return emkit.GaussianMixture(2, max_iter=max_iter, tol=tol, **START).fit(X)


def _anatomy_rows(history, n_rows):
    ev, after_m, gap = (history.column(c) for c in ("evidence", "bound_m", "kl_gap"))
    lines = ["| t | bound before (evidence at θ_t) | after the M-step | KL gap opened | "
             "after the next E-step | rise in that E-step |", "|---|---|---|---|---|---|"]
    for t in range(n_rows):
        lines.append(f"| {t} | {ev[t]:.6f} | {after_m[t]:.6f} | {gap[t]:.3e} | "
                     f"{ev[t + 1]:.6f} | {ev[t + 1] - after_m[t]:.3e} |")
    return lines


def _partial_rows(X, theta_old, theta_new):
    q_old = np.exp(log_joint(X, *theta_old) - logsumexp(log_joint(X, *theta_old), axis=1,
                                                        keepdims=True))
    table = log_joint(X, *theta_new)
    evidence = float(logsumexp(table, axis=1).sum())
    posterior = np.exp(table - logsumexp(table, axis=1, keepdims=True))
    lines = ["| step s | L(q_s, θ) | KL(q_s ‖ p(Z∣X, θ)) | L + KL |", "|---|---|---|---|"]
    rows = []
    for s in (0.0, 0.25, 0.5, 0.75, 1.0):
        bound, kl = bound_and_kl((1 - s) * q_old + s * posterior, table)
        rows.append((s, bound, kl))
        lines.append(f"| {s:.2f} | {bound:.6f} | {kl:.3e} | {bound + kl:.6f} |")
    return lines, rows, evidence


def _params(gm):
    return gm.weights_, gm.means_, gm.covariances_


def theory_numbers(path) -> dict:
    """Fit, measure and write the fragment to ``path``; return the measured figures."""
    import emkit

    X = emkit.datasets.load_old_faithful()
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    X = np.asarray(X, dtype=float)
    history = _fit(X, 200, 1e-8).history_
    ev, after_m, gap = (history.column(c) for c in ("evidence", "bound_m", "kl_gap"))
    rise = ev[1:] - after_m[:-1]
    above_start = ev[1:] - ev[:-1]
    first = _fit(X, 1, 0.0)
    theta_old = (np.array(START["weights_init"]), np.array(START["means_init"]),
                 np.array([np.linalg.inv(p) for p in START["precisions_init"]]))
    partial, rows, evidence_new = _partial_rows(X, theta_old, _params(first))
    bounds = [b for _, b, _ in rows]
    figures = dict(min_rise=rise.min(), min_above_start=above_start.min(),
                   n_iter=len(history), gap_emkit=float(gap[0]), gap_scipy=rows[0][2],
                   bound_m_scipy=bound_and_kl(np.exp(log_joint(X, *theta_old) - logsumexp(
                       log_joint(X, *theta_old), axis=1, keepdims=True)),
                       log_joint(X, *_params(first)))[0],
                   bound_m_emkit=float(history.column("bound_m")[0]),
                   partial_rises=bool(np.all(np.diff(bounds) > 0)),
                   partial_sum_spread=max(abs(b + kl - evidence_new) for _, b, kl in rows))
    text = _page(history, figures, partial)
    path = Path(path)
    path.parent.mkdir(exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return figures


def _page(history, f, partial):
    yes_no = "no" if f["min_rise"] >= 0 and f["min_above_start"] >= 0 else \
        "YES, which would be a defect"
    lines = [
        f"Old Faithful (272 rows, 2 features), two full-covariance Gaussians from a poor start "
        f"(both means near the same point), {f['n_iter']} iterations to a change below 1e-8 per "
        f"sample. The first rows of the "
        f"anatomy (`gm.history_`):", "", *_anatomy_rows(history, 6), "",
        f"**Can the E-step that follows an M-step lower the bound below where it started?** "
        f"Measured: {yes_no}. Over all {f['n_iter'] - 1} E-steps that followed an M-step, the "
        f"smallest rise of the bound in the E-step was {f['min_rise']:.3e}, and the bound "
        f"after each E-step stood above the bound before the M-step by at least "
        f"{f['min_above_start']:.3e}. The rise is the KL gap the M-step opened: for t = 0 "
        f"it is {f['gap_emkit']:.9e} in the anatomy and {f['gap_scipy']:.9e} computed with "
        "scipy.stats as KL(q_0 ‖ p(Z | X, θ_1)).", "",
        f"The bound after the first M-step, `L(q_0, θ_1)`, is {f['bound_m_emkit']:.9f} in "
        f"emkit's anatomy and {f['bound_m_scipy']:.9f} computed independently with "
        f"scipy.stats.", "",
        "**Does minimising the KL term raise the bound?** At fixed θ (here θ_1, after the first "
        "M-step), move q from q_0 towards the posterior in steps, "
        "`q_s = (1 - s) q_0 + s p(Z | X, θ_1)`, and compute both terms with scipy.stats:", "",
        *partial, "",
        f"The KL term falls to zero while the bound rises by the same amount "
        f"({'rising at every step' if f['partial_rises'] else 'NOT rising at every step'}); "
        f"their sum, the evidence log p(X | θ_1), stays fixed to "
        f"{f['partial_sum_spread']:.1e}. So yes: minimising the KL over q raises the bound, "
        "one for one, because at fixed θ the evidence does not move.", "",
    ]
    return "\n".join(lines)


def write_theory_numbers(app):
    theory_numbers(Path(app.srcdir) / "_generated" / "theory-numbers.md")


def setup(app):
    app.connect("builder-inited", write_theory_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
