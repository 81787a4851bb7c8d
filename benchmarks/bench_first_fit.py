"""First-call cost: import, first fit (numba compilation) and second fit, cold and warm cache.

Run by hand:
    python benchmarks/bench_first_fit.py [--repeats 3] [--cases gmm-full,hmm-gaussian]
        [--cache-variable NUMBA_CACHE_DIR | EMKIT_CACHE_DIR]

Each measurement runs in a fresh Python process. *Cold*: the cache variable (NUMBA_CACHE_DIR by
default, which every emkit version honours; EMKIT_CACHE_DIR for emkit's own policy) points at a
new empty directory, so every kernel the fit uses is compiled. *Warm*: the same directory
again after a cold run filled it, so the kernels are loaded from disk. Each process times
``import emkit`` (numba and llvmlite included), then the first ``fit`` (compilation, or cache
loading, plus the fit) and a second ``fit`` of a new estimator on the same data (the fit
alone). Printed: the CPU's model and SIMD flags, the load average, and the median and range
over ``--repeats`` processes of each figure's wall time and of the CPU time of the process
(compilation is single-threaded, so CPU time moves less than wall time when other jobs share
the machine).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl")

#: name -> (data expression, estimator expression); evaluated in the child after the import.
CASES = {
    "gmm-full": ("emkit.datasets.load_old_faithful()", "emkit.GaussianMixture(2)"),
    "gmm-diag": ("emkit.datasets.load_old_faithful()",
                 "emkit.GaussianMixture(2, covariance_type='diag')"),
    "hmm-gaussian": ("emkit.datasets.load_old_faithful()", "emkit.GaussianHMM(2)"),
    "poisson-mixture": ("np.random.default_rng(0).poisson([[2.0, 9.0]], size=(300, 2))",
                        "emkit.PoissonMixture(2, random_state=0)"),
    "hmm-categorical": ("np.random.default_rng(0).integers(0, 3, size=(300, 1))",
                        "emkit.CategoricalHMM(2, random_state=0)"),
    "vmf-mixture": ("(lambda X: X / np.linalg.norm(X, axis=1, keepdims=True))("
                    "np.random.default_rng(0).normal([[3.0, 0.0, 1.0]], 1.0, size=(300, 3)))",
                    "emkit.MixtureModel(emkit.VonMisesFisher(), 2, random_state=0)"),
}
FIGURES = ("import", "first fit", "second fit")


def _clocks():
    return time.perf_counter(), time.process_time()


def _elapsed(since):
    now = _clocks()
    return {"wall": now[0] - since[0], "cpu": now[1] - since[1]}


def child(case):
    """Time the import, the first and the second fit of ``case``; print them as JSON."""
    started = _clocks()
    import numpy as np

    import emkit
    times = {"import": _elapsed(started)}
    data_expression, estimator_expression = CASES[case]
    names = {"np": np, "emkit": emkit}
    X = eval(data_expression, names)
    for figure in FIGURES[1:]:
        estimator = eval(estimator_expression, names)
        started = _clocks()
        estimator.fit(X)
        times[figure] = _elapsed(started)
    print(json.dumps(times))


def run_child(case, variable, cache_dir):
    """One fresh process for ``case`` with ``variable=cache_dir``; returns its timings."""
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "EMKIT_CACHE_DIR")}
    env[variable] = cache_dir
    done = subprocess.run([sys.executable, __file__, "--child", case], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(case, variable, repeats):
    """Cold and warm timings of ``case``: {"cold": [...], "warm": [...]} of per-run dicts."""
    runs = {"cold": [], "warm": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="emkit-bench-cache-") as cache_dir:
            runs["cold"].append(run_child(case, variable, cache_dir))
            runs["warm"].append(run_child(case, variable, cache_dir))
    return runs


def cpu_description():
    """The CPU model, the SIMD flags present, and the number of CPUs this process may use."""
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    present = [flag for flag in SIMD_FLAGS if flag in flags]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return model, present, cpus


def summary(values):
    return f"{statistics.median(values):7.3f} ({min(values):6.3f} to {max(values):6.3f})"


def report(case, runs):
    print(f"\n{case}: {CASES[case][1]}")
    print(f"  {'':15s} {'wall s: median (range)':>30s} {'CPU s: median (range)':>30s}")
    for state in ("cold", "warm"):
        for figure in FIGURES:
            wall, cpu = ([run[figure][clock] for run in runs[state]] for clock in ("wall", "cpu"))
            print(f"  {state:4s} {figure:10s} {summary(wall):>30s} {summary(cpu):>30s}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--cache-variable", default="NUMBA_CACHE_DIR",
                        choices=("NUMBA_CACHE_DIR", "EMKIT_CACHE_DIR"))
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    model, flags, cpus = cpu_description()
    import numba
    print(f"CPU: {model}; {cpus} CPUs usable; SIMD flags: {' '.join(flags) or 'none found'}")
    print(f"Python {sys.version.split()[0]}, numba {numba.__version__}; cache via "
          f"{args.cache_variable}; medians over {args.repeats} fresh processes; "
          f"load average {os.getloadavg()[0]:.2f}")
    for case in args.cases.split(","):
        report(case, measure(case, args.cache_variable, args.repeats))
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
