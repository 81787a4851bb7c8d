"""Reading 2-D arrays stored on disk: ``.npy`` files (memory-mapped) and Zarr arrays.

Columns have no names in a ``.npy`` file: they are selected by position (0, 1, ...). A Zarr
array may name its columns in its attribute ``"columns"``; otherwise positions are used too.
"""
from __future__ import annotations

import mmap
import os

import numpy as np

from ._columns import as_float_rows, check_numeric, select_columns
from ._paths import existing_path

__all__ = ["NpyReader", "ZarrReader"]


def _check_2d(shape, where, fix):
    if len(shape) != 2:
        raise ValueError(f"{where} holds an array of shape {tuple(shape)}; expected 2-D "
                         f"(n_samples, n_features). {fix}")


def _npy_header(path):
    """(shape, fortran_order, dtype, byte offset of the data) of a ``.npy`` file."""
    with open(path, "rb") as handle:
        version = np.lib.format.read_magic(handle)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read(handle)
        return shape, fortran_order, dtype, handle.tell()


def _release(mapped, start, stop):
    """Drop the pages of bytes ``[start, stop)`` from this process's resident memory."""
    if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        start -= start % mmap.PAGESIZE
        if stop > start:
            mapped.madvise(mmap.MADV_DONTNEED, start, stop - start)


def _read_npy_rows(path, start, stop, index):
    """Rows ``start:stop`` and columns ``index`` of a ``.npy`` file (a Dask task)."""
    return np.array(np.load(path, mmap_mode="r")[start:stop][:, index], dtype=np.float64)


def check_still_whole(handle, needed, where, start):
    """Raise ValueError if the open file now holds fewer than ``needed`` bytes.

    A memory map read past the end of a file that shrank kills the process (SIGBUS); the size
    is checked before each batch is read instead.
    """
    size = os.fstat(handle.fileno()).st_size
    if size < needed:
        raise ValueError(
            f"{where} was truncated while it was being read: it now holds {size} bytes, but "
            f"its header declares {needed} or more, so the rows from row {start} on are gone. "
            "Do not change a data file during a fit; restore the file and fit again.")


class NpyReader:
    """Rows of a 2-D ``.npy`` file, read through a memory map in batches.

    Parameters
    ----------
    path : str or Path
    columns : sequence of int, optional
        Column positions; every column by default.

    Notes
    -----
    Pages are released from the process once their rows are read (``madvise``), so the
    resident memory stays at one batch whatever the size of the file.
    """

    def __init__(self, path, columns=None):
        self.path = existing_path(path)
        self.where = str(path)
        shape, self.fortran_order, self.dtype, self.offset = _npy_header(self.path)
        _check_2d(shape, self.where, "Save X.reshape(-1, 1) for one feature.")
        self.n_rows, n_columns = shape
        self.columns = select_columns([str(i) for i in range(n_columns)], columns, self.where)
        self.feature_names = None  # a .npy file has no column names
        check_numeric({name: self.dtype for name in self.columns}, self.where)
        self._index = [int(name) for name in self.columns]
        self._n_columns = n_columns

    def batches(self, batch_rows: int):
        """Yield float64 arrays of at most ``batch_rows`` rows, in file order.

        Parameters
        ----------
        batch_rows : int
            The most rows in one array.

        Yields
        ------
        ndarray of shape (n_rows, n_columns)
            float64, at most ``batch_rows`` rows each.
        """
        row_bytes = self._n_columns * self.dtype.itemsize
        whole = self.offset + self.n_rows * row_bytes
        if self.fortran_order or self.n_rows == 0:  # rows are not contiguous on disk
            with open(self.path, "rb") as handle:
                check_still_whole(handle, whole, self.where, 0)
                array = np.load(self.path, mmap_mode="r")
                for start in range(0, self.n_rows, batch_rows):
                    check_still_whole(handle, whole, self.where, start)
                    rows = array[start:start + batch_rows][:, self._index]
                    yield as_float_rows(rows, self.where, start)
            return
        with open(self.path, "rb") as handle:
            check_still_whole(handle, whole, self.where, 0)
            yield from self._mapped_batches(handle, batch_rows, row_bytes)

    def _mapped_batches(self, handle, batch_rows, row_bytes):
        """:meth:`batches` of a C-ordered file through one memory map of ``handle``."""
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            array = np.frombuffer(mapped, self.dtype, self.n_rows * self._n_columns,
                                  self.offset).reshape(self.n_rows, self._n_columns)
            try:
                for start in range(0, self.n_rows, batch_rows):
                    stop = min(self.n_rows, start + batch_rows)
                    check_still_whole(handle, self.offset + stop * row_bytes, self.where,
                                      start)
                    rows = array[start:stop][:, self._index]  # a copy
                    _release(mapped, self.offset + start * row_bytes,
                             self.offset + (start + len(rows)) * row_bytes)
                    yield as_float_rows(rows, self.where, start)
            finally:
                del array  # the map cannot close while an array views it

    def to_dask(self):
        """The rows as a Dask array, each block read by its own task.

        Returns
        -------
        dask.array.Array of shape (n_rows, n_columns)
        """
        import dask
        import dask.array as da

        read = dask.delayed(_read_npy_rows, pure=True)
        step = max(1, (64 << 20) // max(1, self._n_columns * 8))  # about 64 MiB per block
        pieces = [da.from_delayed(read(str(self.path), start, min(start + step, self.n_rows),
                                       self._index),
                                  shape=(min(step, self.n_rows - start), len(self._index)),
                                  dtype=np.float64)
                  for start in range(0, self.n_rows, step)]
        return da.concatenate(pieces, axis=0)


class ZarrReader:
    """Rows of a 2-D Zarr array, read in batches.

    Parameters
    ----------
    path : str or Path
        The array's directory (for an array inside a group: ``"store.zarr/X"``).
    columns : sequence of str or int, optional
        Names (from the array's ``"columns"`` attribute) or positions; all by default.
    """

    def __init__(self, path, columns=None):
        import zarr

        self.path = existing_path(path)
        self.where = str(path)
        node = zarr.open(str(self.path), mode="r")
        if not hasattr(node, "shape"):
            members = sorted(node.array_keys())
            raise ValueError(f"{self.where} is a Zarr group; pass the path of a 2-D array in "
                             f"it, one of {[f'{self.where}/{m}' for m in members]}.")
        _check_2d(node.shape, self.where, "Store X.reshape(-1, 1) for one feature.")
        self.n_rows, n_columns = node.shape
        names = node.attrs.get("columns") or [str(i) for i in range(n_columns)]
        self.columns = select_columns(names, columns, self.where)
        self.feature_names = self.columns if node.attrs.get("columns") else None
        check_numeric({name: node.dtype for name in self.columns}, self.where)
        self._index = [list(map(str, names)).index(name) for name in self.columns]
        self._array = node

    def batches(self, batch_rows: int):
        """Yield float64 arrays of at most ``batch_rows`` rows, in storage order.

        Parameters
        ----------
        batch_rows : int
            The most rows in one array.

        Yields
        ------
        ndarray of shape (n_rows, n_columns)
            float64, at most ``batch_rows`` rows each.
        """
        for start in range(0, self.n_rows, batch_rows):
            rows = self._array[start:start + batch_rows][:, self._index]
            yield as_float_rows(rows, self.where, start)

    def to_dask(self):
        """The rows as a Dask array over the Zarr chunks.

        Returns
        -------
        dask.array.Array of shape (n_rows, n_columns)
        """
        import dask.array as da

        return da.from_zarr(str(self.path))[:, self._index].rechunk({1: -1})
