"""Data sources outside memory: files streamed in blocks, and Dask collections.

A source has ``n_samples``, ``n_features``, ``total_weight``, ``blocks(chunk_size)`` and
``head(n_rows)``; the engine and every backend take one wherever they take an array.
"""
from ._arrays import NpyReader, ZarrReader
from ._csv import CsvReader
from ._parquet import ParquetReader
from .dask_source import DaskSource
from .open import FORMATS, open_source
from .streaming import StreamingSource

__all__ = ["FORMATS", "CsvReader", "DaskSource", "NpyReader", "ParquetReader",
           "StreamingSource", "ZarrReader", "open_source"]
