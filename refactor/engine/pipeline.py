"""Run the selected transforms in a fixed order, re-parsing after each, until nothing changes."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from refactor.analysis.semantic import SemanticModel
from refactor.engine.changes import Change, Edit, Safety, Skip, apply_edits
from refactor.engine.lines import LineMap
from refactor.engine.transform import Transform
from refactor.facts.context import TransformContext
from refactor.text.document import BOM, Document, ParseError

# A transform that keeps changing its own output is a bug; stop rather than loop.
MAX_ROUNDS = 8


class PipelineError(RuntimeError):
    pass


@dataclass(frozen=True)
class Outcome:
    """What the pipeline made of one parsed Dockerfile: its output text, the changes and the skips."""

    document: Document  # the input, as parsed
    output: str
    changes: tuple[Change, ...] = ()
    skips: tuple[Skip, ...] = ()

    @property
    def original(self) -> str:
        return self.document.text

    @property
    def changed(self) -> bool:
        return self.output != self.document.text

    def rendered(self) -> bytes:
        """The output as the file's bytes (the input's BOM kept)."""
        return ((BOM if self.document.bom else "") + self.output).encode("utf-8", "surrogateescape")


def run(
    document: Document,
    transforms: Sequence[Transform],
    ctx: TransformContext,
    safe_only: bool = False,
) -> Outcome:
    """Apply `transforms` (already in pipeline order) to a parsed file until a fixpoint.

    Raises PipelineError when a transform's output does not parse or the rounds do not settle.
    """
    doc, output = document, document.text
    model = SemanticModel(doc)  # one per parse, shared by every transform that reads it
    lines = LineMap()  # later rounds see shifted lines; reports use the input's
    changes: list[Change] = []
    skips: list[Skip] = []
    seen_skips: set[tuple[str, str, int]] = set()
    for _ in range(MAX_ROUNDS):
        progressed = False
        for transform in transforms:
            if doc.text != output:  # re-parse only what changed: a parse is ~1 s per 100k lines
                doc = _reparse(output, transform)
                model = SemanticModel(doc)
            plan = transform.run(model, ctx)
            for skip in plan.skips:
                skip = replace(skip, line=lines.to_input(skip.line))
                key = (skip.transform, skip.reason, skip.line)
                if key not in seen_skips:
                    seen_skips.add(key)
                    skips.append(skip)
            accepted = [c for c in plan.changes if not (safe_only and c.safety is not Safety.SAFE)]
            text = _apply_compatible(doc.text, accepted, changes, lines)
            if text != doc.text:
                output = text
                progressed = True
        if not progressed:
            return Outcome(document, output, tuple(changes), tuple(skips))
    raise PipelineError("transforms did not reach a fixpoint; please report this file")


def _reparse(text: str, transform: Transform) -> Document:
    try:
        return Document.parse(text)
    except ParseError as error:  # a transform produced something BuildKit would reject
        raise PipelineError(f"{transform.name} produced an unparsable file: {error.message}") from error


def _apply_compatible(text: str, changes: list[Change], applied: list[Change], lines: LineMap | None = None) -> str:
    """Apply changes in order; a change that overlaps an accepted one waits for the next round.

    `lines` maps the text's lines to the input's: applied changes report input lines, and the
    edits made here are recorded in it."""
    lines = lines if lines is not None else LineMap()
    accepted: list[tuple[int, int]] = []  # sorted (start, stop) of accepted edits, never overlapping
    edits: list[Edit] = []
    for change in changes:
        spans = sorted((e.start, e.stop) for e in change.edits)
        if _overlapping(spans) or any(_conflicts(accepted, span) for span in spans):
            continue
        for span in spans:
            bisect.insort(accepted, span)
        edits.extend(change.edits)
        applied.append(replace(change, line=lines.to_input(change.line)))
    if not edits:
        return text
    lines.record(text, edits)
    return apply_edits(text, edits)


def _overlapping(spans: list[tuple[int, int]]) -> bool:
    """apply_edits' rule for sorted spans: each starts at or after the previous one's stop."""
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def _conflicts(accepted: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether `span` overlaps its neighbours in `accepted` (enough: accepted never overlap)."""
    index = bisect.bisect_right(accepted, span)
    before = accepted[index - 1] if index else None
    after = accepted[index] if index < len(accepted) else None
    return (before is not None and span[0] < before[1]) or (after is not None and after[0] < span[1])
