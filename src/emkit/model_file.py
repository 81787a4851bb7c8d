"""Model files: one ``.emk`` file per fitted estimator, validated and bounded when read.

An ``.emk`` file is a zip archive holding ``spec.json`` (what the model is: the estimator's
class, its hyper-parameters, the record of the fit, the versions that wrote it, and the name,
shape and dtype of every array) and one ``.npy`` member per array (``arrays/<name>.npy``).
Nothing is pickled, and loading cannot run code: the spec may name only emkit's own
estimators, components, models and priors (see :mod:`emkit.persist`).

File names
    ``save(est, path)`` writes exactly ``path`` when its name ends in ``.emk``, and otherwise
    ``path`` with ``.emk`` appended: nothing in the name is replaced, so ``run.v1`` becomes
    ``run.v1.emk`` and ``run.v2`` becomes ``run.v2.emk``. A path naming a directory (an
    existing one, or one written with a trailing separator, ``dir.csv/``) is refused.
    ``load(path)`` takes the same path (with or without the ``.emk``).

Files of emkit 0.1
    A 0.1 model was a pair ``prefix.json`` + ``prefix.npz``; ``load(prefix)`` still reads it,
    with the same checks (it never writes one).
"""
from __future__ import annotations

import json
import os
import platform
import re
import tempfile
from pathlib import Path

import numpy as np

from ._bounded_zip import BoundedZip, check_regular_file
from .exceptions import ModelFileError
from .persist import _estimator_classes, decode, encode, state_from_files, state_to_files

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_BYTES", "SUFFIX", "load", "model_path", "save"]

#: The suffix of a model file.
SUFFIX = ".emk"
#: What ``spec.json`` says it is.
FORMAT = "emkit-model"
#: The version of the layout written here (emkit 0.1's JSON + NPZ pair was version 1).
FORMAT_VERSION = 2
#: Default limit on the bytes a model file, and the arrays read from it, may take.
MAX_BYTES = 2**31
#: Limit on ``spec.json`` (and on a 0.1 JSON file).
MAX_SPEC_BYTES = 2**24

_SPEC = "spec.json"
_NAME = re.compile(r"^(params|history)(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_REWRITE = "Write the model again with emkit.save"


def model_path(path) -> Path:
    """The file :func:`save` writes for ``path``: ``path`` with ``.emk`` appended unless its
    name already ends with it (see the module docstring).

    Raises
    ------
    ModelFileError
        If ``path`` names a directory.
    """
    text = os.fspath(path)
    if not text or text.endswith(("/", os.sep)) or os.path.isdir(text):
        raise ModelFileError(text, "it names a directory, not a file",
                             "Name a file, such as 'model.emk'.")
    path = Path(text)
    return path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)


def save(estimator, path, *, overwrite=False) -> Path:
    """Write a fitted emkit estimator to one ``.emk`` model file.

    Parameters
    ----------
    estimator : fitted emkit estimator
    path : str or Path
        The file; ``.emk`` is appended unless the name ends with it (``run.v1`` is written
        as ``run.v1.emk``).
    overwrite : bool, default=False
        Whether to replace an existing file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is False.
    ModelFileError
        If ``path`` names a directory.
    ValueError
        If the estimator holds an object emkit cannot save (a user-defined component).

    Notes
    -----
    The file is written under a temporary name beside it, then renamed: a reader never
    sees half a file, and a failed save leaves any earlier file as it was.
    """
    target = model_path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"model file {str(target)!r} already exists; pass "
                              "overwrite=True (--force in the CLI) to replace it, or choose "
                              "another name.")
    spec, arrays = _describe(estimator)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                     dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            _write_archive(stream, spec, arrays)
        _publish(temporary, target, overwrite)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def _describe(estimator):
    """``(spec, {name: array})`` of a fitted estimator."""
    import sklearn

    import emkit

    spec, arrays = state_to_files(estimator.get_fitted_state())
    arrays = {name: _storable(array) for name, array in arrays.items()}
    spec.update(
        format=FORMAT, format_version=FORMAT_VERSION, estimator=type(estimator).__name__,
        hyper_parameters={k: encode(v) for k, v in estimator.get_params().items()},
        versions={"emkit": emkit.__version__, "numpy": np.__version__,
                  "scikit-learn": sklearn.__version__, "python": platform.python_version()},
        arrays={name: {"shape": list(a.shape), "dtype": a.dtype.str}
                for name, a in arrays.items()},
    )
    return spec, arrays


def _storable(array):
    array = np.asarray(array)
    dtype = "|b1" if array.dtype.kind == "b" else "<i8" if array.dtype.kind in "iu" else "<f8"
    # ascontiguousarray makes a 0-d array 1-d (a PPCA's noise_variance): keep the shape
    return np.ascontiguousarray(array, dtype=dtype).reshape(array.shape)


def _write_archive(stream, spec, arrays):
    import zipfile

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_SPEC, json.dumps(spec, indent=1, allow_nan=True))
        for name, array in arrays.items():
            with archive.open(f"arrays/{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _publish(temporary, target, overwrite):
    """Rename the written file into place (without replacing one unless ``overwrite``)."""
    if overwrite:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)  # fails if the target appeared meanwhile
    except FileExistsError:
        raise FileExistsError(f"model file {str(target)!r} already exists; pass "
                              "overwrite=True (--force in the CLI) to replace it.") from None
    except OSError:  # a file system without hard links
        os.replace(temporary, target)


def load(path, *, max_bytes=MAX_BYTES):
    """Read an estimator written by :func:`save` (or a 0.1 ``.json`` + ``.npz`` pair).

    Parameters
    ----------
    path : str or Path
        The path given to :func:`save` (with or without ``.emk``), or a 0.1 prefix.
    max_bytes : int, default=2**31
        The most bytes the file, and the arrays read from it together, may take.

    Returns
    -------
    estimator
        The fitted estimator.

    Raises
    ------
    ModelFileError
        If the file is missing, not a model file, damaged, over ``max_bytes``, of another
        format, or holds a parameter outside its set (the message names the file and the
        parameter).
    """
    located = _locate(path)
    if isinstance(located, tuple):
        return _load_version_1(*located, max_bytes=max_bytes)
    with BoundedZip(located, max_bytes) as archive:
        spec = _parse_spec(located, archive.read_bytes(_SPEC) if _SPEC in archive.names
                           else None)
        _check_format(located, spec)
        declared = _declared_arrays(located, spec)
        arrays = {name: archive.read_array(f"arrays/{name}.npy", shape, dtype)
                  for name, (shape, dtype) in declared.items()}
    return _rebuild(located, spec, arrays)


def _locate(path):
    """The ``.emk`` file for ``path``, or ``(json, npz)`` of a 0.1 pair."""
    text = os.fspath(path)
    given = Path(text)
    if given.is_file() or given.is_symlink():
        if given.suffix in (".json", ".npz"):
            pair = _version_1_pair(given)
            if pair is not None:
                return pair
        return given
    if given.exists():
        raise ModelFileError(text, "it is not a regular file (a directory, device or pipe)",
                             "Pass the path of a model file written by emkit.save.")
    with_suffix = given.with_name(given.name + SUFFIX) if given.name else given
    if with_suffix.is_file() or with_suffix.is_symlink():
        return with_suffix
    pair = _version_1_pair(given)
    if pair is not None:
        return pair
    raise ModelFileError(text, f"it does not exist (nor does {str(with_suffix)!r})",
                         "Pass the path written by emkit.save (or `emkit fit --output`).")


def _version_1_pair(prefix):
    """``(json, npz)`` written by emkit 0.1 for ``prefix``, if both exist."""
    base = prefix.with_suffix("") if prefix.suffix in (".json", ".npz") else prefix
    try:
        pair = base.with_suffix(".json"), base.with_suffix(".npz")
    except ValueError:
        return None
    return pair if all(p.exists() or p.is_symlink() for p in pair) else None


def _parse_spec(path, data):
    if data is None:
        raise ModelFileError(path, "it is a zip archive without spec.json, so not an emkit "
                             "model file", "Pass a file written by emkit.save.")
    if len(data) > MAX_SPEC_BYTES:
        raise ModelFileError(path, f"its spec is {len(data)} bytes, over {MAX_SPEC_BYTES}",
                             _REWRITE + ".")
    try:
        spec = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ModelFileError(path, f"its spec is not valid JSON ({error})",
                             _REWRITE + ".") from None
    if not isinstance(spec, dict):
        raise ModelFileError(path, "its spec is not a JSON object", _REWRITE + ".")
    return spec


def _check_format(path, spec):
    from . import __version__

    version = spec.get("format_version") if spec.get("format") == FORMAT else spec.get("format")
    if version != FORMAT_VERSION:
        written = _field(path, spec, "versions", dict, {}).get("emkit", "an unknown version")
        raise ModelFileError(
            path, f"it has model format {version!r} (written by emkit {written!s:.40}); this "
            f"emkit ({__version__}) reads format {FORMAT_VERSION} (.emk) and format 1 (the "
            "0.1 .json + .npz pair)", "Load it with the emkit that wrote it and save it again.")


def _field(path, spec, key, kinds, default=None, required=False):
    """``spec[key]`` checked to be of ``kinds`` (None allowed when not required)."""
    if key not in spec:
        if required:
            raise ModelFileError(path, f"its spec has no {key!r}", _REWRITE + ".")
        return default
    value = spec[key]
    if value is None and not required:
        return default
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in _tuple(kinds):
        raise ModelFileError(path, f"its spec's {key!r} is {type(value).__name__} "
                             f"{_short(value)}", _REWRITE + ".")
    return value


def _tuple(kinds):
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _declared_arrays(path, spec):
    """``{name: (shape, dtype)}`` from the spec's ``arrays``, each checked."""
    arrays = _field(path, spec, "arrays", dict, required=True)
    declared = {}
    for name, entry in arrays.items():
        if not _NAME.match(name) or not isinstance(entry, dict):
            raise ModelFileError(path, f"its spec declares an array {_short(name)}, which is "
                                 "not a parameter or history column", _REWRITE + ".")
        shape, dtype = entry.get("shape"), entry.get("dtype")
        if (not isinstance(shape, list) or len(shape) > 32 or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
                or not isinstance(dtype, str)):
            raise ModelFileError(path, f"its spec declares array {name!r} with shape "
                                 f"{_short(shape)} and dtype {_short(dtype)}", _REWRITE + ".")
        declared[name] = (tuple(shape), dtype)
    return declared


def _rebuild(path, spec, arrays):
    """The fitted estimator described by ``spec`` and ``arrays``, every parameter checked."""
    from .engine.monitor import History

    classes = _estimator_classes()
    name = _field(path, spec, "estimator", str, required=True)
    if name not in classes:
        raise ModelFileError(path, f"it names estimator {_short(name)}, which is not one of "
                             f"emkit's: {sorted(classes)}", "Pass a file written by emkit.save.")
    _check_record(path, spec, arrays, History.columns)
    hyper_parameters = _field(path, spec, "hyper_parameters", dict, required=True)
    try:
        estimator = classes[name](**{str(k): decode(v) for k, v in hyper_parameters.items()})
        state = state_from_files(spec, arrays)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
            ArithmeticError, OverflowError, MemoryError) as error:
        raise ModelFileError(path, f"its hyper-parameters or record do not rebuild a {name} "
                             f"({type(error).__name__}: {_short(str(error))})",
                             _REWRITE + ".") from None
    _check_parameters(path, estimator, state)
    return estimator


def _check_record(path, spec, arrays, columns):
    """Check the spec's record of the fit and feature names before they are used."""
    n_features = _field(path, spec, "n_features_in", int)
    names = _field(path, spec, "feature_names_in", list)
    if names is not None and (not all(isinstance(n, str) for n in names)
                              or (n_features is not None and len(names) != n_features)):
        raise ModelFileError(path, "its feature names are not n_features_in strings",
                             _REWRITE + ".")
    result = _field(path, spec, "result", dict)
    if result is None:
        return
    kinds = {"n_iter": int, "converged": bool, "reason": str, "objective": (int, float),
             "log_likelihood": (int, float), "n_samples": (int, float), "objective_name": str}
    if set(result) != set(kinds):
        raise ModelFileError(path, f"its record of the fit has entries {sorted(result)}, "
                             f"not {sorted(kinds)}", _REWRITE + ".")
    for key, kind in kinds.items():
        _field(path, result, key, kind, required=True)
    lengths = set()
    for column in columns:
        array = arrays.get(f"history.{column}")
        if array is None and column == "kind":  # written before rows had a kind: EM steps
            continue
        if array is None or array.ndim != 1:
            raise ModelFileError(path, f"its history has no column {column!r} of one axis",
                                 _REWRITE + ".")
        lengths.add(len(array))
    if len(lengths) != 1:
        raise ModelFileError(path, "its history columns differ in length", _REWRITE + ".")


def _check_parameters(path, estimator, state):
    """Every parameter against its declared constraint and the model's shapes."""
    from .engine.validation import params_problem

    remedy = ("The file was altered or damaged; fit the model again, or load the file with "
              "the emkit that wrote it.")
    try:
        model = estimator._build_model(None, state.params)
        problem = params_problem(model.constraints(), state.params)
        if problem is None:
            estimator.set_fitted_state(state)
            estimator._current(estimator.__dict__.get("n_features_in_"))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise ModelFileError(path, f"its parameters do not fit a {type(estimator).__name__} "
                             f"({_short(str(error))})", remedy) from None
    if problem is not None:
        raise ModelFileError(path, problem[1], remedy, parameter=problem[0])


def _load_version_1(json_path, npz_path, *, max_bytes):
    """Read a 0.1 ``prefix.json`` + ``prefix.npz`` pair, with the checks of :func:`load`."""
    check_regular_file(json_path, min(max_bytes, MAX_SPEC_BYTES))
    spec = _parse_spec(json_path, Path(json_path).read_bytes())
    if spec.get("format") != 1:
        _check_format(json_path, spec)
    with BoundedZip(npz_path, max_bytes) as archive:
        members = [m for m in archive.names if m.endswith(".npy") and _NAME.match(m[:-4])]
        arrays = {m[:-4]: archive.read_array(m) for m in members}
    return _rebuild(json_path, spec, arrays)
