"""Opening a data file by its name: the one entry point for paths (library and CLI)."""
from __future__ import annotations

from pathlib import Path

from ._arrays import NpyReader, ZarrReader
from ._columns import select_columns
from ._csv import CsvReader
from ._parquet import ParquetReader
from ._paths import existing_path, expand_pattern
from .streaming import StreamingSource

__all__ = ["FORMATS", "open_source"]

#: File formats by name, with the file name endings that select them.
FORMATS = {
    "parquet": ((".parquet", ".pq"), ParquetReader),
    "csv": ((".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz"), CsvReader),
    "zarr": ((".zarr",), ZarrReader),
    "npy": ((".npy",), NpyReader),
}


def _format_of(path) -> str:
    name = str(path).rstrip("/").lower()
    for fmt, (endings, _) in FORMATS.items():
        if name.endswith(endings):
            return fmt
    found = Path(path)
    if found.is_dir() and any(p.name.endswith(".parquet") for p in found.iterdir()):
        return "parquet"
    if found.is_dir() and ((found / "zarr.json").exists() or (found / ".zarray").exists()):
        return "zarr"
    raise ValueError(
        f"cannot tell the format of {str(path)!r} from its name; pass format= one of "
        f"{sorted(FORMATS)} (file names ending in "
        f"{', '.join(e for endings, _ in FORMATS.values() for e in endings)} are recognised)."
    )


def _check_several(fmt, pattern, path):
    """Several files are one data set only in Parquet; say so for the other formats."""
    if isinstance(path, (list, tuple)) and len(path) > 1 and fmt != "parquet":
        shown = ", ".join(str(p) for p in path[:3]) + (", ..." if len(path) > 3 else "")
        raise ValueError(
            f"path {pattern!r} names {len(path)} {fmt} files ({shown}), but only Parquet reads "
            "several files as one data set; pass one file, or convert them to Parquet."
        )


def _with_fields(reader_class, path, columns, fields, where):
    """A reader of X's columns and the fields' columns, and ``{field: column names}``."""
    available = list(reader_class(path, None).columns)
    named = {name: select_columns(available, wanted, where) for name, wanted in fields.items()}
    taken = {column for chosen in named.values() for column in chosen}
    X = select_columns(available, columns, where) if columns is not None else \
        [column for column in available if column not in taken]
    return reader_class(path, X + [c for chosen in named.values() for c in chosen]), named


def open_source(path, columns=None, *, lengths=None, format=None, head_rows=None,
                fields=None):
    """Open a Parquet, CSV, Zarr or ``.npy`` file as a streaming data source.

    Parameters
    ----------
    path : str, Path or list of them
        The file (for Parquet also a directory of files, or a list of files), or a glob
        pattern such as ``"big/*.parquet"``. A pattern that matches several files reads them
        in name order, as one data set; only Parquet reads several files.
    columns : sequence of str or int, optional
        Columns to fit, by name (or position); every column by default.
    lengths : array-like of shape (n_sequences,), optional
        Sequence lengths for HMMs; blocks never split a sequence.
    format : {"parquet", "csv", "zarr", "npy"}, optional
        The format, when the file name does not tell it.
    head_rows : int, optional
        Rows in the initialisation sample (100_000 by default).
    fields : dict of str to column name(s), optional
        Block fields read from other columns of the file, by name or position:
        ``{"weights": "w"}`` gives sample weights, ``{"exposure": ["t"]}`` a model's own
        row-aligned input (``block["exposure"]``). With ``columns=None``, X is every column
        that no field takes.

    Returns
    -------
    StreamingSource

    Raises
    ------
    FileNotFoundError
        If the file does not exist, or no file matches the pattern.
    ValueError
        If a column is missing or not numeric, or the types differ between files.
    """
    pattern, path = path, expand_pattern(path)
    if not isinstance(path, (list, tuple)):
        existing_path(path)
    first = path[0] if isinstance(path, (list, tuple)) and path else path
    fmt = format or _format_of(first)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}; got {format!r}.")
    _check_several(fmt, pattern, path)
    reader_class = FORMATS[fmt][1]
    if fields:
        reader, fields = _with_fields(reader_class, path, columns, fields, str(first))
    else:
        reader = reader_class(path, columns)
    options = {} if head_rows is None else {"head_rows": head_rows}
    return StreamingSource(reader, lengths=lengths, fields=fields, **options)
