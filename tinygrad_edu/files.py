"""Writing files whole or not at all, for every module that writes one (checkpoints, pictures, pages)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Optional

__all__ = ["write_atomic"]


def write_atomic(target: Path, data: bytes, *, shown: Optional[Path] = None, where: str = "write") -> None:
    """Write ``data`` to ``target`` so that a crash never leaves half a file there.

    The bytes go to a new temporary file beside ``target``, are fsynced, and the
    temporary file is renamed onto ``target`` (``os.replace`` is atomic), then
    the folder is fsynced so the rename itself survives a power cut. A new file
    gets the permissions ``open()`` would give (0666 less the umask); a replaced
    file keeps its own. On any error the temporary file is removed. ``where``
    and ``shown`` name the operation and the path in error messages.
    """
    directory = target.parent
    if not directory.is_dir():
        missing = f"{where}: directory {str(directory)!r} does not exist"
        raise FileNotFoundError(errno.ENOENT, missing, str(shown or target))
    if target.is_dir():  # os.replace would say only "Is a directory", without the operation
        raise IsADirectoryError(
            errno.EISDIR, f"{where}: the path is a directory, not a file", str(shown or target)
        )
    # O_EXCL: never reuse someone else's file; mode 0o666 minus the umask, as open() would give.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{target.name}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(errno.EEXIST, f"{where}: could not create a temporary file", str(directory))
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them the file
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))  # keep the replaced file's permissions
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; directories can't be opened on Windows)
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)
