"""The build context a transform may read: which files exist, what `.dockerignore` excludes."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar


@dataclass(frozen=True)
class BuildContext:
    """A directory on disk, or nothing (stdin with no `--context`): then no file exists."""

    root: Path | None
    ignore_patterns: tuple[tuple[bool, str], ...] = ()  # (negated, pattern)

    @classmethod
    def at(cls, root: Path | None) -> BuildContext:
        if root is None:
            return cls(None)
        patterns: list[tuple[bool, str]] = []
        ignore_file = root / ".dockerignore"
        if ignore_file.is_file():
            for raw in ignore_file.read_text(errors="replace").splitlines():
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negated = line.startswith("!")
                pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
                patterns.append((negated, pattern))
        return cls(root, tuple(patterns))

    def ignored(self, relpath: str) -> bool:
        """Docker's rule: the last matching pattern wins; a match on a parent dir counts."""
        path = os.path.normpath(relpath).lstrip("/")
        result = False
        for negated, pattern in self.ignore_patterns:
            if _matches(pattern, path):
                result = not negated
        return result

    def exists(self, relpath: str) -> bool:
        """True when the file is in the context and would be sent to the builder."""
        if self.root is None:
            return False
        path = self.root / relpath
        return path.exists() and not self.ignored(relpath)

    def read_text(self, relpath: str) -> str | None:
        if not self.exists(relpath):
            return None
        try:
            return (self.root / relpath).read_text(errors="replace")  # type: ignore[operator]
        except OSError:
            return None

    def glob(self, pattern: str) -> list[str]:
        """Context-relative paths matching a glob, sorted, .dockerignore applied."""
        if self.root is None:
            return []
        found = [str(p.relative_to(self.root)) for p in self.root.glob(pattern) if p.is_file()]
        return sorted(p for p in found if not self.ignored(p))


def _matches(pattern: str, path: str) -> bool:
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if _match_one(pattern, prefix):
            return True
    return False


def _match_one(pattern: str, path: str) -> bool:
    if "**" in pattern:
        regex = fnmatch.translate(pattern).replace(".*.*", ".*")
        return re.match(regex, path) is not None
    # `*` does not cross a directory separator in Go's filepath.Match
    pattern_parts = pattern.split("/")
    path_parts = path.split("/")
    if len(pattern_parts) != len(path_parts):
        return False
    return all(fnmatch.fnmatchcase(p, q) for p, q in zip(path_parts, pattern_parts, strict=True))


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class HasOptions(Protocol[T_co]):
    """A transform as `options_for` sees it: a name, and the options class it declares."""

    @property
    def name(self) -> str: ...

    @property
    def Options(self) -> type[T_co]: ...  # named like the class attribute transforms declare


@dataclass(frozen=True)
class TransformContext:
    """What a transform sees besides the document: frozen, so plans cannot leak state.

    `options` maps a transform's name to its typed `Options` instance, as
    `refactor.engine.options.resolve` builds it from `--option KEY=VALUE`; a transform
    missing from it gets its defaults.
    """

    build: BuildContext
    dockerfile: Path | None = None
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # An untyped {"name_all": True} would otherwise be silently ignored.
        for name, value in self.options.items():
            if not dataclasses.is_dataclass(value) or isinstance(value, type):
                raise TypeError(f"options[{name!r}] is {value!r}, not a transform's Options instance "
                                "(build them with refactor.engine.options.resolve)")

    def options_for(self, transform: HasOptions[T]) -> T:
        """`transform`'s typed options: those the user gave, else the declared defaults."""
        kind = transform.Options
        value = self.options.get(transform.name)
        if value is None:
            return kind()
        if not isinstance(value, kind):
            raise TypeError(f"options[{transform.name!r}] is a {type(value).__qualname__}, not {kind.__qualname__}")
        return value
