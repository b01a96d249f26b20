"""Writing report files so that a failure never leaves a half-written report.

A report goes to a temporary file in the target's folder and is then renamed
over the target. A rename replaces whatever the name points at *itself*: a
symlink would be replaced by a regular file (not written through), and so
would a FIFO or a device node (as root, ``-o /dev/full`` once replaced
``/dev/full``). So only a missing name or an existing regular file is accepted
as a target; anything else is refused with :class:`OutputTargetError`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["OutputTargetError", "check_output_target", "write_text_atomic"]


class OutputTargetError(ValueError):
    """The output path names something other than a regular file (the message says what)."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_output_target(path: str | os.PathLike[str]) -> None:
    """Refuse ``path`` unless it is absent or an existing regular file (not a symlink).

    Raises:
        OutputTargetError: ``path`` is a symlink, folder, FIFO, device or socket.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise OutputTargetError(f"cannot write {path}: a parent in the path is not a "
                                "folder") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise OutputTargetError(f"refusing to write {path}: it is {kind}, not a regular file; "
                                "give the path of a new or existing regular file")


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    The text goes to a temporary file in the same directory (same file system),
    is flushed to disk, and then replaces ``path`` in one ``os.replace``. If
    anything fails, the temporary file is removed and an existing file at
    ``path`` is left as it was.

    Raises:
        OutputTargetError: ``path`` exists and is not a regular file (see
            :func:`check_output_target`).
        FileNotFoundError: the directory of ``path`` does not exist.
        OSError: the file cannot be written.
    """
    target = Path(path)
    check_output_target(target)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot write {target}: directory {directory} does not exist")
    data = text.encode(encoding)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)  # mkstemp makes 0o600; a report is meant to be shared
        check_output_target(target)  # again: it may have appeared while we wrote
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
