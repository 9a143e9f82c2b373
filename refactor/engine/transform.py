"""The transform protocol: a named, documented planner that proposes changes and never writes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from refactor.analysis.semantic import SemanticModel
from refactor.engine.changes import Change, Declined, Edit, Plan, Safety, Skip
from refactor.engine.options import NoOptions, describe
from refactor.facts.context import TransformContext


class Transform(ABC):
    """One rewrite. Subclasses set `name`, `summary`, `safety` and implement `plan`.

    The class docstring is the user documentation, under the headings
    What it does / Why / Example / Left alone when / Fix safety.

    A transform that can be configured declares `Options`, a frozen dataclass whose
    fields are `option(default, help)`, and reads it with `ctx.options_for(self)`
    (typed as its own `Options`); `--option KEY=VALUE` is checked against it.
    """

    name: ClassVar[str]  # kebab-case, the CLI's selector
    summary: ClassVar[str]  # one line for `refactor transforms`
    safety: ClassVar[Safety]
    Options: ClassVar[type[object]] = NoOptions

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check the `Options` declaration when the class is defined, not when a user passes --option."""
        super().__init_subclass__(**kwargs)
        describe(cls.Options)

    @abstractmethod
    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        """Look at `model.doc` and propose changes (or skips with reasons); do not write anything.

        Raising `Declined` leaves the whole file alone with that reason.
        """

    def run(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        """`plan`, with a file-wide `Declined` turned into the plan's one skip."""
        try:
            return self.plan(model, ctx)
        except Declined as declined:
            return Plan(skips=[self.skipped(declined, 1)])

    # Small conveniences so every transform reports in the same shape.
    def change(
        self, rationale: str, edits: list[Edit], line: int, safety: Safety | None = None
    ) -> Change:
        return Change(self.name, rationale, tuple(edits), safety or self.safety, line)

    def skip(self, reason: str, line: int) -> Skip:
        return Skip(self.name, reason, line)

    def skipped(self, declined: Declined, site_line: int) -> Skip:
        """The skip a site's `Declined` becomes; `site_line` when it names no line of its own."""
        return Skip(self.name, declined.reason, declined.line if declined.line is not None else site_line)
