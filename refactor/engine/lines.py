"""Line numbers of an edited text, mapped back to the input file's.

The pipeline re-plans on its own output, so later rounds see shifted lines; every skip
and change is reported in the input's numbering (a line inside a rewritten region maps to
the region's first input line).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from refactor.engine.changes import Edit

_NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class _Hunk:
    old_first: int  # 1-based input line where the edit starts
    new_first: int  # the same place in the edited text
    removed: int  # newlines the edit removed
    added: int  # newlines it inserted


@dataclass
class LineMap:
    """A sequence of applied edit sets, oldest first; maps the newest text's lines to the first's."""

    _steps: list[list[_Hunk]] = field(default_factory=list)

    def record(self, text: str, edits: list[Edit]) -> None:
        """Remember that `edits` (spans of `text`) were applied to `text`."""
        newlines = [m.start() for m in _NEWLINE.finditer(text)]
        hunks: list[_Hunk] = []
        shift = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.stop)):
            first = bisect.bisect_left(newlines, edit.start) + 1
            removed = bisect.bisect_left(newlines, edit.stop) + 1 - first
            added = edit.replacement.count("\n")
            hunks.append(_Hunk(first, first + shift, removed, added))
            shift += added - removed
        self._steps.append(hunks)

    def to_input(self, line: int) -> int:
        for hunks in reversed(self._steps):
            line = _back(line, hunks)
        return line


def _back(line: int, hunks: list[_Hunk]) -> int:
    shift = 0
    for hunk in hunks:
        if line < hunk.new_first:
            break
        if line <= hunk.new_first + hunk.added:
            return hunk.old_first
        shift = hunk.new_first + hunk.added - hunk.old_first - hunk.removed
    return line - shift
