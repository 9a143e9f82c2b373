"""Finding Dockerfiles, reading them as bytes and writing them back atomically."""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile",
                       "Containerfile.*")
# Directories no one wants a codemod to descend into.
SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "vendor"})


class FileError(Exception):
    """A file that cannot be processed; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


def discover_with_roots(paths: Iterable[Path], follow_symlinks: bool = False) -> Iterator[tuple[Path, Path | None]]:
    """(file, the directory it was found under or None when given directly), once per real file.

    A file reached twice (two arguments, or a symlink to another Dockerfile of the tree)
    is processed once, under its own name rather than a symlink's.  Directory symlinks
    are never descended into; `follow_symlinks` only affects file symlinks that lead out
    of the walked directory (see `read_source`).
    """
    found: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found += [(file, path) for file in sorted(_walk(path))]
        else:
            found.append((path, None))
    best: dict[str, int] = {}  # real path -> index in `found` of the name to use
    for index, (file, root) in enumerate(found):
        key = os.path.realpath(file) if follow_symlinks or root is None or not file.is_symlink() or _inside(
            file, root) else os.path.abspath(file)
        if key not in best or (found[best[key]][0].is_symlink() and not file.is_symlink()):
            best[key] = index
    keep = set(best.values())
    for index, item in enumerate(found):
        if index in keep:
            yield item


def _inside(path: Path, root: Path) -> bool:
    """True when the file `path` (maybe a symlink) really lies below `root`."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _walk(root: Path) -> Iterator[Path]:
    """Files named like Dockerfiles; a directory so named is yielded too (`read_source` refuses it)."""
    for dirpath, dirnames, filenames in os.walk(root):  # does not follow directory symlinks
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames + [d for d in dirnames if is_dockerfile_name(d)]):
            if is_dockerfile_name(name):
                yield Path(dirpath) / name


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def read_source(path: Path, root: Path | None = None, follow_symlinks: bool = False) -> bytes:
    """The file's bytes; refuses what is not a regular, readable file.

    `root`: the directory the file was found under.  A symlink there that leads outside
    it is not followed unless `follow_symlinks`; a symlink named on the command line is
    (the user asked for it), and a rewrite replaces its target, keeping the link.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise FileError("no such file") from None
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        try:
            info = path.stat()
        except OSError:
            raise FileError(f"dangling symlink (to {os.readlink(path)}); not followed") from None
        if root is not None and not follow_symlinks and not _inside(path, root):
            raise FileError(
                f"symlink to a file outside {root.as_posix()} ({os.path.realpath(path)}); "
                "not followed (use --follow-symlinks)"
            )
    if stat.S_ISDIR(info.st_mode):
        raise FileError("is a directory, not a Dockerfile")
    if not stat.S_ISREG(info.st_mode):
        raise FileError(f"not a regular file ({_KINDS.get(stat.S_IFMT(info.st_mode), 'special file')})")
    try:
        # O_NONBLOCK: should the path have become a FIFO since the check, open() does not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileError("not a regular file")
        try:
            data = handle.read()
        except OSError as error:
            raise FileError(f"cannot read: {error.strerror}") from None
    check_text(data)
    return data


def check_text(data: bytes) -> None:
    """Refuse binary content (a NUL byte): BuildKit's parser would read garbage."""
    nul = data.find(b"\x00")
    if nul != -1:
        raise FileError("binary content (NUL byte); not a Dockerfile", data.count(b"\n", 0, nul) + 1)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, expected_digest: str) -> None:
    """Replace `path` with `data` via a temp file in the same directory, fsync and rename.

    Refuses when the file changed on disk since it was read (its digest differs), and
    keeps the file's mode (and owner where permitted).  A crash at any point leaves
    either the old or the new file, never a partial one.
    """
    target = path.resolve()
    try:
        current = target.read_bytes()
    except OSError as error:
        raise FileError(f"cannot re-read before writing: {error.strerror}") from None
    if digest(current) != expected_digest:
        raise FileError("changed on disk while it was being rewritten; not written")
    info = target.stat()
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise FileError(f"permission denied: the file is read-only (mode {stat.S_IMODE(info.st_mode):o}); not written")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".refactor-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, stat.S_IMODE(info.st_mode))
        with contextlib.suppress(PermissionError, AttributeError):
            os.chown(tmp_name, info.st_uid, info.st_gid)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
