"""The on-disk layout of a sweep folder, written so that a kill never corrupts it.

::

    OUT/
      manifest.json            what was asked (scenario, grid with digests, seed, runs,
                               chunk, policies, whitecell version) + when it started
      shards/p0000/c000000.parquet   runs [0, chunk) of grid point 0
      shards/p0000/c000001.parquet   runs [chunk, 2*chunk) ...
      summary.json             the statistics, written last: present = sweep complete
      sensitivity.json         (sensitivity analyses only) the tornado

Every file is written to a temporary file in the same folder and moved into
place with :func:`os.replace`, which is atomic on POSIX and Windows: a shard
either exists whole or not at all. A killed sweep can only leave ``*.tmp``
files, which resume deletes (and a folder holding nothing else -- a kill during
the very first manifest write -- counts as empty). After the rename the folder
itself is fsynced, so the new name survives a power cut too. A shard counts as
complete when its Parquet footer reads and holds the expected number of rows;
one damaged by other means (a full disk, a copy cut short) is named by
:func:`check_shards` with the way out: delete it and resume.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["MANIFEST", "SUMMARY", "SENSITIVITY", "check_shards", "clean_temp", "dump_json",
           "list_shards", "only_temp_files", "read_json", "shard_complete", "shard_path",
           "write_bytes_atomic", "write_json_atomic", "write_shard"]

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
SENSITIVITY = "sensitivity.json"
SHARDS = "shards"


def shard_path(out: Path, point: int, chunk: int) -> Path:
    """Where the shard of (grid point, chunk) lives."""
    return out / SHARDS / f"p{point:04d}" / f"c{chunk:06d}.parquet"


def list_shards(out: Path) -> list[Path]:
    """Every complete-looking shard file, in (grid point, chunk) order."""
    return sorted((out / SHARDS).glob("p*/c*.parquet"))


def _temp_in(directory: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    return Path(tmp)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems without directory fsync
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing (temp file + fsync + os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_in(path.parent, path.name)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def dump_json(obj: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, fixed indentation, trailing newline."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False,
                       allow_nan=False) + "\n").encode("utf-8")


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as canonical JSON, atomically."""
    write_bytes_atomic(path, dump_json(obj))


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_shard(table: pa.Table, path: Path) -> None:
    """Write one chunk's rows as Parquet, atomically (zstd; one row group)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_in(path.parent, path.name)
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=max(1, table.num_rows))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def shard_complete(path: Path, rows: int) -> bool:
    """True when ``path`` is a readable Parquet file holding exactly ``rows`` rows."""
    try:
        return bool(pq.read_metadata(path).num_rows == rows)
    except (OSError, pa.ArrowException):
        return False


def clean_temp(out: Path) -> int:
    """Delete temporary files a killed sweep left behind; return how many."""
    n = 0
    for tmp in list(out.glob(".*.tmp")) + list((out / SHARDS).glob("p*/.*.tmp")):
        with contextlib.suppress(OSError):
            tmp.unlink()
            n += 1
    return n


def _is_temp(p: Path) -> bool:
    return p.name.startswith(".") and p.name.endswith(".tmp")


def only_temp_files(out: Path) -> bool:
    """True when ``out`` holds nothing but our temporary files (and empty shard folders).

    That is what a sweep killed before its manifest landed leaves behind; such
    a folder may be taken over by the same (or any) sweep.
    """
    for p in out.iterdir():
        if p.is_file() and _is_temp(p):
            continue
        if p.is_dir() and p.name == SHARDS:
            for q in p.rglob("*"):
                if not (q.is_dir() or _is_temp(q)):
                    return False
            continue
        return False
    return True


def check_shards(files: list[Path]) -> None:
    """Raise SweepError naming the first shard whose Parquet footer does not read.

    DuckDB would otherwise stop with an opaque error in the middle of a query.
    A damaged shard is safe to delete: running the same sweep command again
    re-plays exactly that chunk (runs are reproducible by index).
    """
    from whitecell.analysis.errors import SweepError

    for f in files:
        try:
            pq.read_metadata(f)
        except (OSError, pa.ArrowException) as e:
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise SweepError(f"shard {f} is damaged ({reason}); delete it and run the same "
                             "sweep command again: the resumed sweep re-plays that chunk") from None
