"""Reading named members of a zip archive (an ``.emk`` model file, a 0.1 ``.npz``) within limits.

A model file comes from anywhere, so nothing in it is trusted before it is checked:

* the file must be a regular file (not ``/dev/zero``, not a pipe), of at most ``max_bytes``;
* only the members asked for are read, never the whole archive;
* a member's size comes from the archive's directory and is checked against the budget
  before a byte of it is decompressed; zipfile then stops at that size and checks the CRC;
* an ``.npy`` member's header (dtype, shape, order) is checked against what the caller
  expects, and against the budget, before its data is read; the data is read with
  ``allow_pickle=False`` semantics (no object arrays, ever).

Every failure is a :class:`~emkit.exceptions.ModelFileError` naming the file.
"""
from __future__ import annotations

import ast
import os
import stat
import struct
import zipfile
import zlib

import numpy as np

from .exceptions import ModelFileError

__all__ = ["ALLOWED_DTYPES", "BoundedZip", "check_regular_file"]

#: The array types a model file may hold: what emkit writes (no strings, objects, float16).
ALLOWED_DTYPES = frozenset({"<f8", "<i8", "|b1"})

#: What zipfile may raise on a damaged archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
               NotImplementedError, RuntimeError, IndexError, OverflowError, KeyError)

_DAMAGED = "the file is damaged or was not written by emkit; write it again with emkit.save"


def check_regular_file(path, max_bytes):
    """Raise :class:`ModelFileError` unless ``path`` is a regular file of at most ``max_bytes``.

    Symbolic links are followed: a link to ``/dev/zero`` or a pipe is refused, not read.

    Returns
    -------
    int
        The file's size in bytes.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(path, "it does not exist", "Pass the path written by emkit.save "
                             "(or `emkit fit --output`).") from None
    except OSError as error:
        raise ModelFileError(path, f"it cannot be read ({error.strerror})",
                             "Check the path and its permissions.") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(path, "it is not a regular file (a directory, device or pipe)",
                             "Pass the path of a model file written by emkit.save.")
    if info.st_size > max_bytes:
        raise ModelFileError(path, f"it is {info.st_size} bytes, over the limit of "
                             f"{max_bytes}", "Pass a larger max_bytes if you trust the file.")
    return info.st_size


class BoundedZip:
    """A zip archive whose members are read one by one, within a budget of bytes.

    Parameters
    ----------
    path : str or Path
    max_bytes : int
        The most bytes the file itself, and all members read from it together, may take.
    """

    def __init__(self, path, max_bytes):
        self.path, self.budget = str(path), int(max_bytes)
        check_regular_file(self.path, self.budget)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except _ZIP_ERRORS:
            raise ModelFileError(self.path, "it is not a zip archive (an emkit model file is "
                                 "one)", "Pass a file written by emkit.save.") from None
        self.names = frozenset(self._zip.namelist())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the archive."""
        self._zip.close()

    def _info(self, member):
        if member not in self.names:
            raise ModelFileError(self.path, f"it has no member {member!r}", _DAMAGED + ".")
        info = self._zip.getinfo(member)
        if info.file_size > self.budget:
            raise ModelFileError(self.path, f"member {member!r} holds {info.file_size} bytes, "
                                 f"over the {self.budget} left of the limit",
                                 "Pass a larger max_bytes if you trust the file.")
        return info

    def read_bytes(self, member):
        """The bytes of ``member`` (counted against the budget)."""
        info = self._info(member)
        try:
            with self._zip.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except _ZIP_ERRORS as error:
            raise ModelFileError(self.path, f"member {member!r} cannot be read ({error})",
                                 _DAMAGED + ".") from None
        if len(data) != info.file_size:
            raise ModelFileError(self.path, f"member {member!r} is truncated", _DAMAGED + ".")
        self.budget -= len(data)
        return data

    def read_array(self, member, shape=None, dtype=None):
        """The array in the ``.npy`` member, its header checked before its data is read.

        Parameters
        ----------
        member : str
        shape : tuple of int, optional
            The shape the caller expects (None: any).
        dtype : str, optional
            The dtype the caller expects (None: any of :data:`ALLOWED_DTYPES`).

        Returns
        -------
        ndarray of ``shape``, read-only
        """
        header_shape, header_dtype, fortran = _npy_header(self, member)
        where = f"member {member!r}"
        if header_dtype.str not in ALLOWED_DTYPES:
            raise ModelFileError(self.path, f"{where} holds {header_dtype} values; model files "
                                 "hold float64, int64 or bool", _DAMAGED + ".")
        if dtype is not None and header_dtype.str != dtype:
            raise ModelFileError(self.path, f"{where} holds {header_dtype.str} values where its "
                                 f"spec declares {dtype}", _DAMAGED + ".")
        if shape is not None and tuple(header_shape) != tuple(shape):
            raise ModelFileError(self.path, f"{where} has shape {tuple(header_shape)} where its "
                                 f"spec declares {tuple(shape)}", _DAMAGED + ".")
        data = self.read_bytes(member)
        n_bytes = _n_bytes(header_shape, header_dtype)
        if len(data) < n_bytes:
            raise ModelFileError(self.path, f"{where} is truncated: its header declares "
                                 f"{n_bytes} bytes of data", _DAMAGED + ".")
        array = np.frombuffer(data, dtype=header_dtype, count=int(np.prod(header_shape)),
                              offset=len(data) - n_bytes)
        array = array.reshape(header_shape, order="F" if fortran else "C")
        # ascontiguousarray makes a 0-d array 1-d: reshape back (a PPCA's noise_variance)
        return np.ascontiguousarray(array).reshape(header_shape)


def _n_bytes(shape, dtype):
    return int(np.prod(shape, dtype=object)) * dtype.itemsize


def _npy_header(archive, member):
    """``(shape, dtype, fortran_order)`` from an ``.npy`` member's header, checked."""
    info = archive._info(member)
    try:
        with archive._zip.open(info) as stream:
            head = stream.read(min(info.file_size, 65536 + 12))
    except _ZIP_ERRORS as error:
        raise ModelFileError(archive.path, f"member {member!r} cannot be read ({error})",
                             _DAMAGED + ".") from None
    shape, dtype, fortran = _parse_npy_header(archive.path, member, head)
    n_bytes = _n_bytes(shape, dtype)
    if n_bytes > archive.budget:
        raise ModelFileError(archive.path, f"member {member!r} declares shape {shape} "
                             f"({n_bytes} bytes), over the {archive.budget} left of the limit",
                             "Pass a larger max_bytes if you trust the file.")
    return shape, dtype, fortran


def _parse_npy_header(path, member, head):
    """Parse an ``.npy`` header with a literal parser only (no numpy object hooks)."""
    bad = ModelFileError(path, f"member {member!r} is not a valid .npy array", _DAMAGED + ".")
    if len(head) < 10 or head[:6] != b"\x93NUMPY":
        raise bad
    major = head[6]
    size_bytes = 2 if major == 1 else 4 if major in (2, 3) else None
    if size_bytes is None:
        raise bad
    start = 8 + size_bytes
    length = int.from_bytes(head[8:start], "little")
    if len(head) < start + length:
        raise bad
    try:
        header = ast.literal_eval(head[start:start + length].decode("latin1"))
        dtype = np.dtype(header["descr"]) if isinstance(header["descr"], str) else None
        shape, fortran = header["shape"], header["fortran_order"]
    except (ValueError, SyntaxError, TypeError, KeyError, MemoryError, RecursionError):
        raise bad from None
    if (dtype is None or not isinstance(shape, tuple) or not isinstance(fortran, bool)
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                       for n in shape)):
        raise bad
    return shape, dtype, fortran
