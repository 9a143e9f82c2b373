"""Stage graph: the build stages of a Dockerfile and how they depend on each other."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from refactor.facts.images import image_name
from refactor.text.document import Document, Instruction
from refactor.text.words import arg_pairs

_FROM_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")


class ReferenceKind(StrEnum):
    COPY = "copy"  # `COPY --from=x` (and `ADD --from=x`)
    MOUNT = "mount"  # `RUN --mount=...,from=x`
    FROM = "from"  # `FROM x`


@dataclass(frozen=True)
class Reference:
    """One place a stage (or an image) is named: `COPY --from=`, `RUN --mount=from=`, `FROM x`."""

    kind: ReferenceKind
    value: str  # as written
    instruction: Instruction
    stage: Stage | None  # the stage it resolves to; None for an external image


@dataclass(eq=False)
class Stage:
    """One build stage; compared and hashed by identity (one object per stage of a graph)."""

    index: int
    from_instruction: Instruction
    base: str  # image reference or stage name, as written
    name: str | None  # lower-cased as BuildKit does; None when unnamed
    name_text: str | None  # as written
    platform: str | None
    instructions: list[Instruction] = field(default_factory=list)
    base_stage: Stage | None = None

    @property
    def body(self) -> list[Instruction]:
        """The stage's instructions after its FROM."""
        return self.instructions[1:]


@dataclass
class StageGraph:
    stages: list[Stage]
    global_args: dict[str, str | None]
    references: list[Reference]

    @classmethod
    def build(cls, doc: Document) -> StageGraph:
        stages: list[Stage] = []
        global_args: dict[str, str | None] = {}
        for instr in doc.instructions:
            if instr.keyword == "FROM":
                stages.append(_stage_from(instr, len(stages)))
            elif stages:
                stages[-1].instructions.append(instr)
            elif instr.keyword == "ARG":
                global_args.update(arg_pairs(instr.args, instr.escape))
        graph = cls(stages, global_args, [])
        graph._link()
        return graph

    def _link(self) -> None:
        for stage in self.stages:
            base = self.resolve(self.expand(stage.base), before=stage.index)
            stage.base_stage = base
            self.references.append(Reference(ReferenceKind.FROM, stage.base, stage.from_instruction, base))
            for instr in stage.body:
                for value in instr.flag_values("from") if instr.keyword in ("COPY", "ADD") else []:
                    target = self.resolve(self.expand(value), before=stage.index)
                    self.references.append(Reference(ReferenceKind.COPY, value, instr, target))
                for mount in instr.flag_values("mount") if instr.keyword == "RUN" else []:
                    source = parse_mount(mount).get("from")
                    if source is not None:
                        target = self.resolve(self.expand(source), before=stage.index)
                        self.references.append(Reference(ReferenceKind.MOUNT, source, instr, target))

    def expand(self, value: str) -> str:
        """Expand global ARG defaults, as BuildKit does for FROM and --from."""

        def sub(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            default = self.global_args.get(name)
            return default if default is not None else match.group(0)

        return _VAR_RE.sub(sub, value)

    def resolve(self, value: str, before: int | None = None) -> Stage | None:
        """The stage that `value` names (a name or an index), or None for an image."""
        limit = len(self.stages) if before is None else before
        if value.isdigit():
            index = int(value)
            return self.stages[index] if index < limit else None
        lowered = value.lower()
        for stage in self.stages[:limit]:
            if stage.name == lowered:
                return stage
        return None

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def references_to(self, stage: Stage) -> list[Reference]:
        return [r for r in self.references if r.stage is stage]

    def names(self) -> set[str]:
        return {s.name for s in self.stages if s.name}

    def images(self) -> set[str]:
        """Image references used in FROM (not stages), lower-cased, without tag."""
        out: set[str] = set()
        for stage in self.stages:
            if stage.base_stage is None:
                image = self.expand(stage.base).lower()
                out.add(image)
                out.add(image_name(image))
        return out

    def needed_for(self, target: Stage) -> list[Stage]:
        """Stages BuildKit builds for `--target target` (target included), in file order."""
        needed: set[int] = set()
        todo = [target]
        while todo:
            stage = todo.pop()
            if stage.index in needed:
                continue
            needed.add(stage.index)
            todo.extend(r.stage for r in self.references if r.stage and r.instruction in stage.instructions)
        return [s for s in self.stages if s.index in needed]

    def uses_variables(self, stage: Stage) -> bool:
        return bool(_VAR_RE.search(stage.base))


def _stage_from(instr: Instruction, index: int) -> Stage:
    # BuildKit splits FROM's arguments on whitespace only (parseStringsWhitespaceDelimited):
    # quotes are not special, so `FROM scratch["` is the image `scratch["`, and an `AS x` after it counts.
    words = [w for w in _FROM_WHITESPACE.split(instr.args) if w]
    base = words[0] if words else ""
    name_text = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return Stage(
        index=index,
        from_instruction=instr,
        base=base,
        name=name_text.lower() if name_text else None,
        name_text=name_text,
        platform=next(iter(instr.flag_values("platform")), None),
        instructions=[instr],
    )


def parse_mount(value: str) -> dict[str, str]:
    """`type=cache,target=/x,from=build` as a dict (bare keys map to "true")."""
    out: dict[str, str] = {}
    for part in _split_csv(value):
        key, eq, val = part.partition("=")
        out[key.strip().lower()] = val if eq else "true"
    return out


def _split_csv(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in value:
        if quote:
            if ch == quote:
                quote = ""
            else:
                current.append(ch)
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p]
