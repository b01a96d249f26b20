"""A sweep's tables for other tools: pandas DataFrames, CSV and Excel files.

::

    from whitecell.analysis import load
    runs = load("sweeps/taiwan")                      # one row per run and grid point
    points = load("sweeps/taiwan", "points")          # one row per grid point, with intervals
    load("sweeps/taiwan", "differences")              # each point vs its reference

    whitecell summarize sweeps/taiwan --csv points.csv --xlsx sweep.xlsx

Three tables, flat (one value per cell) so a spreadsheet can read them:

* ``runs`` -- the Parquet shards as they are (the outcome record of every run);
* ``points`` -- the summary per grid point: ``n``, each probability with its
  95% interval (``war``, ``war_low``, ``war_high``, ...), each mean with its
  interval (``peak_rung_mean`` ...), the end-reason counts (``end_settlement``
  ...) and the varied parameters under their dotted paths;
* ``differences`` -- the summary's differences with their intervals.

CSV holds the ``points`` table (the one a reader wants first); the Excel
workbook holds ``points`` and ``differences`` as two sheets. Runs stay in
Parquet (a million rows is past Excel's limit): use :func:`load` or DuckDB.
Files are written atomically like everything in a sweep folder.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from whitecell.analysis.errors import SweepError
from whitecell.analysis.grid import column_value
from whitecell.analysis.shards import (
    SUMMARY,
    check_shards,
    read_json,
    shard_path,
    write_bytes_atomic,
)
from whitecell.analysis.summary import BINARY, expected_shards, read_manifest, summarize

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLES", "differences_rows", "load", "point_rows", "write_csv", "write_xlsx"]

#: The tables :func:`load` knows.
TABLES = ("runs", "points", "differences")


def point_rows(summary: Mapping[str, Any],
               vary_types: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The summary's grid points as flat rows (see the module docstring).

    ``vary_types`` (the manifest's ``vary_columns``) types the varied values as
    in the shards (``700``, not ``"700"``).
    """
    kinds = dict(vary_types or {})
    rows: list[dict[str, Any]] = []
    ends = sorted({r for pt in summary["points"] for r in pt.get("end_reasons", {})})
    for pt in summary["points"]:
        row: dict[str, Any] = {"grid_point": pt["grid_point"], "excursion": pt["excursion"],
                               "label": pt.get("label", "")}
        for path, text in (pt.get("vary") or {}).items():
            row[path] = column_value(text, kinds[path]) if path in kinds else text
        row["n"] = pt["n"]
        row["reference"] = pt.get("reference")
        for b in BINARY:
            pr = pt["proportions"][b]
            row.update({b: pr["p"], f"{b}_low": pr["low"], f"{b}_high": pr["high"]})
        for m, st in pt["means"].items():
            row.update({f"{m}_mean": st["mean"], f"{m}_low": st["low"],
                        f"{m}_high": st["high"]})
        for r in ends:
            row[f"end_{r}"] = int(pt.get("end_reasons", {}).get(r, 0))
        rows.append(row)
    return rows


def differences_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary's differences as flat rows (paired interval columns empty when absent)."""
    keys = ("grid_point", "reference", "metric", "kind", "difference", "low", "high",
            "paired_low", "paired_high")
    return [{k: d.get(k) for k in keys} for d in summary.get("differences", [])]


def _summary(path: Path) -> dict[str, Any]:
    """``summary.json`` of a finished sweep, else a fresh (possibly partial) summary."""
    f = path / SUMMARY
    if f.is_file():
        try:
            data = read_json(f)
            if isinstance(data, dict) and "points" in data:
                return data
        except (OSError, ValueError):
            pass
    return summarize(path)


def _runs_table(path: Path, columns: Sequence[str] | None) -> pa.Table:
    manifest = read_manifest(path)
    files = [f for f in (shard_path(path, gp, k) for gp, k, _ in expected_shards(manifest))
             if f.exists()]
    if not files:
        raise SweepError(f"{path}: no shards yet; run the sweep first")
    check_shards(files)
    cols = list(columns) if columns else None
    try:
        return pa.concat_tables([pq.read_table(f, columns=cols) for f in files],
                                promote_options="default")
    except (KeyError, pa.ArrowException) as e:
        raise SweepError(f"cannot read the runs of {path}: {e}") from None


def load(path: str | Path, table: str = "runs",
         columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A table of the sweep in folder ``path`` as a pandas DataFrame.

    Args:
        path: the sweep folder (its ``--out``).
        table: ``"runs"`` (one row per run and grid point, from the shards),
            ``"points"`` (one row per grid point with intervals) or ``"differences"``.
        columns: with ``"runs"``, read only these columns (keeps memory small).

    Raises:
        SweepError: not a sweep folder, no shards, a damaged shard, an unknown table.
    """
    import pandas as pd

    d = Path(path)
    if table not in TABLES:
        raise SweepError(f"unknown table {table!r} (expected one of {', '.join(TABLES)})")
    if table == "runs":
        return _runs_table(d, columns).to_pandas()
    manifest = read_manifest(d)
    summary = _summary(d)
    rows = (point_rows(summary, manifest.get("vary_columns")) if table == "points"
            else differences_rows(summary))
    return pd.DataFrame(rows)


def write_csv(path: str | Path, file: str | Path) -> Path:
    """Write the ``points`` table of the sweep in ``path`` to ``file`` as CSV."""
    df = load(path, "points")
    target = Path(file)
    _write(target, df.to_csv(index=False).encode("utf-8"))
    return target


def write_xlsx(path: str | Path, file: str | Path) -> Path:
    """Write the ``points`` and ``differences`` tables of the sweep in ``path`` to ``file``."""
    import pandas as pd

    points, diffs = load(path, "points"), load(path, "differences")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        points.to_excel(xl, sheet_name="points", index=False)
        diffs.to_excel(xl, sheet_name="differences", index=False)
    target = Path(file)
    _write(target, buf.getvalue())
    return target


def _write(target: Path, data: bytes) -> None:
    from whitecell.report.files import OutputTargetError, check_output_target

    try:
        # never replace a device, FIFO, symlink or folder with a regular file
        # (as root, `--csv /dev/null` used to replace /dev/null)
        check_output_target(target)
    except OutputTargetError as e:
        raise SweepError(str(e)) from None
    try:
        write_bytes_atomic(target, data)
    except OSError as e:
        raise SweepError(f"cannot write {target}: {e.strerror or e}") from None
