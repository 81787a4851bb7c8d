"""The data file of a command: its columns, X, and the sequence, length and id columns.

X is streamed block by block from the file (Parquet, ``.npy``, Zarr, CSV with a header), as
the library's :func:`emkit.sources.open_source` does, so a file larger than memory can be
fitted; a CSV file without a header (``--no-header``) is read into memory. The other
columns a command names (``--id-column``, ``--sequence-column``, ``--lengths-column``) are
read on their own, one column each.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from ..sources import FORMATS
from ..sources._columns import select_columns
from ..sources._paths import existing_path
from ..sources.open import _format_of
from ..sources.streaming import StreamingSource
from ._errors import UserError

__all__ = ["Table", "open_table"]


@dataclass
class Table:
    """What a command reads from its data file.

    Attributes
    ----------
    X : StreamingSource or ndarray of shape (n_samples, n_features)
    columns : list of str
        X's column names (positions as strings for ``.npy`` and header-less CSV).
    named : bool
        Whether the columns have real names (a header, Parquet), to be saved with the model.
    lengths : ndarray of shape (n_sequences,) or None
    ids : ndarray of shape (n_samples,) or None
    id_name : str or None
    path : str
    format : str
    y : ndarray of shape (n_samples,) or None
        ``--response`` when X is in memory; a streamed X carries it as its field ``"y"``.
    """

    X: object
    columns: list
    named: bool
    lengths: object = None
    ids: object = None
    id_name: str | None = None
    path: str = ""
    format: str = ""
    y: object = None


def _header(path, sep, no_header):
    import pandas as pd

    if no_header:
        width = pd.read_csv(path, sep=sep, header=None, nrows=1).shape[1]
        return [f"x{j}" for j in range(width)]
    return [str(c) for c in pd.read_csv(path, sep=sep, nrows=0).columns]


def _looks_numeric(names) -> bool:
    try:
        [float(name) for name in names]
    except ValueError:
        return False
    return True


def _warn_numeric_header(path, names):
    if _looks_numeric(names):
        print(f"emkit: warning: the header row of {path} ({','.join(names[:6])}) looks like "
              "numbers, not column names; if the file has no header, pass --no-header.",
              file=sys.stderr)


def available_columns(path, fmt, sep=",", no_header=False) -> list:
    """The column names of a data file (positions as strings where it has no names)."""
    if fmt == "csv":
        return _header(path, sep, no_header)
    if fmt == "parquet":  # the names only: the reader would check every column's type
        import pyarrow.parquet as pq

        from ..sources._paths import existing_files

        return [str(c) for c in pq.read_schema(existing_files(path, ".parquet")[0]).names]
    return [str(c) for c in FORMATS[fmt][1](path, None).columns]


def resolve(columns, available, where) -> list:
    """Column names for ``--columns`` tokens: names, or positions (0, 1, ...) for any format."""
    if columns is None:
        return None
    tokens = [c if c in available or not c.lstrip("-").isdigit() else int(c) for c in columns]
    return select_columns(available, tokens, where)


def _csv_in_memory(path, sep, names, columns):
    import pandas as pd

    frame = pd.read_csv(path, sep=sep, header=None, names=names, usecols=columns)[columns]
    from ..sources._columns import as_float_rows, check_numeric

    check_numeric(dict(frame.dtypes), str(path))
    return as_float_rows(frame.to_numpy(dtype=np.float64), str(path))


def read_column(path, fmt, name, sep=",", no_header=False):
    """One column of the file, whole, as a numpy array."""
    if fmt == "csv":
        import pandas as pd

        kwargs = dict(header=None, names=_header(path, sep, True)) if no_header else {}
        return pd.read_csv(path, sep=sep, usecols=[name], **kwargs)[name].to_numpy()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path, columns=[name]).column(name).to_numpy()
    reader = FORMATS[fmt][1](path, [name])
    return np.concatenate(list(reader.batches(1 << 20)))[:, 0]


def sequence_lengths(values, name) -> np.ndarray:
    """Lengths of the runs of equal consecutive values (one run per sequence)."""
    values = np.asarray(values)
    if len(values) == 0:
        raise UserError(f"--sequence-column {name} is empty; the file has no rows.")
    changes = np.flatnonzero(values[1:] != values[:-1]) + 1
    edges = np.concatenate([[0], changes, [len(values)]])
    return np.diff(edges)


def lengths_from_column(values, name) -> np.ndarray:
    """Sequence lengths listed in a column (its leading non-empty cells)."""
    import pandas as pd

    values = pd.Series(values).dropna().to_numpy()
    if len(values) == 0 or not np.all(np.equal(np.mod(values.astype(float), 1), 0)) \
            or np.any(values.astype(float) < 1):
        raise UserError(f"--lengths-column {name} must list positive whole numbers (the "
                        "rows of each sequence, in order, blank after the last).")
    return values.astype(np.int64)


def open_table(args, model_columns=None) -> Table:
    """Open ``args.data`` as the command line asks.

    Parameters
    ----------
    args : argparse.Namespace
        ``data``, ``columns``, ``format``, ``sep``, ``no_header`` and, where the command
        has them, ``id_column``, ``sequence_column``, ``lengths_column``, ``response``.
    model_columns : list of str, optional
        The fitted model's feature names: X's columns when ``--columns`` is not given
        (other columns of the file, such as a ``label``, are left alone).

    Returns
    -------
    Table
    """
    path = str(existing_path(args.data))
    fmt = args.format or _format_of(path)
    sep, no_header = getattr(args, "sep", ","), getattr(args, "no_header", False)
    if fmt != "csv" and (no_header or sep != ","):
        raise UserError(f"--sep and --no-header apply to CSV files; {path} is {fmt}.")
    available = available_columns(path, fmt, sep, no_header)
    if fmt == "csv" and not no_header:
        _warn_numeric_header(path, available)
    extras = {option: resolve([getattr(args, option)], available, path)[0]
              for option in ("id_column", "sequence_column", "lengths_column", "response")
              if getattr(args, option, None) is not None}
    columns = resolve(args.columns, available, path)
    if columns is None and model_columns is not None:
        missing = [c for c in model_columns if c not in available]
        if missing:
            raise UserError(f"the model was fitted on the columns {','.join(model_columns)}, "
                            f"but {path} lacks {','.join(missing)}; it has "
                            f"{','.join(available[:12])}. Pass --columns with the file's "
                            "names for those features, in the model's order.")
        columns = list(model_columns)
    if columns is None:
        columns = [c for c in available if c not in extras.values()]
    lengths = None
    if "sequence_column" in extras:
        lengths = sequence_lengths(read_column(path, fmt, extras["sequence_column"], sep,
                                               no_header), extras["sequence_column"])
    if "lengths_column" in extras:
        lengths = lengths_from_column(read_column(path, fmt, extras["lengths_column"], sep,
                                                  no_header), extras["lengths_column"])
    ids = None
    if "id_column" in extras:
        ids = read_column(path, fmt, extras["id_column"], sep, no_header)
    response, y = extras.get("response"), None
    if response is not None and response in columns:
        raise UserError(f"--response {response} is also one of the covariates "
                        f"({','.join(columns[:8])}); leave it out of --columns.")
    if fmt == "csv" and no_header:
        X = _csv_in_memory(path, sep, available, columns)
        y = None if response is None else _csv_in_memory(path, sep, available,
                                                         [response])[:, 0]
    else:
        options = {"sep": sep} if fmt == "csv" else {}
        read = columns if response is None else columns + [response]
        fields = None if response is None else {"y": [response]}
        X = StreamingSource(FORMATS[fmt][1](path, read, **options), lengths=lengths,
                            fields=fields)
    if (len(X) if isinstance(X, np.ndarray) else X.n_samples) == 0:
        raise UserError(f"{path} has no rows (only a header?); pass a file with data.")
    named = fmt in ("csv", "parquet") and not no_header
    return Table(X, columns, named, lengths, ids, extras.get("id_column"), path, fmt, y)
