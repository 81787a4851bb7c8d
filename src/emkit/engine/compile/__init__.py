"""How emkit compiles its kernels: one decorator, one cache policy, and a cache warmer.

Every compiled kernel in emkit is decorated with :func:`kernel`, numba's ``njit`` with the
house options :data:`HOUSE_OPTIONS`: cached on disk (``cache=True``), releasing the GIL so
that the backends' threads run kernels in parallel (``nogil=True``), and with numpy's error
model (``error_model="numpy"``: a float division by zero gives inf or NaN as in numpy instead
of raising ``ZeroDivisionError``; no kernel divides by zero on purpose, and dropping the check
spares compiling Python's exception machinery into each kernel). Options given to
:func:`kernel` (``fastmath`` flags, ``inline``) are added per kernel.

Cache location
--------------
numba writes its cache (``*.nbi`` index and ``*.nbc`` data files) next to the source, in
``__pycache__``, or into the directory named by ``NUMBA_CACHE_DIR``. For emkit's own kernels,
and for no other numba function, the location is chosen when the kernel is decorated:

1. if numba was given a cache directory (``NUMBA_CACHE_DIR``, or ``numba.config.CACHE_DIR``
   set another way) or its own locator classes (``NUMBA_CACHE_LOCATOR_CLASSES``): numba's own
   behaviour, untouched;
2. else, if emkit's package directory is inside a ``site-packages`` or ``dist-packages``
   directory and is writable (a regular install): numba's default, the ``__pycache__``
   directories of the installed package, which go away with it;
3. otherwise (an editable install or a source checkout, whose tree should not fill with
   binaries; or a read-only install): a user cache directory, ``$EMKIT_CACHE_DIR`` if set, else
   ``$XDG_CACHE_HOME/emkit/numba`` (``XDG_CACHE_HOME`` defaulting to ``~/.cache``).

numba picks a function's cache directory once, when the cached dispatcher is created
(``Dispatcher.enable_caching`` builds a ``FunctionCache`` whose ``_UserProvidedCacheLocator``
reads ``numba.config.CACHE_DIR``). :func:`kernel` therefore sets ``numba.config.CACHE_DIR``
for the duration of the ``njit(...)(function)`` call only, under a lock, and restores it: the
user's other numba functions keep numba's usual locations. (A thread that decorates a numba
function of its own at that very instant, while another imports emkit, could see the
setting; decoration happens at import, so this is unlikely.) The files are keyed by the source
file's path and content, so checkouts at different paths or versions do not collide.

Warming the cache
-----------------
:func:`precompile` runs tiny fits and calls that reach every shipped kernel (Gaussian mixtures
of the four covariance types, the discrete families, the von Mises-Fisher, Student's t, HMM
forward-backward on both paths, Viterbi and path sampling), so that later processes, such as a test run's
workers, load compiled code instead of each compiling it. ``python -m emkit.engine.compile``
runs it, its steps in as many processes as :func:`emkit.backends.threads.resolve_n_jobs`
allows (numba compiles one function at a time per process), and prints what each step took.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import pathlib
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numba
import numpy as np

__all__ = ["HOUSE_OPTIONS", "PRECOMPILE_STEPS", "cache_directory", "kernel", "precompile",
           "user_cache_directory"]

#: The options every emkit kernel is compiled with (see the module's docstring).
HOUSE_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}

_PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[2]  # .../emkit
_INSTALL_DIRS = ("site-packages", "dist-packages")
_CONFIG_LOCK = threading.Lock()


def user_cache_directory() -> str:
    """The user cache directory for emkit's kernels (whether or not it is used).

    Returns
    -------
    str
        ``$EMKIT_CACHE_DIR`` if set and not empty, else ``$XDG_CACHE_HOME/emkit/numba``
        (``XDG_CACHE_HOME`` defaults to ``~/.cache``).
    """
    explicit = os.environ.get("EMKIT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "emkit", "numba")


def _numba_is_configured():
    """True if the user gave numba a cache directory or locator classes."""
    return bool(numba.config.CACHE_DIR
                or getattr(numba.config, "CACHE_LOCATOR_CLASSES", ""))


def _installed_and_writable(package_dir):
    """True for a package inside site-packages / dist-packages that this user can write."""
    installed = any(part in _INSTALL_DIRS for part in package_dir.parts)
    return installed and os.access(package_dir, os.W_OK)


def cache_directory(package_dir=None) -> str | None:
    """Where emkit's kernels are cached: a directory, or None for numba's own choice.

    Parameters
    ----------
    package_dir : path-like, optional
        emkit's package directory (this installation's by default); a parameter for tests.

    Returns
    -------
    str or None
        None when numba was configured by the user or emkit is a regular writable install
        (numba's locations apply); otherwise :func:`user_cache_directory`.
    """
    if _numba_is_configured():
        return None
    package_dir = _PACKAGE_DIR if package_dir is None else pathlib.Path(package_dir)
    if _installed_and_writable(package_dir):
        return None
    return user_cache_directory()


@contextlib.contextmanager
def _numba_cache_dir(directory):
    """Set ``numba.config.CACHE_DIR`` to ``directory`` inside the block (no-op for None)."""
    if directory is None:
        yield
        return
    with _CONFIG_LOCK:
        previous = numba.config.CACHE_DIR
        numba.config.CACHE_DIR = directory
        try:
            yield
        finally:
            numba.config.CACHE_DIR = previous


def kernel(function=None, **options):
    """Compile ``function`` with numba's ``njit``, the house options and emkit's cache policy.

    Usable bare (``@kernel``) or with extra options (``@kernel(fastmath={"reassoc"})``).

    Parameters
    ----------
    function : callable, optional
        The Python function to compile.
    **options
        Extra ``njit`` options for this kernel (``fastmath``, ``inline``, ...); they override
        :data:`HOUSE_OPTIONS` where both name the same option.

    Returns
    -------
    numba dispatcher, or a decorator when ``function`` is None
    """
    if function is None:
        return lambda f: kernel(f, **options)
    with _numba_cache_dir(cache_directory()):
        return numba.njit(**{**HOUSE_OPTIONS, **options})(function)


def _gaussian_mixtures():
    import emkit
    X = _tiny_data()
    for covariance_type in ("full", "tied", "diag", "spherical"):
        emkit.GaussianMixture(2, covariance_type=covariance_type, max_iter=2,
                              random_state=0).fit(X)
    emkit.StudentTMixture(2, max_iter=2, random_state=0).fit(X)


def _discrete_mixtures():
    import emkit
    rng = np.random.default_rng(0)
    counts = rng.poisson(3.0, size=(40, 2)).astype(float)
    emkit.PoissonMixture(2, max_iter=2, random_state=0).fit(counts)
    emkit.PoissonMixture(2, max_iter=2, random_state=0).fit(counts + 100.0)  # saddle point
    emkit.BinomialMixture(2, n_trials=5, max_iter=2, random_state=0).fit(np.minimum(counts, 5))
    emkit.BernoulliMixture(2, max_iter=2, random_state=0).fit(counts > 3)
    emkit.CategoricalMixture(2, n_categories=5, max_iter=2, random_state=0).fit(
        np.minimum(counts, 4))
    emkit.MixtureModel(emkit.Multinomial(), 2, max_iter=2, random_state=0).fit(counts)
    directions = _tiny_data() + 1.0
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    emkit.MixtureModel(emkit.VonMisesFisher(), 2, max_iter=2, random_state=0).fit(directions)


def _hidden_markov_models():
    import emkit
    X = _tiny_data()
    model = emkit.GaussianHMM(2, n_iter=2, random_state=0).fit(X, [20, 20])
    model.predict(X, [20, 20])
    model.sample(5, random_state=0)
    codes = np.random.default_rng(0).integers(0, 3, size=(40, 1))
    emkit.CategoricalHMM(2, n_iter=2, random_state=0).fit(codes)


def _hmm_inference():
    from ...models.hmm import inference
    table = _tiny_data()[:6]
    chain = np.array([0.5, 0.5]), np.full((2, 2), 0.5)
    inference.forward_backward(table, *chain, log_space=True)
    inference.sample_posterior(table, *chain, rng=np.random.RandomState(0))
    inference.sample_paths(*chain, np.array([3]), rng=np.random.RandomState(0))


def _tiny_data():
    """40 rows in two features, in two groups."""
    rng = np.random.default_rng(0)
    return np.concatenate([rng.normal(0.0, 1.0, (20, 2)), rng.normal(4.0, 1.0, (20, 2))])


#: (name, callable): together the steps reach every shipped kernel. The costliest to compile
#: come first, so that parallel processes (see :func:`precompile`) finish together.
PRECOMPILE_STEPS = (
    ("HMM log space, sampling", _hmm_inference),
    ("hidden Markov models", _hidden_markov_models),
    ("Gaussian and t mixtures", _gaussian_mixtures),
    ("discrete and directional mixtures", _discrete_mixtures),
)


def _run_step(name):
    """Run the precompile step ``name``; its seconds."""
    started = time.perf_counter()
    with warnings.catch_warnings():  # two iterations: convergence is not the point
        warnings.simplefilter("ignore")
        dict(PRECOMPILE_STEPS)[name]()
    return time.perf_counter() - started


def precompile(verbose: bool = False, n_jobs: int | None = 1) -> dict:
    """Compile every shipped kernel (or load it from the cache) by tiny fits.

    Parameters
    ----------
    verbose : bool, default=False
        Print each step's name and seconds as it ends.
    n_jobs : int or None, default=1
        Processes to compile in, as for :func:`emkit.backends.threads.resolve_n_jobs` (numba
        compiles one function at a time in a process). With more than one, the costliest
        steps run one each in fresh processes, which write the cache (and cost an import
        each), and this process runs the rest.

    Returns
    -------
    dict
        Seconds taken by each step, by name.
    """
    from ...backends.threads import resolve_n_jobs
    names = [name for name, _ in PRECOMPILE_STEPS]
    n_children = min(len(names), resolve_n_jobs(n_jobs)) - 1
    seconds = {}
    with contextlib.ExitStack() as stack:
        if n_children:
            spawn = multiprocessing.get_context("spawn")  # fork would copy numba's state
            pool = stack.enter_context(ProcessPoolExecutor(n_children, mp_context=spawn))
            children = pool.map(_run_step, names[:n_children])
        seconds.update((name, _run_step(name)) for name in names[n_children:])
        if n_children:
            seconds.update(zip(names[:n_children], children))
    if verbose:
        for name in names:
            print(f"  {name:28s} {seconds[name]:6.2f} s", flush=True)
    return {name: seconds[name] for name in names}


def main():
    """``python -m emkit.engine.compile``: warm the cache and say where it is."""
    directory = cache_directory()
    where = directory or numba.config.CACHE_DIR or "numba's default (__pycache__)"
    print(f"emkit: compiling kernels into {where}", flush=True)
    started = time.perf_counter()
    precompile(verbose=True, n_jobs=None)
    print(f"emkit: kernels ready in {time.perf_counter() - started:.1f} s", flush=True)

