"""`refactor apply`: apply a unified diff with unidiff, refusing on any context mismatch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from refactor.engine.files import FileError, digest, read_source, write_atomic
from refactor.output.diff import split_keep_ends


@dataclass(frozen=True)
class Applied:
    path: Path
    hunks: int


class PatchError(Exception):
    pass


def parse_patch(text: str) -> PatchSet:
    try:
        return PatchSet(split_keep_ends(text))
    except UnidiffParseError as error:
        raise PatchError(f"not a unified diff: {error}") from None


def apply_patch(text: str, root: Path, strip: int = 1, dry_run: bool = False) -> list[Applied]:
    """Apply every file of the patch under `root`; all files are checked before any is written."""
    patch = parse_patch(text)
    planned: list[tuple[Path, bytes, bytes, int]] = []
    for patched in patch:
        name = patched.target_file if patched.target_file != "/dev/null" else patched.source_file
        target = root / _strip(name, strip)
        try:
            data = read_source(target)
        except FileError as error:
            raise PatchError(f"{target}: {error.message}") from None
        original = data.decode("utf-8", "surrogateescape")
        bom = original.startswith("\ufeff")
        body = original[1:] if bom else original
        new = _apply_file(body, patched, str(target))
        planned.append((target, data, (("\ufeff" if bom else "") + new).encode("utf-8", "surrogateescape"),
                        len(patched)))
    if not dry_run:
        for target, old, new_bytes, _ in planned:
            write_atomic(target, new_bytes, digest(old))
    return [Applied(target, hunks) for target, _, _, hunks in planned]


def _strip(path: str, strip: int) -> str:
    parts = path.split("/")
    return "/".join(parts[strip:]) if len(parts) > strip else parts[-1]


def _apply_file(text: str, patched: object, name: str) -> str:
    lines = split_keep_ends(text)
    out: list[str] = []
    pos = 0
    for hunk in patched:  # type: ignore[attr-defined]
        start = max(hunk.source_start - 1, 0) if hunk.source_length else hunk.source_start
        if start < pos:
            raise PatchError(f"{name}: hunks overlap")
        out.extend(lines[pos:start])
        pos = start
        old_lines, new_lines = _hunk_sides(hunk)
        if lines[pos : pos + len(old_lines)] != old_lines:
            raise PatchError(f"{name}: hunk at line {hunk.source_start} does not match the file; nothing written")
        out.extend(new_lines)
        pos += len(old_lines)
    out.extend(lines[pos:])
    return "".join(out)


def _hunk_sides(hunk: object) -> tuple[list[str], list[str]]:
    """Source and target lines of a hunk, honouring `\\ No newline at end of file`."""
    old: list[str] = []
    new: list[str] = []
    last: list[list[str]] = []
    for line in hunk:  # type: ignore[attr-defined]
        kind = line.line_type
        if kind == "\\":
            for side in last:
                side[-1] = side[-1].removesuffix("\n")
            continue
        value = line.value
        if kind in (" ", "-"):
            old.append(value)
        if kind in (" ", "+"):
            new.append(value)
        last = [old, new] if kind == " " else ([old] if kind == "-" else [new])
    return old, new
