"""Compiled Gaussian kernels: log densities and centred scatter statistics, one pass over rows.

Two shapes of precision cover the four covariance types: *dense* (a lower-triangular factor
``L_k`` with ``L_k^T L_k`` the precision; full and tied) and *diagonal* (per-feature square
roots of the precision; diag and spherical). The kernels release the GIL so that the backend's
threads run chunks in parallel, and they never allocate an (n_samples, K, n_features) array.

Speed comes from the loop order, not from a change of formula: every quantity is still formed
from differences ``x_i - c_k`` (centred), in float64. The dense kernels and the scatters work on
blocks of rows transposed to (n_features, rows), a block about the size of an L1 cache, so that
their innermost loops run over rows, contiguous in memory, and compile to SIMD instructions.
Sums over rows or features may be reassociated by the compiler (``fastmath`` with ``reassoc``,
``contract`` and ``nsz`` only: infinities and NaNs keep their meaning), which changes results by
rounding alone.

Each public function allocates its scratch blocks in Python and calls a compiled body
(``_dense_log_prob`` for :func:`dense_log_prob`, ...) that allocates nothing: numba compiles
its allocation machinery for every kernel that allocates, and the first fit pays for that
compilation.
"""
import numpy as np

from ...engine.compile import kernel

LOG_2PI = np.log(2.0 * np.pi)
BLOCK_FLOATS = 4096  # one (n_features, rows) block: 32 KiB, about an L1 data cache
_REASSOC = {"reassoc", "contract", "nsz"}


def block_rows(n_features):
    """Rows per block: ``BLOCK_FLOATS // n_features``, a multiple of 8 between 32 and 256."""
    return max(32, min(256, BLOCK_FLOATS // n_features // 8 * 8))


def _blocks(n_features, count):
    """``count`` scratch blocks of shape (n_features, block_rows(n_features)), and the rows."""
    rows = block_rows(n_features)
    return (*np.empty((count, n_features, rows)), rows)


@kernel(inline="always")
def _transpose_rows(X, start, n_rows, out):
    """Copy ``X[start:start + n_rows]`` transposed into ``out[:, :n_rows]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    start, n_rows : int
    out : ndarray of shape (n_features, >= n_rows)
    """
    for r in range(n_rows):
        for a in range(X.shape[1]):
            out[a, r] = X[start + r, a]


def dense_log_prob(X, means, chol_t, log_det, out):
    """Gaussian log densities with dense precision factors, written into ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    chol_t : ndarray of shape (n_components, n_features, n_features)
        Lower-triangular ``L_k``; the Mahalanobis term is ``||y||^2`` with
        ``y_j = sum_{l <= j} chol_t[k, j, l] * (x_l - mean_l)``.
    log_det : ndarray of shape (n_components,)
        ``log det L_k`` (half the log determinant of the precision).
    out : ndarray of shape (n_samples, n_components)

    Notes
    -----
    For each block of rows and each component, ``y = L_k (x_r - mean_k)`` is built column by
    column of ``L_k`` (an update of all the block's rows at once), then squared and summed.
    """
    block, diff, rows = _blocks(X.shape[1], 2)
    _dense_log_prob(X, means, chol_t, log_det, out, block, diff, np.empty(rows), np.empty(rows))


@kernel(fastmath=_REASSOC)
def _dense_log_prob(X, means, chol_t, log_det, out, block, diff, y, q):
    """:func:`dense_log_prob` with its scratch: ``block``, ``diff`` (n_features, rows) and
    ``y``, ``q`` (rows,)."""
    n, d = X.shape
    rows = block.shape[1]
    for start in range(0, n, rows):
        m = min(rows, n - start)
        _transpose_rows(X, start, m, block)
        for k in range(means.shape[0]):
            for a in range(d):
                for r in range(m):
                    diff[a, r] = block[a, r] - means[k, a]
            q[:m] = 0.0
            for j in range(d):
                y[:m] = 0.0
                for a in range(j + 1):
                    factor = chol_t[k, j, a]
                    for r in range(m):
                        y[r] += factor * diff[a, r]
                for r in range(m):
                    q[r] += y[r] * y[r]
            constant = log_det[k] - 0.5 * d * LOG_2PI
            for r in range(m):  # NaN: inf - inf where the distance overflowed; density 0
                out[start + r, k] = constant - 0.5 * q[r] if q[r] == q[r] else -np.inf


@kernel(fastmath=_REASSOC)
def diag_log_prob(X, means, prec_sqrt, log_det, out):
    """Gaussian log densities with diagonal precisions, written into ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    prec_sqrt : ndarray of shape (n_components, n_features)
        Square roots of the diagonal precisions.
    log_det : ndarray of shape (n_components,)
        ``sum_j log prec_sqrt[k, j]``.
    out : ndarray of shape (n_samples, n_components)
    """
    n, d = X.shape
    for i in range(n):
        for k in range(means.shape[0]):
            q = 0.0
            for a in range(d):
                y = (X[i, a] - means[k, a]) * prec_sqrt[k, a]
                q += y * y
            out[i, k] = log_det[k] - 0.5 * (d * LOG_2PI + q)


@kernel(fastmath=_REASSOC, inline="always")
def _weight_column(W, start, k, n_rows, w):
    """Copy ``W[start:start + n_rows, k]`` into the contiguous ``w`` and return its sum."""
    total = 0.0
    for r in range(n_rows):
        w[r] = W[start + r, k]
        total += w[r]
    return total


@kernel(fastmath=_REASSOC, inline="always")
def _centre_block(block, w, centre, n_rows, diff, weighted_diff, s1):
    """Centre a transposed block, weight it, and add its first moment to ``s1``.

    Writes ``diff[a, r] = x_ra - centre[a]`` and ``weighted_diff[a, r] = w[r] * diff[a, r]``
    for ``r < n_rows`` (shapes (n_features, rows)); adds ``sum_r w[r] diff[:, r]`` to
    ``s1`` (shape (n_features,)).
    """
    for a in range(block.shape[0]):
        acc = 0.0
        for r in range(n_rows):
            t = block[a, r] - centre[a]
            diff[a, r] = t
            weighted_diff[a, r] = w[r] * t
            acc += w[r] * t
        s1[a] += acc


@kernel(inline="always")
def _mirror_lower_triangle(s2):
    """Copy the lower triangle of each ``s2[k]`` (shape (K, D, D)) onto its upper triangle.

    Written as loops: a slice copy (``s2[:, b, a] = s2[:, a, b]``) makes numba compile its
    shape-mismatch error path, seconds of compilation for nothing.
    """
    for k in range(s2.shape[0]):
        for a in range(s2.shape[1]):
            for b in range(a):
                s2[k, b, a] = s2[k, a, b]


def dense_scatter(X, W, shift, s0, s1, s2):
    """Accumulate weighted counts, centred sums and centred scatter matrices.

    ``s0[k] += sum_i w_ik``, ``s1[k] += sum_i w_ik (x_i - c_k)`` and
    ``s2[k] += sum_i w_ik (x_i - c_k)(x_i - c_k)^T`` with ``c_k = shift[k]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_samples, n_components)
        Non-negative weights ``w_ik``.
    shift : ndarray of shape (n_components, n_features)
    s0 : ndarray of shape (n_components,)
    s1 : ndarray of shape (n_components, n_features)
    s2 : ndarray of shape (n_components, n_features, n_features)
        Symmetric on entry (zeros, say): the lower triangle is summed, then mirrored.
    """
    block, diff, weighted, rows = _blocks(X.shape[1], 3)
    _dense_scatter(X, W, shift, s0, s1, s2, block, diff, weighted, np.empty(rows))


@kernel(fastmath=_REASSOC)
def _dense_scatter(X, W, shift, s0, s1, s2, block, diff, weighted, w):
    """:func:`dense_scatter` with its scratch: ``block``, ``diff``, ``weighted``
    (n_features, rows) and ``w`` (rows,)."""
    n, d = X.shape
    k_count = shift.shape[0]
    rows = block.shape[1]
    for start in range(0, n, rows):
        m = min(rows, n - start)
        _transpose_rows(X, start, m, block)
        for k in range(k_count):
            total = _weight_column(W, start, k, m, w)
            if total == 0.0:
                continue
            s0[k] += total
            _centre_block(block, w, shift[k], m, diff, weighted, s1[k])
            for a in range(d):
                for b in range(a + 1):
                    acc = 0.0
                    for r in range(m):
                        acc += weighted[a, r] * diff[b, r]
                    s2[k, a, b] += acc
    _mirror_lower_triangle(s2)


def diag_scatter(X, W, shift, s0, s1, s2):
    """Like :func:`dense_scatter` with only the diagonal of the scatter, ``s2`` (K, D)."""
    block, rows = _blocks(X.shape[1], 1)
    _diag_scatter(X, W, shift, s0, s1, s2, block, np.empty(rows))


@kernel(fastmath=_REASSOC)
def _diag_scatter(X, W, shift, s0, s1, s2, block, w):
    """:func:`diag_scatter` with its scratch: ``block`` (n_features, rows), ``w`` (rows,)."""
    n, d = X.shape
    k_count = shift.shape[0]
    rows = block.shape[1]
    for start in range(0, n, rows):
        m = min(rows, n - start)
        _transpose_rows(X, start, m, block)
        for k in range(k_count):
            total = _weight_column(W, start, k, m, w)
            if total == 0.0:
                continue
            s0[k] += total
            for a in range(d):
                first, second = 0.0, 0.0
                for r in range(m):
                    t = block[a, r] - shift[k, a]
                    first += w[r] * t
                    second += w[r] * t * t
                s1[k, a] += first
                s2[k, a] += second


def lower_triangular_inverse(chol):
    """Inverses of lower-triangular matrices, by forward substitution.

    Parameters
    ----------
    chol : ndarray of shape (n_components, n_features, n_features)
        Lower-triangular with a non-zero diagonal (entries above the diagonal are ignored).

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
        Lower-triangular (exact zeros above the diagonal).

    Notes
    -----
    Column j of ``inv(L)`` solves ``L x = e_j``: ``x_j = 1 / L_jj`` and, for i > j,
    ``x_i = -(sum_{j <= m < i} L_im x_m) / L_ii``. Written out here because LAPACK's threaded
    triangular solve stalls for milliseconds on such small matrices when cores are busy.
    """
    out = np.zeros_like(chol)
    _lower_triangular_inverse(chol, out)
    return out


@kernel
def _lower_triangular_inverse(chol, out):
    """:func:`lower_triangular_inverse` into ``out`` (zeros on entry, the shape of chol)."""
    for k in range(chol.shape[0]):
        L, inverse = chol[k], out[k]
        for j in range(chol.shape[1]):
            inverse[j, j] = 1.0 / L[j, j]
            for i in range(j + 1, chol.shape[1]):
                acc = 0.0
                for m in range(j, i):
                    acc += L[i, m] * inverse[m, j]
                inverse[i, j] = -acc / L[i, i]
