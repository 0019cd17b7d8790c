"""The course's datasets, each with its source.

>>> from energylab import datasets
>>> {'chips', 'models', 'energy_per_op', 'memory_energy'} <= set(datasets.names())
True
>>> datasets.load("chips").loc[0, "tdp_w"] > 0
np.True_

Every table lives in ``energylab/data`` as a CSV file with an entry in
``sources.toml`` (title, origin, URL, licence, retrieval date, citation key).
Tables are read once per process and copies are handed out, so callers may modify
what they receive.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

import pandas as pd

from . import validate

__all__ = ["names", "load", "source", "chip", "peak_flops", "PRECISION_COLUMNS"]

#: Precision name -> the chips column holding its dense peak (FLOP/s or OP/s).
PRECISION_COLUMNS = {
    "fp64": "fp64_flop_per_s",
    "fp32": "fp32_flop_per_s",
    "tf32": "tf32_flop_per_s",
    "fp16": "fp16_flop_per_s",
    "bf16": "fp16_flop_per_s",
    "fp8": "fp8_flop_per_s",
    "int8": "int8_op_per_s",
    "int4": "int4_op_per_s",
}

_DTYPES = {
    "models": {"publication_date": "datetime64[ns]"},
}


def _data_dir():
    return resources.files("energylab") / "data"


@functools.cache
def _sources() -> dict:
    with (_data_dir() / "sources.toml").open("rb") as fh:
        return tomllib.load(fh)


def names() -> list[str]:
    """Names of all datasets, as accepted by :func:`load`."""
    return sorted(_sources())


@functools.cache
def _read(name: str) -> pd.DataFrame:
    entry = _sources()[name]
    with (_data_dir() / entry["file"]).open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    for col, dtype in _DTYPES.get(name, {}).items():
        df[col] = pd.to_datetime(df[col]) if dtype.startswith("datetime") else df[col].astype(dtype)
    return df


def load(name: str) -> pd.DataFrame:
    """Load a dataset as a DataFrame (a fresh copy each call).

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    pandas.DataFrame
        Columns carry their units in their names (``tdp_w``, ``energy_j``).

    Raises
    ------
    ValueError
        If ``name`` is not a known dataset; the message lists the known ones.
    """
    name = validate.one_of("name", name, names())
    return _read(name).copy()


def source(name: str) -> dict:
    """Provenance of a dataset: title, origin, url, licence, retrieved, citation, notes.

    Examples
    --------
    >>> info = source("chips")
    >>> sorted(k for k in info if k in ("licence", "retrieved", "url"))
    ['licence', 'retrieved', 'url']
    """
    name = validate.one_of("name", name, names())
    return dict(_sources()[name])


def _norm(text: str) -> str:
    text = text.lower().replace("nvidia", "").replace("tesla", "").replace("google", "")
    return re.sub(r"[^a-z0-9]", "", text)


@functools.cache
def _chip_keys() -> tuple:
    """Each chip's row index and its normalised name and aliases (read once: an
    explorer's redraw looks chips up several times)."""
    return tuple((i, [_norm(row["name"])] + [_norm(a) for a in str(row["aliases"]).split(";")])
                 for i, row in _read("chips").iterrows())


def chip(name: str, *, param: str = "name") -> pd.Series:
    """One row of the ``chips`` dataset, found by a forgiving name.

    ``"H100"``, ``"h100 sxm"`` and ``"NVIDIA H100 SXM5 80 GB"`` all find the same chip.
    An exact match of the full name or of one of its aliases wins; otherwise a unique
    partial match is accepted.

    Raises
    ------
    ValueError
        If nothing matches, or if several chips match; the message lists the candidates
        and names the caller's parameter ``param``.

    Examples
    --------
    >>> chip("h100 sxm")["name"]
    'NVIDIA H100 SXM5 80 GB'
    """
    param = validate.text("param", param)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{param} must be a chip name such as 'H100', got {name!r}")
    chips = _read("chips")
    key = _norm(name)
    keys = _chip_keys()
    exact = [i for i, ks in keys if key in ks]
    if len(exact) == 1:
        return chips.loc[exact[0]].copy()
    partial = [i for i, ks in keys if any(key in k for k in ks)]
    if len(partial) == 1:
        return chips.loc[partial[0]].copy()
    if partial:
        listed = ", ".join(repr(chips.loc[i, "name"]) for i in partial)
        raise ValueError(f"{param}: chip name {name!r} is ambiguous; it matches {listed}")
    import difflib

    close = difflib.get_close_matches(name, list(chips["name"]) +
                                      [a for al in chips["aliases"] for a in str(al).split(";")],
                                      n=4, cutoff=0.4)
    hint = f"; close matches: {', '.join(map(repr, close))}" if close else ""
    raise ValueError(f"{param}: no chip named {name!r} in the chips dataset{hint}. "
                     f"Known chips: {', '.join(chips['name'])}")


def peak_flops(chip_name: str, precision: str = "fp16", sparse: bool = False) -> float:
    """Peak throughput (FLOP/s, or OP/s for integers) of a chip at a precision.

    Dense by default; ``sparse=True`` doubles it only where the chip supports 2:4
    structured sparsity :cite:p:`mishra2021sparse`.

    Raises
    ------
    ValueError
        If the precision is unknown, the chip has no figure for it, or ``sparse`` is
        asked of a chip without 2:4 support.

    Examples
    --------
    >>> peak_flops("H100", "fp16") / 1e12, peak_flops("H100", "fp16", sparse=True) / 1e12
    (989.4, 1978.8)
    """
    sparse = validate.flag("sparse", sparse)
    row = chip(chip_name, param="chip_name")
    precision = validate.one_of("precision", precision, list(PRECISION_COLUMNS))
    value = row[PRECISION_COLUMNS[precision]]
    if pd.isna(value):
        raise ValueError(f"{row['name']} has no {precision} figure in the chips dataset")
    if sparse:
        if not bool(row["sparsity_2to4"]):
            raise ValueError(f"sparse=True, but {row['name']} has no 2:4 sparse tensor math")
        value = 2 * value
    return float(value)
