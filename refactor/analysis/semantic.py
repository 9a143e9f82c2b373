"""One semantic model per parsed document, built lazily and shared by every transform.

Like ruff's `checker.semantic()` or LibCST's resolved metadata: the stage graph, the build
state before each instruction (ENV/ARG, USER and HOME, WORKDIR, what COPY put where), each
RUN's parsed script and the comment lines above each instruction are computed once per
parse, on first use, and transforms only read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from refactor.analysis import runenv
from refactor.analysis.stages import Stage, StageGraph
from refactor.facts import platforms
from refactor.text import shell
from refactor.text.document import Document, Instruction, Item, parse_json_array


@dataclass(frozen=True)
class RunScript:
    """The shell script a RUN executes; `editable`: its offsets are the RUN's logical offsets."""

    script: shell.Script
    editable: bool


class SemanticModel:
    """What `doc` means, computed on demand and cached for the document's lifetime."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._scripts: dict[int, RunScript | None] = {}

    @cached_property
    def graph(self) -> StageGraph:
        return StageGraph.build(self.doc)

    @cached_property
    def _states(self) -> dict[int, runenv.RunEnv]:
        return runenv.analyse(self.doc, self.graph)

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {item.start: index for index, item in enumerate(self.doc.items)}

    def state_before(self, instr: Instruction) -> runenv.RunEnv:
        """ENV/ARG, USER, WORKDIR and written paths in force just before `instr` runs."""
        return self._states[instr.start]

    def workdir(self, instr: Instruction) -> runenv.Workdir:
        """The WORKDIR `instr` runs in (possibly relative to a directory the file does not state)."""
        return self.state_before(instr).workdir

    def is_windows(self, stage: Stage) -> bool:
        """A Windows container stage: its base image, a cmd/PowerShell SHELL or a drive-letter WORKDIR
        (here or in the stage it is built FROM)."""
        if stage.base_stage is not None and self.is_windows(stage.base_stage):
            return True
        if platforms.windows_image(self.graph.expand(stage.base)):
            return True
        for instr in stage.body:
            if instr.keyword == "SHELL":
                argv = parse_json_array(instr.args)
                if argv and platforms.windows_shell(argv[0]):
                    return True
            if instr.keyword == "WORKDIR" and platforms.windows_path(instr.args):
                return True
        return False

    def script(self, instr: Instruction) -> RunScript | None:
        """The RUN's parsed shell script; None for exec form and for other instructions."""
        if instr.start not in self._scripts:
            parsed = shell.run_script(instr)
            self._scripts[instr.start] = RunScript(*parsed) if parsed is not None else None
        return self._scripts[instr.start]

    def commands(self, instr: Instruction) -> tuple[shell.Command, ...]:
        """The simple commands of a RUN's shell script (none for exec form or non-RUN)."""
        parsed = self.script(instr)
        return parsed.script.commands if parsed is not None else ()

    def comments_above(self, instr: Instruction) -> list[Item]:
        """The comment lines directly above `instr`: they describe it and move with it."""
        position = self._positions[instr.start]
        start = position
        while start > 0 and self.doc.items[start - 1].kind == "comment":
            start -= 1
        return list(self.doc.items[start:position])
