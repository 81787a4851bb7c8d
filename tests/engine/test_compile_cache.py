"""emkit.engine.compile: the cache policy, the decorator's options, and the cache warmer."""
import os
import pathlib
import subprocess
import sys
import textwrap

import numba
import pytest

import emkit
from emkit.engine import compile as compilation

PACKAGE_DIR = pathlib.Path(emkit.__file__).resolve().parent
KERNEL_MODULES = ("emkit.components.gaussian._kernels", "emkit.components._discrete_kernels",
                  "emkit.engine.responsibilities", "emkit.models.hmm._kernels",
                  "emkit.models.hmm._scaled", "emkit.models.hmm._logspace",
                  "emkit.models.hmm._decoding", "emkit.components._sphere_kernels")


@pytest.fixture
def no_numba_settings(monkeypatch):
    """Neither a numba cache directory nor locator classes, no emkit or XDG variable."""
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(numba.config, "CACHE_LOCATOR_CLASSES", "", raising=False)
    for name in ("EMKIT_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)


def _child_env(**settings):
    """This process's environment without numba's cache settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "NUMBA_CACHE_LOCATOR_CLASSES")}
    env.update(settings)
    return env


def test_a_source_checkout_caches_into_the_user_cache_directory(no_numba_settings, monkeypatch,
                                                                tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    checkout = tmp_path / "work" / "src" / "emkit"
    assert compilation.cache_directory(checkout) == str(tmp_path / ".cache" / "emkit" / "numba")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compilation.cache_directory(checkout) == str(tmp_path / "xdg" / "emkit" / "numba")
    monkeypatch.setenv("EMKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert compilation.cache_directory(checkout) == str(tmp_path / "mine")


@pytest.mark.parametrize("install_dir", ["site-packages", "dist-packages"])
def test_a_writable_install_keeps_numbas_in_tree_cache(no_numba_settings, monkeypatch, tmp_path,
                                                       install_dir):
    installed = tmp_path / "lib" / "python3" / install_dir / "emkit"
    installed.mkdir(parents=True)
    assert compilation.cache_directory(installed) is None
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # read-only (root writes all)
    assert compilation.cache_directory(installed) == compilation.user_cache_directory()


@pytest.mark.parametrize("setting", ["CACHE_DIR", "CACHE_LOCATOR_CLASSES"])
def test_numbas_own_settings_are_left_to_numba(no_numba_settings, monkeypatch, tmp_path,
                                                setting):
    monkeypatch.setattr(numba.config, setting, str(tmp_path), raising=False)
    monkeypatch.setenv("EMKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert compilation.cache_directory(tmp_path / "src" / "emkit") is None


def test_the_decorator_restores_numbas_setting(no_numba_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("EMKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compilation, "_PACKAGE_DIR", tmp_path / "src" / "emkit")

    @compilation.kernel(fastmath={"reassoc"})
    def twice(x):
        return 2.0 * x

    assert numba.config.CACHE_DIR == ""
    assert twice.targetoptions["nogil"] and twice.targetoptions["error_model"] == "numpy"
    assert twice.targetoptions["fastmath"]  # per-kernel options are kept
    assert twice(1.5) == 3.0


def test_kernels_and_only_kernels_cache_into_emkit_cache_dir(tmp_path):
    if compilation.cache_directory() is None and not os.environ.get("NUMBA_CACHE_DIR"):
        pytest.skip("emkit is a regular install here: numba's in-tree cache applies")
    user_module = tmp_path / "user_code" / "users_module.py"
    user_module.parent.mkdir()
    user_module.write_text(textwrap.dedent("""\
        import numba

        @numba.njit(cache=True)
        def users_function(x):
            return x + 1
    """))
    code = textwrap.dedent(f"""\
        import sys, time
        started = time.time()
        import numpy as np
        from emkit.components import _discrete_kernels
        _discrete_kernels.row_table_sums(np.ones((3, 2)), np.zeros((1, 2)), np.empty(3))
        sys.path.insert(0, {str(user_module.parent)!r})
        import users_module
        users_module.users_function(1)
        print(started)
    """)
    cache = tmp_path / "emkit-cache"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=_child_env(EMKIT_CACHE_DIR=str(cache)))
    started = float(done.stdout.strip().splitlines()[-1])
    indexes = [path.name for path in cache.rglob("*.nbi")]
    assert any(name.startswith("_discrete_kernels.row_table_sums") for name in indexes)
    assert not any("users_function" in name for name in indexes)
    assert list((user_module.parent / "__pycache__").glob("users_module.users_function*.nbi"))
    written_in_tree = [path for path in PACKAGE_DIR.rglob("*.nbi")
                       if path.stat().st_mtime >= started]
    assert written_in_tree == []


def _kernel_dispatchers():
    """Every emkit kernel that is compiled on its own (inlined helpers are not)."""
    import importlib
    found = {}
    for name in KERNEL_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if (isinstance(value, numba.core.registry.CPUDispatcher)
                    and value.py_func.__module__ == name
                    and value.targetoptions.get("inline", "never") == "never"):
                found[f"{name}.{attribute}"] = value
    return found


def test_every_kernel_uses_the_house_options():
    dispatchers = _kernel_dispatchers()
    assert {"emkit.components.gaussian._kernels._dense_log_prob",
            "emkit.components._discrete_kernels.categorical_counts",
            "emkit.engine.responsibilities._normalise",
            "emkit.models.hmm._kernels.forward_backward_scaled",
            "emkit.models.hmm._decoding.viterbi_sequences"} <= set(dispatchers)
    for name, dispatcher in dispatchers.items():
        for option, value in compilation.HOUSE_OPTIONS.items():
            if option != "cache":
                assert dispatcher.targetoptions[option] == value, (name, option)
        assert not isinstance(dispatcher._cache, numba.core.caching.NullCache), name


@pytest.mark.slow
def test_python_m_compiles_every_kernel():
    # python -m emkit.engine.compile (several processes) fills the cache (it is warm after
    # `make test`'s own run, cold otherwise); then a fresh process that runs every precompile
    # step compiles nothing and has every kernel
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-m", "emkit.engine.compile"], capture_output=True,
                          text=True, check=True, env=env)
    assert "kernels ready" in done.stdout
    assert "found in sys.modules" not in done.stderr  # runpy's double-import warning
    code = textwrap.dedent("""\
        import json
        from numba.core import event

        class Compiled(event.Listener):
            names = []
            def on_start(self, e):
                self.names.append(e.data["dispatcher"].py_func.__name__)
            def on_end(self, e):
                pass

        event.register("numba:compile", Compiled())
        from emkit.engine.compile import precompile
        precompile(n_jobs=1)
        import test_compile_cache as here
        missing = [name for name, dispatcher in here._kernel_dispatchers().items()
                   if not dispatcher.signatures]
        print(json.dumps([Compiled.names, sorted(missing)]))
    """)
    here = str(pathlib.Path(__file__).parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    assert done.stdout.strip().splitlines()[-1] == "[[], []]"
