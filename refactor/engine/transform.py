"""The transform protocol: a named, documented planner that proposes changes and never writes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from refactor.engine.changes import Change, Edit, Plan, Safety, Skip
from refactor.facts.context import TransformContext
from refactor.text.document import Document


class Transform(ABC):
    """One rewrite. Subclasses set `name`, `summary`, `safety` and implement `plan`.

    The class docstring is the user documentation, under the headings
    What it does / Why / Example / Left alone when / Fix safety.
    """

    name: ClassVar[str]  # kebab-case, the CLI's selector
    summary: ClassVar[str]  # one line for `refactor transforms`
    safety: ClassVar[Safety]

    @abstractmethod
    def plan(self, doc: Document, ctx: TransformContext) -> Plan:
        """Look at `doc` and propose changes (or skips with reasons); do not write anything."""

    # Small conveniences so every transform reports in the same shape.
    def change(
        self, rationale: str, edits: list[Edit], line: int, safety: Safety | None = None
    ) -> Change:
        return Change(self.name, rationale, tuple(edits), safety or self.safety, line)

    def skip(self, reason: str, line: int) -> Skip:
        return Skip(self.name, reason, line)
