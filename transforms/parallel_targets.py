"""parallel-targets: build each Go binary in its own stage and give each its own final target."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass

from refactor.analysis.semantic import SemanticModel
from refactor.analysis.stages import Stage, StageGraph
from refactor.engine.changes import Declined, Edit, Plan, Safety, add_stage_name
from refactor.engine.transform import Transform
from refactor.facts import ecosystems, gobuild
from refactor.facts.context import TransformContext
from refactor.text import shell
from refactor.text.document import Document, Instruction, ItemKind, parse_json_array

_NAME_RE = re.compile(r"^[a-z][a-z0-9._-]*$")
_WORD_RE = re.compile(r"\S+")
# Final-stage instructions each per-binary image keeps, and those only the default one keeps.
_SHARED = frozenset({"WORKDIR", "USER", "ENV"})
_DEFAULT_ONLY = frozenset({"EXPOSE", "LABEL", "STOPSIGNAL", "CMD", "ENTRYPOINT"})


@dataclass
class Build:
    instr: Instruction
    output: str  # absolute path in the build stage
    name: str  # the binary's name: `client` for /bin/client


@dataclass
class Copy:
    instr: Instruction
    sources: list[tuple[str, int, int]]  # (path, logical start, logical stop)
    dest: str


class ParallelTargets(Transform):
    """Build several Go binaries in parallel stages, with one final target per binary.

    ## What it does
    When a build stage ends with two or more `RUN go build -o <path>` lines and the
    final stage copies those binaries from it, the shared steps above the builds
    become a stage `base`, each build runs in its own stage `FROM base AS
    build-<binary>`, and each binary gets its own final stage `FROM <runtime> AS
    <binary>` that copies only that binary.  The binary the original `ENTRYPOINT`
    (or `CMD`) ran keeps the original final stage, in place, with all its lines: it
    stays the last stage, so `docker build .` still builds an image running the same
    command.  The other binaries' stages come before it and get `ENTRYPOINT
    ["<path>"]` (or `CMD`, as the original used), plus the original's `WORKDIR`,
    `USER` and `ENV`.

    ## Why
    BuildKit runs independent stages concurrently, so the binaries compile in
    parallel; `docker build --target client` builds only what the client needs, and
    each image holds one binary.

    ## Example
    ```Dockerfile
    FROM golang:1.21-alpine
    WORKDIR /src
    COPY . .
    RUN go build -o /bin/client ./cmd/client
    RUN go build -o /bin/server ./cmd/server
    FROM scratch
    COPY --from=0 /bin/client /bin/server /bin/
    ENTRYPOINT [ "/bin/server" ]
    ```
    becomes
    ```Dockerfile
    FROM golang:1.21-alpine AS base
    WORKDIR /src
    COPY . .

    FROM base AS build-client
    RUN go build -o /bin/client ./cmd/client

    FROM base AS build-server
    RUN go build -o /bin/server ./cmd/server

    FROM scratch AS client
    COPY --from=build-client /bin/client /bin/
    ENTRYPOINT [ "/bin/client" ]

    FROM scratch AS server
    COPY --from=build-server /bin/server /bin/
    ENTRYPOINT [ "/bin/server" ]
    ```

    ## Left alone when
    - the file is not exactly a build stage and a final stage built FROM an image;
    - either stage has a name: names are public API (`--target`, compose `target:`),
      and the builds would move out of the named build stage, or the named final
      image would lose binaries;
    - the builds are not the last lines of the build stage, are not one plain
      `go build -o <path>` each, write the same path, or a later build names an
      earlier one's output; or the build stage declares an `ARG` (stages built FROM
      it would not see it);
    - the final stage does anything but `COPY --from=<build stage>` of exactly those
      binaries and configuration (`WORKDIR`, `USER`, `ENV`, `EXPOSE`, `LABEL`,
      `STOPSIGNAL`, `ENTRYPOINT`, `CMD`), or its `ENTRYPOINT`/`CMD` does not run one
      of the copied binaries by absolute path;
    - a binary's name is not a valid stage name, or is taken by a stage or image.

    ## Fix safety
    Review: the default image no longer contains the other binaries (build them with
    `--target <binary>`); anything that ran them from the default image with
    `--entrypoint` must switch targets.
    """

    name = "parallel-targets"
    summary = "Build each Go binary in its own stage (in parallel) and give each its own final target."
    safety = Safety.REVIEW

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        graph = model.graph
        if len(graph.stages) < 2 or not any(
                sum(len(_go_builds(model, i)) for i in s.body) >= 2 for s in graph.stages):
            return Plan()
        builder, final, builds, copies, runner = _analyse(model)
        edits, default, base = _edits(model, builder, final, builds, copies, runner)
        others = ", ".join(f"--target {b.name}" for b in builds if b.output != default)
        why = (f"{', '.join(b.output for b in builds)} build in parallel stages FROM {base}; the default image "
               f"still runs {default} but no longer holds the other binaries ({others})")
        return Plan(changes=[self.change(why, edits, builder.from_instruction.first_line)])


def _go_builds(model: SemanticModel, instr: Instruction) -> list[shell.Command]:
    found = []
    for command in model.commands(instr):
        program, positional = ecosystems.normalise(command)
        if program == "go" and positional[:1] == ["build"]:
            found.append(command)
    return found


def _analyse(model: SemanticModel) -> tuple[Stage, Stage, list[Build], list[Copy], Instruction]:
    graph = model.graph
    if len(graph.stages) != 2:
        raise Declined("only a build stage followed by one final stage is split",
                      graph.stages[-1].from_instruction.first_line)
    builder, final = graph.stages
    line = builder.from_instruction.first_line
    if final.base_stage is not None:
        raise Declined("the final stage is built FROM the build stage", final.from_instruction.first_line)
    for stage in (builder, final):
        if stage.name_text:
            raise Declined(f"stage `{stage.name_text}` has a name (a --target may use it); it is not split",
                          stage.from_instruction.first_line)
        if stage.platform:
            raise Declined("FROM --platform: left alone", stage.from_instruction.first_line)
    if any(i.keyword in ("ARG", "ONBUILD") for i in builder.body):
        raise Declined("the build stage declares ARG/ONBUILD, which stages built FROM it would not repeat", line)

    # The builds: a run of RUN lines at the end of the build stage, one `go build -o` each.
    builds: list[Build] = []
    for instr in builder.body:
        commands = _go_builds(model, instr)
        workdir = model.workdir(instr).known
        if not commands:
            if builds:
                raise Declined(f"{instr.keyword} after the builds: they are not the stage's last lines",
                              instr.first_line)
            continue
        script = model.script(instr)
        assert script is not None
        if len(script.script.commands) != 1 or len(script.script.chain) != 1:
            raise Declined("a RUN with go build does more than one command", instr.first_line)
        built = gobuild.go_build_output(commands[0])
        if built.path is None:
            raise Declined(built.problem or "the go build output is not known", instr.first_line)
        output = built.path
        if not output.startswith("/"):
            if workdir is None:
                raise Declined(f"go build -o {output}: relative to an unknown directory", instr.first_line)
            output = posixpath.normpath(posixpath.join(workdir, output))
        for earlier in builds:
            if earlier.output == output:
                raise Declined(f"two builds write {output}", instr.first_line)
            if earlier.output in instr.logical or earlier.name in instr.logical.split():
                raise Declined(f"this build may read {earlier.output}, built just before", instr.first_line)
        builds.append(Build(instr, output, posixpath.basename(output)))
    if len(builds) < 2:
        raise Declined("fewer than two go build lines end the build stage", line)

    # The final stage: copies of exactly those binaries and configuration.
    copies: list[Copy] = []
    runner: Instruction | None = None
    entrypoint: Instruction | None = None
    for instr in final.body:
        keyword = instr.keyword
        if keyword == "COPY":
            copies.append(_copy(instr, graph, builder, model.workdir(instr).known, {b.output for b in builds}))
        elif keyword not in _SHARED | _DEFAULT_ONLY:
            raise Declined(f"{keyword} in the final stage: left alone", instr.first_line)
        if keyword in ("ENV", "LABEL", "USER", "WORKDIR") and "$" in instr.args:
            raise Declined(f"{keyword} uses a variable", instr.first_line)
        if keyword == "ENTRYPOINT":
            entrypoint = instr
        if keyword == "CMD" and entrypoint is None:
            runner = instr
    runner = entrypoint or runner
    copied = {s for c in copies for s, _, _ in c.sources}
    missing = [b.output for b in builds if b.output not in copied]
    if missing:
        raise Declined(f"the final stage does not copy {', '.join(missing)}", final.from_instruction.first_line)
    if runner is None:
        raise Declined("the final stage has no ENTRYPOINT or CMD", final.from_instruction.first_line)
    names = graph.names() | graph.images() | {"base"}
    for build in builds:
        if not _NAME_RE.match(build.name) or build.name in names or f"build-{build.name}" in names:
            raise Declined(f"`{build.name}` cannot name a stage here", build.instr.first_line)
    if len({b.name for b in builds}) != len(builds):
        raise Declined("two binaries have the same name", line)
    return builder, final, builds, copies, runner


def _copy(instr: Instruction, graph: StageGraph, builder: Stage, workdir: str | None,
          outputs: set[str]) -> Copy:
    source = instr.flag("from")
    if source is None or source.value is None or graph.resolve(graph.expand(source.value)) is not builder:
        raise Declined("the final stage copies something other than the built binaries", instr.first_line)
    if instr.multiline or instr.heredocs or instr.is_json or any(q in instr.args for q in "\"'$"):
        raise Declined("COPY is not a plain one-line copy", instr.first_line)
    words = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(instr.logical, instr.args_start)]
    if len(words) < 2:
        raise Declined("COPY without a destination", instr.first_line)
    *sources, (dest, _, _) = words
    for path, _, _ in sources:
        if posixpath.normpath(path) not in outputs:
            raise Declined(f"COPY {path} is not one of the built binaries", instr.first_line)
    if not dest.startswith("/"):
        if workdir is None:
            raise Declined("COPY destination relative to an unknown directory", instr.first_line)
        dest = posixpath.join(workdir, dest)
    if len(sources) > 1 and not dest.endswith("/"):
        raise Declined("COPY of several files to a destination that is not a directory", instr.first_line)
    return Copy(instr, [(posixpath.normpath(p), s, e) for p, s, e in sources], dest)


def _destination(copy: Copy, source: str) -> str:
    if copy.dest.endswith("/") or len(copy.sources) > 1:
        return posixpath.join(copy.dest, posixpath.basename(source))
    return posixpath.normpath(copy.dest)


def _edits(model: SemanticModel, builder: Stage, final: Stage, builds: list[Build],
           copies: list[Copy], runner: Instruction) -> tuple[list[Edit], str, str]:
    doc = model.doc
    argv = parse_json_array(runner.args)
    if not argv:
        raise Declined(f"shell-form {runner.keyword} in the final stage: left alone", runner.first_line)
    program = posixpath.normpath(argv[0])
    installed = {b.output: _destination(c, b.output) for b in builds for c in copies
                 for s, _, _ in c.sources if s == b.output}
    default = next((b for b in builds if installed[b.output] == program), None)
    if default is None:
        raise Declined(f"{runner.keyword} runs {argv[0]}, not a copied binary", runner.first_line)

    nl = doc.newline
    base = "base"
    from_kw = doc.keyword("FROM", near=builder.from_instruction)
    as_kw = "as" if final.from_instruction.keyword_text.islower() else "AS"
    edits = [add_stage_name(builder.from_instruction, base)]
    for build in builds:
        start = _block_start(model, build.instr)
        lead = "" if _blank_before(doc, start) else nl
        edits.append(Edit(start, start, f"{lead}{from_kw} {base} {as_kw} build-{build.name}{nl}"))

    # One final stage per other binary, before the original final stage (which stays last).
    spaced = runner.args.startswith("[ ")
    stages = ""
    for build in builds:
        if build is default:
            continue
        lines = [f"{doc.keyword('FROM', near=final.from_instruction)} {final.base} {as_kw} {build.name}"]
        for instr in final.body:
            if instr.keyword in _SHARED:
                lines.append(doc.text[instr.start:instr.stop].rstrip("\r\n"))
            elif instr.keyword == "COPY":
                copy = next(c for c in copies if c.instr is instr)
                if any(s == build.output for s, _, _ in copy.sources):
                    lines.append(_copy_line(instr, f"build-{build.name}", build.output, copy.dest))
            elif instr is runner:
                path = json.dumps(installed[build.output])
                lines.append(f"{instr.keyword_text} " + (f"[ {path} ]" if spaced else f"[{path}]"))
        stages += "".join(line + nl for line in lines) + nl
    start = _block_start(model, final.from_instruction)
    lead = "" if _blank_before(doc, start) else nl
    edits.append(Edit(start, start, lead + stages))
    edits.append(add_stage_name(final.from_instruction, default.name))

    for copy in copies:
        keep = [s for s in copy.sources if s[0] == default.output]
        if not keep:
            edits.append(_delete_line(model, copy.instr))
            continue
        flag = copy.instr.flag("from")
        assert flag is not None
        edits.append(_replace(copy.instr, flag.start, flag.stop, f"--from=build-{default.name}"))
        for path, s, e in copy.sources:
            if path != default.output:
                stop = e
                while stop < len(copy.instr.logical) and copy.instr.logical[stop] in " \t":
                    stop += 1
                edits.append(_replace(copy.instr, s, stop, ""))
    return edits, default.output, base


def _copy_line(instr: Instruction, stage: str, source: str, dest: str) -> str:
    flags = [f"--from={stage}" if f.name == "from" else instr.logical[f.start:f.stop] for f in instr.flags]
    return " ".join([instr.keyword_text, *flags, source, dest])


def _replace(instr: Instruction, start: int, stop: int, text: str) -> Edit:
    first, last = instr.span(start, stop)
    return Edit(first, last, text)




def _block_start(model: SemanticModel, instr: Instruction) -> int:
    block = model.comments_above(instr)
    return block[0].start if block else instr.start


def _blank_before(doc: Document, offset: int) -> bool:
    before = next((i for i in reversed(doc.items) if i.stop <= offset), None)
    return before is None or before.kind in (ItemKind.BLANK, ItemKind.DIRECTIVE)


def _delete_line(model: SemanticModel, instr: Instruction) -> Edit:
    start = _block_start(model, instr)
    return Edit(start, instr.stop, "")
