"""Planned changes: text edits of spans of the original, each with a rationale and a safety."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from refactor.text.document import Instruction


class Safety(StrEnum):
    """Like ruff's fix applicability: `safe` keeps behaviour, `review` may change it."""

    SAFE = "safe"
    REVIEW = "review"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `text[start:stop]` with `replacement` (an insertion when start == stop)."""

    start: int
    stop: int
    replacement: str


@dataclass(frozen=True)
class Change:
    transform: str
    rationale: str  # one line, shown with the diff, in JSON and in PR text
    edits: tuple[Edit, ...]
    safety: Safety
    line: int  # 1-based line of the original this change is about


@dataclass(frozen=True)
class Skip:
    """A place a transform looked at and chose not to rewrite, and why."""

    transform: str
    reason: str
    line: int


class Declined(Exception):
    """Raised by a transform that will not rewrite a site; the engine turns it into a Skip.

    `reason` states the fact that blocks the rewrite; `line` is the input file's line (None: the
    line of the site the transform is looking at, which the code that catches it fills in).
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


class EditConflict(ValueError):
    pass


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; insertions at the same point keep their given order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].stop, pair[0]))
    out: list[str] = []
    pos = 0
    for _, edit in ordered:
        if edit.start < pos or edit.stop < edit.start:
            raise EditConflict(f"overlapping edits at offset {edit.start}")
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.stop
    out.append(text[pos:])
    return "".join(out)


def add_stage_name(instr: Instruction, name: str) -> Edit:
    """Insert ` AS name` after the base image word of a FROM line; `as` follows the FROM's casing."""
    args = instr.logical[instr.args_start :]
    match = re.match(r"\S+", args)
    end = instr.args_start + (match.end() if match else 0)
    keyword = "as" if instr.keyword_text.islower() else "AS"
    _, stop = instr.span(end - 1, end)
    return Edit(stop, stop, f" {keyword} {name}")
