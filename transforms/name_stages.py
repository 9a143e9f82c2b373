"""name-stages: give stages that are referenced by number a descriptive name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from refactor.analysis.semantic import SemanticModel
from refactor.analysis.stages import Reference, ReferenceKind, Stage, StageGraph
from refactor.engine.changes import Edit, Plan, Safety, add_stage_name
from refactor.engine.options import option
from refactor.engine.transform import Transform
from refactor.facts import ecosystems
from refactor.facts.context import TransformContext
from refactor.facts.images import image_name

_NAME_RE = re.compile(r"^[a-z][a-z0-9._-]*$")


class NameStages(Transform):
    """Name numeric stages: `COPY --from=0` becomes `COPY --from=builder`.

    ## What it does
    Every stage that another instruction refers to by its index (`COPY --from=0`,
    `RUN --mount=...,from=1`) gets a name (`FROM golang:1.21 AS builder`) and the
    numeric references are rewritten to that name.  A stage that already has a name
    but is referenced by number keeps its name; only the references change.

    ## Why
    An index silently points at another stage when a stage is added or removed above
    it; a name survives reordering, says what the stage is for, and can be built with
    `docker build --target <name>`.

    ## Example
    ```Dockerfile
    FROM golang:1.21-alpine
    RUN go build -o /bin/server ./cmd/server
    FROM scratch
    COPY --from=0 /bin/server /bin/
    ```
    becomes
    ```Dockerfile
    FROM golang:1.21-alpine AS builder
    RUN go build -o /bin/server ./cmd/server
    FROM scratch
    COPY --from=builder /bin/server /bin/
    ```
    Names say what the stage does: `builder` for a stage that compiles, `deps` for one
    that only installs dependencies, `base` for one other stages start FROM, `runtime`
    for the final stage, else the base image's name plus `-stage`.  A name never
    collides with another stage's name, an image used in FROM, or a name a
    `FROM base-${VARIANT}` could produce.
    `AS` follows the casing of its `FROM`.

    ## Left alone when
    - stages are referenced by name or not at all (option `name_all`: name every stage);
    - `--from=<word>` is not a stage index or name: it refers to an image;
    - the stage is named already (names are public API: compose `target:` and CI use them).

    ## Fix safety
    Safe: BuildKit resolves the name to the same stage the index did.
    """

    name = "name-stages"
    summary = "Name stages referenced by number and rewrite `--from=<index>` to the name."
    safety = Safety.SAFE

    @dataclass(frozen=True)
    class Options:
        name_all: bool = option(False, "Also name stages nothing refers to, so each can be built with `--target`.")

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        graph = model.graph
        plan = Plan()
        taken = _taken_names(graph)
        name_all = ctx.options_for(self).name_all
        for stage in graph.stages:
            numeric = [r for r in graph.references_to(stage) if r.kind is not ReferenceKind.FROM and r.value.isdigit()]
            if not numeric and not (name_all and stage.name is None):
                continue
            edits: list[Edit] = []
            if stage.name is None:
                new_name = _choose_name(stage, model, taken)
                taken.add(new_name)
                edits.append(add_stage_name(stage.from_instruction, new_name))
                what = f"stage {stage.index} is named `{new_name}`"
            else:
                new_name = stage.name_text or stage.name
                what = f"stage {stage.index} already has the name `{new_name}`"
            for ref in numeric:
                edits.append(_rewrite_reference(ref, new_name))
            refs = ", ".join(sorted({_describe(r) for r in numeric}))
            why = (f"{what} and {refs} refer{'s' if len(numeric) == 1 else ''} to it by name, "
                   "which stays right when stages are added above it") if numeric else (
                f"{what} so it can be built with --target {new_name}")
            plan.changes.append(self.change(why, edits, stage.from_instruction.first_line))
        return plan


def _describe(ref: Reference) -> str:
    return f"--from={ref.value}" if ref.kind is ReferenceKind.COPY else f"--mount from={ref.value}"


def _taken_names(graph: StageGraph) -> set[str]:
    return graph.names() | graph.images()


def _choose_name(stage: Stage, model: SemanticModel, taken: set[str]) -> str:
    graph = model.graph
    patterns = [_variable_pattern(s.base) for s in graph.stages if graph.uses_variables(s)]
    for candidate in _candidates(stage, model):
        if candidate in taken or any(p.match(candidate) for p in patterns):
            continue
        if _NAME_RE.match(candidate):
            return candidate
    index = 2
    while f"stage-{index}" in taken:
        index += 1
    return f"stage-{index}"


def _candidates(stage: Stage, model: SemanticModel) -> list[str]:
    """Names in order of preference, from what the stage does."""
    image = _sanitise(image_name(model.graph.expand(stage.base))) or "stage"
    role = _role(stage, model)
    preferred = {
        "builder": ["builder", "build", f"{image}-build"],
        "deps": ["deps", "dependencies", f"{image}-deps"],
        "base": ["base", f"{image}-base"],
        "runtime": ["runtime", "final", f"{image}-runtime"],
        "other": [f"{image}-stage"],
    }[role]
    return [*preferred, f"{image}-{stage.index}"]


def _role(stage: Stage, model: SemanticModel) -> str:
    graph = model.graph
    commands = [c for instr in stage.body for c in model.commands(instr)]
    if any(ecosystems.builds(c) for c in commands):
        return "builder"
    if any(ecosystems.installs(c) for c in commands):
        return "deps"
    if any(s.base_stage is stage for s in graph.stages):
        return "base"
    if stage is graph.final:
        return "runtime"
    return "other"



def _sanitise(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")


def _variable_pattern(base: str) -> re.Pattern[str]:
    """`base-${VARIANT}` -> a regex matching every name it could expand to."""
    parts = re.split(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", base.lower())
    return re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$")




def _rewrite_reference(ref: Reference, name: str) -> Edit:
    """Replace the index inside `--from=0` or `--mount=...,from=0` with the name."""
    instr = ref.instruction
    flag_name = "from" if ref.kind is ReferenceKind.COPY else "mount"
    for flag in instr.flags:
        if flag.name != flag_name:
            continue
        raw = instr.logical[flag.start : flag.stop]
        pattern = r"(?<==)([\"']?)" + re.escape(ref.value) + r"\1$" if ref.kind is ReferenceKind.COPY else (
            r"(?:(?<=[,=\"'])|^)from=([\"']?)" + re.escape(ref.value) + r"\1(?=[,\"']|$)"
        )
        match = re.search(pattern, raw)
        if not match:
            continue
        if ref.kind is ReferenceKind.COPY:
            start = flag.start + match.start() + len(match.group(1))
            stop = start + len(ref.value)
        else:
            stop = flag.start + match.end() - len(match.group(1))
            start = stop - len(ref.value)
        doc_start, doc_stop = instr.span(start, stop)
        return Edit(doc_start, doc_stop, name)
    raise ValueError(f"reference {ref.value!r} not found in line {instr.first_line}")

