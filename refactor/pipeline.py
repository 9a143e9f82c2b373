"""Run the selected transforms in a fixed order, re-parsing after each, until nothing changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from refactor.changes import Change, Edit, EditConflict, Safety, Skip, apply_edits
from refactor.context import TransformContext
from refactor.document import Document, ParseError
from refactor.transform import Transform

# A transform that keeps changing its own output is a bug; stop rather than loop.
MAX_ROUNDS = 8


class PipelineError(RuntimeError):
    pass


@dataclass
class Outcome:
    """What the pipeline made of one Dockerfile's text."""

    original: str
    output: str
    bom: bool
    changes: list[Change] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.output != self.original

    def rendered(self) -> bytes:
        return (("\ufeff" if self.bom else "") + self.output).encode("utf-8", "surrogateescape")


def run(
    source: str | bytes,
    transforms: Sequence[Transform],
    ctx: TransformContext,
    safe_only: bool = False,
) -> Outcome:
    """Apply `transforms` (already in pipeline order) to `source` until a fixpoint.

    Raises ParseError when the input is not a Dockerfile BuildKit would accept.
    """
    doc = Document.parse(source)
    outcome = Outcome(doc.text, doc.text, doc.bom)
    seen_skips: set[tuple[str, str, int]] = set()
    for _ in range(MAX_ROUNDS):
        progressed = False
        for transform in transforms:
            if doc.text != outcome.output:  # re-parse only what changed: a parse is ~1 s per 100k lines
                doc = _reparse(outcome.output, transform)
            plan = transform.plan(doc, ctx)
            for skip in plan.skips:
                key = (skip.transform, skip.reason, skip.line)
                if key not in seen_skips:
                    seen_skips.add(key)
                    outcome.skips.append(skip)
            accepted = [c for c in plan.changes if not (safe_only and c.safety is not Safety.SAFE)]
            text = _apply_compatible(doc.text, accepted, outcome.changes)
            if text != doc.text:
                outcome.output = text
                progressed = True
        if not progressed:
            return outcome
    raise PipelineError("transforms did not reach a fixpoint; please report this file")


def _reparse(text: str, transform: Transform) -> Document:
    try:
        return Document.parse(text)
    except ParseError as error:  # a transform produced something BuildKit would reject
        raise PipelineError(f"{transform.name} produced an unparsable file: {error.message}") from error


def _apply_compatible(text: str, changes: list[Change], applied: list[Change]) -> str:
    """Apply changes one by one; a change that overlaps an earlier one waits for the next round."""
    edits: list[Edit] = []
    for change in changes:
        candidate = edits + list(change.edits)
        try:
            apply_edits(text, candidate)
        except EditConflict:
            continue
        edits = candidate
        applied.append(change)
    return apply_edits(text, edits) if edits else text
