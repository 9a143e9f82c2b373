"""Unified diffs that `git apply` and `patch -p1` accept, with each change's rationale."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from refactor.engine.changes import Change

NO_NEWLINE = "\\ No newline at end of file"


def split_keep_ends(text: str) -> list[str]:
    """Split on "\n" only, keeping it: CR, form feed and Unicode separators stay in the line."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """A unified diff of two texts with `a/<path>` and `b/<path>` headers ("" when equal)."""
    if old == new:
        return ""
    old_lines = split_keep_ends(old)
    new_lines = split_keep_ends(new)
    out: list[str] = [f"--- a/{path}\n", f"+++ b/{path}\n"]
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(_hunk_header(first[1], last[2], first[3], last[4]))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_mark(" ", old_lines[i1:i2]))
                continue
            if tag in ("replace", "delete"):
                out.extend(_mark("-", old_lines[i1:i2]))
            if tag in ("replace", "insert"):
                out.extend(_mark("+", new_lines[j1:j2]))
    return "".join(out)


def _hunk_header(i1: int, i2: int, j1: int, j2: int) -> str:
    return f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n"


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 0:
        return f"{start},0"
    first = start + 1
    return f"{first}" if length == 1 else f"{first},{length}"


def _mark(prefix: str, lines: Sequence[str]) -> list[str]:
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(prefix + line)
        else:
            out.append(prefix + line + "\n" + NO_NEWLINE + "\n")
    return out


def rationale_block(changes: Sequence[Change]) -> str:
    """Comment lines placed before a file's diff; `git apply` and `patch` skip such preamble."""
    lines = [f"# {c.transform} [{c.safety.value}] line {c.line}: {c.rationale}\n" for c in changes]
    return "".join(lines)
