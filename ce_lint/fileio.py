"""Reading the user's files and writing fixes back, without ever losing what was there.

Reading refuses what is not a regular file (a FIFO would block, /dev/zero never ends) and
what is larger than the limit, before opening it. Writing a fix back:

- writes nothing when the file changed (or went away) since it was read;
- writes nothing into a read-only file;
- follows a symlink: the target gets the fix and the link stays a link;
- keeps mode, owner and group, and the hard links of a file that has several (such a file,
  and one whose owner ce-lint cannot give back, is rewritten in place);
- otherwise writes a temporary file beside it, fsyncs it and renames it over the file, so a
  crash leaves the old file or the new one. The temporary file's name carries the writer's
  process id; any run removes those whose process is gone (a `kill -9`).
"""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".ce-lint.tmp"
# .<name>.<pid>.<random>.ce-lint.tmp
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[^.]+" + re.escape(TEMP_SUFFIX) + "$")


class Trouble(enum.StrEnum):
    """Why a file was not read or not written."""

    UNREADABLE = "unreadable"
    NOT_REGULAR = "not-regular"
    TOO_LARGE = "too-large"
    CHANGED = "changed"
    NOT_WRITABLE = "not-writable"


class FileProblem(Exception):
    def __init__(self, trouble: Trouble, message: str):
        super().__init__(message)
        self.trouble = trouble
        self.message = message


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_user_file(path: Path, max_size: int) -> bytes:
    """The bytes of a regular file of at most `max_size` bytes (a symlink is followed)."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileProblem(Trouble.UNREADABLE, "the symlink points at itself (a loop)") from None
        raise FileProblem(
            Trouble.UNREADABLE, f"cannot read the file: {exc.strerror or exc}"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        where = " (through a symlink)" if path.is_symlink() else ""
        raise FileProblem(
            Trouble.NOT_REGULAR, f"it is {_kind_of(info.st_mode)}{where}, not a file: not read"
        )
    if info.st_size > max_size:
        raise FileProblem(
            Trouble.TOO_LARGE,
            f"it has {info.st_size:,} bytes, more than the limit of {max_size:,} "
            "(`max-file-size`): not read",
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as exc:
        raise FileProblem(
            Trouble.UNREADABLE, f"cannot read the file: {exc.strerror or exc}"
        ) from None
    if len(data) > max_size:  # it grew since stat
        raise FileProblem(Trouble.TOO_LARGE, f"it has more than {max_size:,} bytes: not read")
    return data


def write_user_file(path: Path, before: bytes, after: bytes) -> None:
    """Replace the file's content `before` (what was read) by `after`; see the module doc."""
    target = Path(os.path.realpath(path))  # a symlink's target; the link stays
    try:
        info = os.stat(target)
        current = target.read_bytes() if stat.S_ISREG(info.st_mode) else None
    except FileNotFoundError:
        raise FileProblem(
            Trouble.CHANGED, "the file was deleted after ce-lint read it: not written"
        ) from None
    except OSError as exc:
        raise FileProblem(
            Trouble.NOT_WRITABLE, f"cannot read it back: {exc.strerror or exc}"
        ) from None
    if current != before:
        raise FileProblem(
            Trouble.CHANGED, "the file changed after ce-lint read it: the fix was not written"
        )
    if not _writable(target, info):
        raise FileProblem(Trouble.NOT_WRITABLE, "the file is read-only: the fix was not written")
    if info.st_nlink > 1 or not _may_replace(info):
        _write_in_place(target, after)
        return
    try:
        _replace(target, after, info)
    except PermissionError:  # the folder is read-only, but the file is not
        _write_in_place(target, after)


def _writable(path: Path, info: os.stat_result) -> bool:
    # os.access says yes to root for any file: a file without a write bit is read-only for all.
    return bool(info.st_mode & 0o222) and os.access(path, os.W_OK)


def _may_replace(info: os.stat_result) -> bool:
    """Whether a new file can be given the old one's owner and group (else: write in place)."""
    if not hasattr(os, "geteuid"):
        return True
    return os.geteuid() == 0 or (
        info.st_uid == os.geteuid() and info.st_gid in os.getgroups() + [os.getegid()]
    )


def _write_in_place(path: Path, data: bytes) -> None:
    """Keeps the inode (hard links, owner); not atomic, so only where a rename would lose more."""
    try:
        with open(path, "r+b") as handle:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise FileProblem(Trouble.NOT_WRITABLE, f"cannot write it: {exc.strerror or exc}") from None


def _replace(path: Path, data: bytes, info: os.stat_result) -> None:
    tmp = _write_temp(path, data)
    try:
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(tmp):
            os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _write_temp(path: Path, data: bytes) -> str:
    """A temporary file beside `path` holding `data`, fsynced; named so stale ones are found."""
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file of ce-lint's own (a report, a baseline, a profile) all at once: a temporary
    file beside it, fsync, rename. An existing file keeps its permission bits."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp = _write_temp(path, data)
    try:
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """atomic_write for text, in the bytes `Path.write_text` would write (UTF-8, each "\\n"
    as os.linesep): for the files ce-lint writes itself (reports, the verify worker's files).

    A symlink is followed: its target gets the text and the link stays. A path that is not a
    regular file (/dev/stdout, a named pipe) cannot be replaced, so it is written in place.
    """
    data = text.replace("\n", os.linesep).encode("utf-8")
    if path.exists() and not path.is_file():  # both follow symlinks
        with open(path, "wb") as handle:
            handle.write(data)
        return
    atomic_write(Path(os.path.realpath(path)), data)


def resolved(path: str | Path) -> Path:
    """`Path.resolve()` that never fails: a symlink loop stays the absolute path as given."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return Path(os.path.abspath(path))


def remove_stale_temps(folder: Path, names: list[str] | None = None) -> list[Path]:
    """Delete the temporary files a killed ce-lint left in `folder` (their process is gone).

    `names`: the folder's entries when the caller listed it already."""
    if names is None:
        try:
            names = os.listdir(folder)
        except OSError:
            return []
    removed = []
    for name in names:
        match = _TEMP_NAME.match(name) if name.endswith(TEMP_SUFFIX) else None
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
            removed.append(folder / name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


USER_CACHE_VARIABLE = "CE_LINT_USER_CACHE"


def user_cache_dir() -> Path:
    """ce-lint's folder in the user cache, for what it learns about installed releases and
    this machine (`CE_LINT_USER_CACHE` overrides it)."""
    if os.environ.get(USER_CACHE_VARIABLE):
        return Path(os.environ[USER_CACHE_VARIABLE])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "ce-lint" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ce-lint"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ce-lint"
