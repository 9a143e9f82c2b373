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


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files given directly, and Dockerfiles found below given directories, sorted, once each."""
    seen: set[Path] = set()
    for path in paths:
        found = [path] if not path.is_dir() or path.is_symlink() else sorted(_walk(path))
        for file in found:
            key = Path(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                yield file


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):  # does not follow directory symlinks
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            if is_dockerfile_name(name):
                yield Path(dirpath) / name


def read_source(path: Path) -> bytes:
    """The file's bytes; refuses what is not a regular, readable, text file."""
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
            raise FileError("dangling symlink") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileError("is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise FileError("not a regular file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror}") from None
    if b"\x00" in data:
        raise FileError("binary content (NUL byte); not a Dockerfile")
    return data


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
