"""split-runtime: run a program (Go, Rust, Java, Python, Node) from a slim runtime stage, not its build image."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field

from refactor.analysis.semantic import SemanticModel
from refactor.analysis.stages import Stage, StageGraph, parse_mount
from refactor.engine.changes import Declined, Edit, Plan, Safety, add_stage_name
from refactor.engine.transform import Transform
from refactor.facts import ecosystems, gobuild, runtimes
from refactor.facts.context import TransformContext
from refactor.text import shell
from refactor.text.document import Document, Instruction, Item, ItemKind, parse_json_array, split_words
from refactor.text.words import env_pairs, unquote

# Instructions that only configure the image: moved to the runtime stage.
_MOVED = frozenset({"EXPOSE", "ENTRYPOINT", "CMD", "LABEL", "MAINTAINER", "STOPSIGNAL", "HEALTHCHECK", "USER"})
# Users every runtime base has (uid 0 and nobody 65534); any other name may not exist there.
_KNOWN_USERS = frozenset({"root", "nobody"})
_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_MAX_CONTEXT_FILES = 5000
_MAX_DATA_ENTRIES = 20
_SHELLS = frozenset({"sh", "bash", "ash", "dash"})
_CXX_SOURCES = re.compile(r"\.(cc|cpp|cxx|hpp|hh)$")


@dataclass
class Artifact:
    path: str  # absolute path the build writes
    static: bool  # CGO_ENABLED=0: no libc needed
    line: int


@dataclass
class Analysis:
    artifacts: list[Artifact] = field(default_factory=list)
    output_dirs: list[str] = field(default_factory=list)  # directories builds write artifacts into (target/)
    sources: list[str] = field(default_factory=list)  # COPY destinations an interpreted app runs from
    context_dest: str | None = None  # where `COPY . <dir>` put the build context
    data_copies: list[str] = field(default_factory=list)  # data files/dirs the program names (templates/)
    first_build: Instruction | None = None  # where the builder starts installing (a venv goes before it)
    build_steps: list[str] = field(default_factory=list)  # build-only tools left in the builder
    data: set[str] = field(default_factory=set)  # runtimes.RUNTIME_DATA entries the builder image has
    cxx: bool = False  # a cgo build may link the C++ runtime
    libraries: list[str] = field(default_factory=list)  # -dev packages a cgo binary may link against
    workdir: str | None = None
    had_workdir: bool = False
    moved: list[Instruction] = field(default_factory=list)  # configuration for the runtime stage
    copied: list[Instruction] = field(default_factory=list)  # ENV the runtime keeps, also left in the builder
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    path: str = ecosystems.STANDARD_PATH


class SplitRuntime(Transform):
    """Split a single-stage Go, Rust, Java, Python or Node build into a builder and a slim runtime stage.

    ## What it does
    Each compiled ecosystem is a row of `TOOLCHAINS` in `refactor/facts/runtimes.py`:
    its builder images, build commands, where a build writes, its source files and the
    runtime base that fits.  Rust: `cargo build [--release] [--bin X] [--target T]`
    writes `target/[T/]<profile>/<bin>` (names from `[[bin]]` or the package) and runs
    on distroless `cc` (static musl targets on distroless `static`); `cargo install
    --path .` writes `$CARGO_HOME/bin`.  Java: `jar --file X` (or `jar cf X`), `mvn
    package` (jars in `target/`) and `gradle build`/`bootJar` (jars in `build/libs/`);
    the jar `java -jar PATH` runs is copied to the same path on `eclipse-temurin:<major>-jre`
    of the JDK builder's major and OS variant.  Python: `pip install` goes into a virtual
    environment (`/opt/venv`, created right after `FROM` and first on `PATH`); the runtime
    stage is the builder's `-slim` variant (same version) with the venv and every source
    `COPY` destination copied from the builder, and runs only when it leaves something
    behind (a full image, or build-only tools such as gcc); `--user`, `--target`, `-e` and
    `-dev` libraries the built packages may link decline.  Node: the builder ends with
    `npm prune --omit=dev` (`--production` before Node 16) and the app directory (with its
    production `node_modules`) is copied onto the `-slim` variant; `npm install -g`, yarn
    and pnpm decline.  .NET: `dotnet publish -o DIR` writes the app into DIR, which is
    copied whole (the dll `dotnet App.dll` runs needs its neighbours) onto
    `mcr.microsoft.com/dotnet/aspnet` of the SDK's version and variant; no `-o` and
    Windows SDK images decline.  Go, in detail:
    A one-stage Dockerfile that compiles a Go program (`go build -o <path>`, `go build`
    without `-o`, which writes the package's or module's name into the working
    directory, or `go install`, which writes into `$GOBIN` or `$GOPATH/bin`) and runs it
    gets a second, final stage on a small runtime base.  Build-only steps (`apk add` /
    `apt-get install` of compilers, VCS, headers; `make`; `go generate`/`test`) stay in
    the builder.  The runtime stage copies only the built binaries (to the same paths),
    the CA certificates and time-zone data the builder image had when the runtime base
    lacks them, repeats the working directory (also the image's own, `/go` for
    `golang`), and receives the
    image configuration (`EXPOSE`, `ENTRYPOINT`, `CMD`, `USER`, `LABEL`, `HEALTHCHECK`,
    `STOPSIGNAL`), moved there with the comments above them.  `ENV` lines that are not
    Go build settings (`GO*`, `CGO_*`) are copied, since the build may use them too.
    The build stage keeps every build line byte for byte and gets the name `builder`
    (`AS` follows the casing of `FROM`).  When it builds several binaries it stays
    unnamed and is copied from with `--from=0`, as in the Docker docs' example, so that
    parallel-targets can still split it (it names the stage `base`); otherwise
    name-stages names it `builder`.  A stage that already has a name keeps it, and
    keeps all its lines, so `--target <name>` builds what it built before.
    The runtime stage is left unnamed: it is the last stage, so `docker build .`
    builds it.

    The runtime base comes from the builder image (`refactor/facts/runtimes.py`):
    `golang:*alpine*` runs on `alpine` pinned to the builder's Alpine release (named in
    the tag, or from the table of the release each Go minor's image ships); other
    `golang` images run on `gcr.io/distroless/static-debian12` when every binary is
    built with `CGO_ENABLED=0` (from `ENV` or on the command), else on
    `gcr.io/distroless/base-debian<N>` of the builder's Debian release (`cc` when C++
    sources or libstdc++ are linked); a shell-form `CMD`/`ENTRYPOINT` (or `sh -c`)
    needs `/bin/sh`, so it runs on `debian:<release>-slim`.

    ## Why
    The toolchain image (hundreds of MB: compiler, module cache, sources) ships only
    to run one binary; the runtime image holds the binary and a small base, which is
    faster to pull and has far fewer packages to patch.

    ## Example
    ```Dockerfile
    FROM golang:1.21-alpine
    WORKDIR /src
    COPY . .
    RUN go build -o /bin/server ./cmd/server
    EXPOSE 8080
    ENTRYPOINT ["/bin/server"]
    ```
    becomes
    ```Dockerfile
    FROM golang:1.21-alpine AS builder
    WORKDIR /src
    COPY . .
    RUN go build -o /bin/server ./cmd/server

    FROM alpine:3.20
    WORKDIR /src
    COPY --from=builder /bin/server /bin/server
    EXPOSE 8080
    ENTRYPOINT ["/bin/server"]
    ```

    ## Left alone when
    - the file has more than one stage already, or the stage has `ONBUILD`, `SHELL`,
      `VOLUME`, `ADD`, a `--platform` on `FROM`, or a base image with variables left;
    - a `RUN` runs something that may install or create what the program needs at run
      time (`adduser`, `cp`, scripts, an unknown program), or installs a package that is
      not build-only (`apk add vips`); a cgo build installs a `-dev` package of a
      library it may link (the runtime base lacks the shared object);
    - the binary's path is not known: `-o` with a variable, `-C`, an output directory,
      several packages, a path inside a `--mount`, `cd` in the RUN, a module name with
      no go.mod in the context, or a base image whose working directory is not known;
    - a `COPY` copies more than Go sources and module files, or copies `--from`
      elsewhere.  A context file that is not source but is named in a string literal
      of the source (`templates`, `config.yaml`, `static`) may be read at run time: it
      is copied to the same path in the runtime stage (under the directory `COPY .`
      filled), and the file is left alone when no `COPY .` says where it is or more
      than 20 entries are named;
    - `ENTRYPOINT`/`CMD` does not run a binary built here (a script, `go run`, an
      interpreter, a program named by a variable), runs it through `PATH` from a
      directory the runtime's `PATH` lacks (`/go/bin`), or reads a variable only the
      toolchain image sets (`$GOPATH`);
    - `USER` comes before the build, or names a user other than `root`, `nobody` or
      a numeric id (the runtime base may not have it);
    - `HEALTHCHECK` runs a command that is not a binary built here;
    - a configuration line or a copied `ENV` uses a variable (`$VERSION`): its value
      came from the builder;
    - no runtime base is known for the builder image (`golang:1.25` with cgo: its
      Debian release is not in the table; Windows images).
    Without a build context (stdin), the source files cannot be checked for data
    files the program reads; the change is still proposed, for review.

    ## Fix safety
    Review: the final image changes base, so its `Env` changes (no `GOPATH`, the Go
    toolchain's `PATH` entries go) and it no longer contains the sources, the
    compiler or anything else the program did not need; `docker exec` into it finds
    a smaller (or no) shell.  Entrypoint, command, user, working directory, exposed
    ports and labels stay as they were.
    """

    name = "split-runtime"
    summary = "Split a Go, Rust, Java, Python, Node or .NET build into a builder and a slim runtime."
    safety = Safety.REVIEW

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        graph = model.graph
        if not graph.stages:
            return Plan()
        final = graph.stages[-1]
        chain = runtimes.toolchain(graph.expand(final.base)) or next(
            (t for t in runtimes.TOOLCHAINS if _builds(model, final, t)), None)
        if chain is None or not _builds(model, final, chain):
            return Plan()
        if len(graph.stages) > 1:
            return Plan(skips=[self.skip("the file has several stages already", final.from_instruction.first_line)])
        found = _analyse(model, final, ctx, chain)
        needs_shell = _needs_shell(found)
        runtime = _runtime(graph, final, found, needs_shell, chain)
        _check_command(found, runtime, chain)
        edits, reference = _edits(model, final, found, runtime, chain)
        paths = ", ".join([*([chain.environment] if chain.environment else []), *_top_level(found.sources),
                           *(a.path for a in found.artifacts), *found.data_copies])
        builder = graph.expand(final.base)
        left_behind = [*dict.fromkeys(found.build_steps), *(["devDependencies"] if chain.finish else [])]
        left = f" and {', '.join(left_behind)}" if left_behind else ""
        # the same image (an alpine or slim builder): what is saved is what the build installed
        saving = "" if runtime.image == builder else runtimes.expected_saving(chain.name, builder, runtime.family)
        why = (f"the final image keeps only {paths} on {runtime.image}, leaving the {builder} toolchain{left} in "
               f"the build stage (--from={reference}); its Env now comes from {runtime.image}"
               + (f"; expected size {saving}" if saving else ""))
        return Plan(changes=[self.change(why, edits, final.from_instruction.first_line)])


# ---------------------------------------------------------------------------
# What the stage builds and what it needs at run time.


def _builds(model: SemanticModel, stage: Stage, chain: runtimes.Toolchain) -> list[tuple[Instruction, shell.Command]]:
    """The stage's commands that write binaries with `chain`'s build tool."""
    found = []
    for instr in stage.body:
        for command in model.commands(instr):
            program, positional = ecosystems.normalise(command)
            if chain.is_build(program, positional):
                found.append((instr, command))
    return found


def _analyse(model: SemanticModel, stage: Stage, ctx: TransformContext, chain: runtimes.Toolchain) -> Analysis:
    doc, graph = model.doc, model.graph
    found = Analysis()
    if stage.body:  # the base image's WORKDIR (golang: /go) applies until a WORKDIR line
        found.workdir = model.workdir(stage.body[0]).known
    for instr in doc.instructions:
        if instr.keyword == "ONBUILD":
            raise Declined("ONBUILD runs in images built FROM this one; a new final stage would change that",
                          instr.first_line)
    last_build = max(i.first_line for i, _ in _builds(model, stage, chain))
    env: dict[str, str] = {}
    found.data = set(runtimes.builder_data(graph.expand(stage.base)))
    for instr in stage.body:
        keyword = instr.keyword
        if keyword in ("SHELL", "VOLUME", "ADD"):
            raise Declined(f"{keyword} is not carried into a runtime stage safely; left alone", instr.first_line)
        if keyword == "WORKDIR":
            found.workdir = _workdir(instr, found.workdir)
            found.had_workdir = True
        elif keyword == "ENV":
            pairs = dict(env_pairs(instr.args, instr.escape))
            env.update(pairs)
            if any(not k.startswith(chain.build_env) for k in pairs):
                _no_variables(instr)
                found.copied.append(instr)
                if "PATH" in pairs:
                    found.path = pairs["PATH"]
        elif keyword == "RUN":
            _check_run(model, instr, found, ctx, chain)
        elif keyword == "COPY" and chain.copies_app:
            found.sources.append(_copy_destination(model, instr))
        elif keyword == "COPY":
            _check_copy(instr, ctx, chain)
            found.context_dest = _context_destination(model, instr) or found.context_dest
        elif keyword == "USER":
            if instr.first_line < last_build:
                raise Declined("USER is set before the build; the runtime stage would have to repeat it "
                              "and the build's files belong to that user", instr.first_line)
            _check_user(instr, chain)
        if keyword in _MOVED:
            if keyword in ("CMD", "ENTRYPOINT"):  # a shell form expands at run time, in the runtime's Env
                _no_builder_variables(instr, chain)
            else:
                _no_variables(instr)
            found.moved.append(instr)
            if keyword == "ENTRYPOINT":
                found.entrypoint = instr
            elif keyword == "CMD":
                found.cmd = instr
    if graph.stages[0].platform:
        raise Declined("FROM --platform: the runtime stage's platform would differ", stage.from_instruction.first_line)
    if chain.copies_app:
        _check_benefit(graph.expand(stage.base), found, stage, ctx)
    else:
        files = _context_files(ctx, stage)  # listed once; the data-file and C++ checks read the same sources
        _keep_data_files(found, _data_files(ctx, files, chain), stage)
        found.cxx = _links_cxx(ctx, files, chain)
    return found


def _workdir(instr: Instruction, current: str | None) -> str:
    value = instr.args
    if "$" in value or instr.is_json or len(split_words(value)) != 1 or not gobuild.SIMPLE_PATH_RE.match(value):
        raise Declined("WORKDIR is not a plain path", instr.first_line)
    if not value.startswith("/"):
        if current is None:
            raise Declined("a relative WORKDIR depends on the base image's working directory", instr.first_line)
        value = posixpath.join(current, value)
    return posixpath.normpath(value)


def _no_builder_variables(instr: Instruction, chain: runtimes.Toolchain) -> None:
    prefixes = "|".join(re.escape(p) for p in (*chain.build_env, "PATH"))
    if re.search(rf"\$\{{?({prefixes})", instr.logical[instr.args_start:]):
        raise Declined(f"{instr.keyword} reads a variable only the {chain.name} toolchain image sets",
                       instr.first_line)


def _no_variables(instr: Instruction) -> None:
    if "$" in instr.logical[instr.args_start:]:
        raise Declined(f"{instr.keyword} uses a variable whose value comes from the build stage", instr.first_line)


def _check_run(model: SemanticModel, instr: Instruction, found: Analysis, ctx: TransformContext,
               chain: runtimes.Toolchain) -> None:
    script = model.script(instr)
    if script is None:
        raise Declined("exec-form RUN: what it does is not known", instr.first_line)
    parsed = script.script
    if parsed.has_error or not parsed.commands:
        raise Declined("RUN could not be parsed", instr.first_line)
    for command in parsed.commands:
        program, positional = ecosystems.normalise(command)
        if program in chain.programs:
            if chain.is_build(program, positional):
                found.first_build = found.first_build or instr
                _add_artifacts(model, instr, command, found, ctx, parsed, chain)
            continue
        installed = runtimes.installed_packages(program, positional)
        if installed is not None:
            found.libraries += [p for p in installed if runtimes.package_provides_libraries(p)]
            needed = [p for p in installed if not runtimes.package_is_build_only(p)]
            if needed:
                raise Declined(f"{program} installs {', '.join(needed)}, which the program may need at run time",
                               instr.first_line)
            found.data |= {p for p in installed if p in runtimes.RUNTIME_DATA}
            found.build_steps.append(f"{program} {' '.join(positional[:1])}".strip())
            continue
        if program not in runtimes.BUILD_STEP_PROGRAMS:
            raise Declined(f"RUN {command.name} may install or create what the program needs at run time",
                           instr.first_line)
        if program not in runtimes.QUIET_STEP_PROGRAMS:
            found.build_steps.append(program)


def _add_artifacts(model: SemanticModel, instr: Instruction, command: shell.Command, found: Analysis,
                   ctx: TransformContext, script: shell.Script, chain: runtimes.Toolchain) -> None:
    """Record the binaries a build command writes, or decline when a path is not known."""
    state = model.state_before(instr)
    outputs = chain.outputs(command, state.get, ctx.build.read_text)
    if outputs.problem is not None:
        raise Declined(outputs.problem, instr.first_line)
    if any(c.program() == "cd" for c in script.commands):
        raise Declined("the RUN changes directory, so where the build writes is not known", instr.first_line)
    cwd = state.workdir.known
    for directory in outputs.directories:
        if not directory.startswith("/"):
            if cwd is None:
                raise Declined(f"the build writes into {directory} relative to a working directory that is not "
                               "known", instr.first_line)
            directory = posixpath.normpath(posixpath.join(cwd, directory))
        found.output_dirs.append(directory)
    for output in outputs.paths:
        if not output.startswith("/"):
            if cwd is None:
                raise Declined(f"the build writes {output} relative to a working directory that is not known",
                               instr.first_line)
            output = posixpath.normpath(posixpath.join(cwd, output))
        for mount in instr.flag_values("mount"):
            target = parse_mount(mount).get("target") or parse_mount(mount).get("dst") or ""
            target = posixpath.normpath(posixpath.join(cwd or "/", target)) if target else ""
            if target and (output == target or output.startswith(target.rstrip("/") + "/")):
                raise Declined(f"the build writes {output} into a --mount, not into the image", instr.first_line)
        found.artifacts = [a for a in found.artifacts if a.path != output]
        found.artifacts.append(Artifact(output, outputs.static, instr.first_line))


def _copy_destination(model: SemanticModel, instr: Instruction) -> str:
    """Where a COPY of an interpreted app's files lands (absolute): the runtime copies it whole."""
    words = parse_json_array(instr.args)
    words = words if words is not None else split_words(instr.args)
    dest = words[-1].strip("\"'") if words else ""
    workdir = model.workdir(instr).known
    if not dest or "$" in dest or (not dest.startswith("/") and workdir is None):
        raise Declined("the COPY destination is not a known path", instr.first_line)
    return posixpath.normpath(posixpath.join(workdir or "/", dest))


def _context_destination(model: SemanticModel, instr: Instruction) -> str | None:
    """The absolute directory a `COPY . <dir>` (the whole context) fills; None for other COPYs."""
    words = parse_json_array(instr.args)
    words = words if words is not None else split_words(instr.args)
    if len(words) != 2 or posixpath.normpath(words[0].strip("\"'")) != "." or instr.flags:
        return None
    workdir = model.workdir(instr).known
    dest = words[1].strip("\"'")
    if "$" in dest or (not dest.startswith("/") and workdir is None):
        return None
    return posixpath.normpath(posixpath.join(workdir or "/", dest))


def _top_level(paths: list[str]) -> list[str]:
    """The paths that are not inside another one of them, in order."""
    out: list[str] = []
    for path in paths:
        if path in out or any(path.startswith(p.rstrip("/") + "/") for p in out):
            continue
        out = [p for p in out if not p.startswith(path.rstrip("/") + "/")] + [path]
    return out


def _check_benefit(builder: str, found: Analysis, stage: Stage, ctx: TransformContext) -> None:
    """An interpreted app gains only when the runtime leaves something behind: a full image, build tools
    or (Node) devDependencies."""
    if found.first_build is None:
        raise Declined("nothing installs dependencies, so there is nothing to build apart",
                       stage.from_instruction.first_line)
    tag = builder.lower().rsplit(":", 1)[-1] if ":" in builder.rsplit("/", 1)[-1] else "latest"
    if ("slim" in tag or "alpine" in tag) and not found.build_steps and not _dev_dependencies(ctx):
        raise Declined(f"{builder} is already slim and the build installs no build-only tools: a runtime stage "
                       "would not be smaller", stage.from_instruction.first_line)


def _dev_dependencies(ctx: TransformContext) -> bool:
    """package.json at the context root declares devDependencies (pruned from the runtime)."""
    text = ctx.build.read_text("package.json")
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return False
    return isinstance(data, dict) and bool(data.get("devDependencies"))


def _check_copy(instr: Instruction, ctx: TransformContext, chain: runtimes.Toolchain) -> None:
    if instr.flag("from") is not None:
        raise Declined("COPY --from: files from another image may be needed at run time", instr.first_line)
    if instr.heredocs:
        raise Declined("COPY of a heredoc writes a file the program may read", instr.first_line)
    words = parse_json_array(instr.args)
    words = words if words is not None else [unquote(w, instr.escape) for w in instr.words()]
    for source in words[:-1]:
        if not _source(source, ctx, chain):
            raise Declined(f"COPY {source} copies files the program may read at run time", instr.first_line)


def _source(source: str, ctx: TransformContext, chain: runtimes.Toolchain) -> bool:
    """The COPY source is the context, or only source and manifest files of the toolchain."""
    clean = posixpath.normpath(source)
    if clean == "." or chain.sources.search(clean):
        return True
    if ctx.build.root is None or "$" in clean or clean.startswith(".."):
        return False
    files = ctx.build.glob(clean.lstrip("/") + "/**/*")
    return bool(files) and all(chain.sources.search(f) for f in files)


def _check_user(instr: Instruction, chain: runtimes.Toolchain) -> None:
    user = instr.args.split(":", 1)[0]
    if not (user.isdigit() or user in _KNOWN_USERS or user in chain.image_users):
        raise Declined(f"USER {instr.args}: the runtime base may not have this user", instr.first_line)


def _context_files(ctx: TransformContext, stage: Stage) -> list[str]:
    """Every file of the build context (none without one), bounded so a huge context is not scanned."""
    if ctx.build.root is None:
        return []
    files = ctx.build.glob("**/*")
    if len(files) > _MAX_CONTEXT_FILES:
        raise Declined("the build context is too large to check for data files", stage.from_instruction.first_line)
    return files


def _links_cxx(ctx: TransformContext, files: list[str], chain: runtimes.Toolchain) -> bool:
    """C++ sources, or a `#cgo` line naming libstdc++: the binary needs libstdc++ and libgcc."""
    if any(_CXX_SOURCES.search(f) for f in files):
        return True
    return any("stdc++" in (ctx.build.read_text(f) or "") for f in files if f.endswith(chain.source_suffix))


def _keep_data_files(found: Analysis, named: list[str], stage: Stage) -> None:
    """Copy the data files the program names, at the same path under the directory `COPY .` filled."""
    if not named:
        return
    if found.context_dest is None:
        raise Declined(f"the program may read {named[0]} at run time (named in a string in its source), and "
                       "no `COPY . <dir>` says where it is in the image", stage.from_instruction.first_line)
    if len(named) > _MAX_DATA_ENTRIES:
        raise Declined(f"the program names {len(named)} context entries: what it reads at run time is not "
                       "bounded", stage.from_instruction.first_line)
    found.data_copies = [posixpath.join(found.context_dest, entry) for entry in sorted(named)]


def _data_files(ctx: TransformContext, files: list[str], chain: runtimes.Toolchain) -> list[str]:
    """Context entries (top-level files or directories) that are not source and are named in a string
    literal of the source: the program may read them at run time, so the runtime stage copies them."""
    build = ctx.build
    data = [f for f in files if not chain.sources.search(f)]
    if not data:
        return []
    literals = set()
    for source in (f for f in files if f.endswith(chain.source_suffix)):
        for match in _STRING_RE.finditer(build.read_text(source) or ""):
            literals.add(match.group(0)[1:-1])
    named: list[str] = []
    for path in data:
        names = {path, posixpath.basename(path), path.split("/", 1)[0]}
        top = path.split("/", 1)[0]
        if top not in named and any(name and name in literal for name in names for literal in literals):
            named.append(top)
    return named


# ---------------------------------------------------------------------------
# Runtime base and the command it runs.


def _runtime(graph: StageGraph, stage: Stage, found: Analysis, needs_shell: bool,
             chain: runtimes.Toolchain) -> runtimes.Runtime:
    builder = graph.expand(stage.base)
    line = stage.from_instruction.first_line
    if "$" in builder:
        raise Declined(f"FROM {stage.base}: the base image depends on a build argument", line)
    static = bool(found.artifacts) and all(a.static for a in found.artifacts)
    if not static and found.libraries:
        raise Declined(f"a dynamically linked build may use the shared libraries of {', '.join(found.libraries)}, "
                       "which the runtime base does not have",
                       found.artifacts[0].line if found.artifacts else found.first_build.first_line
                       if found.first_build else line)
    runtime = chain.choose_runtime(builder, static, needs_shell, found.cxx)
    if isinstance(runtime, str):
        raise Declined(runtime, line)
    return runtime


def _runner(found: Analysis) -> Instruction:
    instr = found.entrypoint or found.cmd
    if instr is None:
        raise Declined("no ENTRYPOINT or CMD runs the built binary", 1)
    return instr


def _needs_shell(found: Analysis) -> bool:
    """Shell-form ENTRYPOINT/CMD, or an exec form that runs `sh -c`: the runtime needs /bin/sh."""
    argv = parse_json_array(_runner(found).args)
    return argv is None or (len(argv) >= 3 and posixpath.basename(argv[0]) in _SHELLS and argv[1] == "-c")


def _check_command(found: Analysis, runtime: runtimes.Runtime, chain: runtimes.Toolchain) -> None:
    instr = _runner(found)
    argv = parse_json_array(instr.args)
    if argv is None:
        argv = _shell_argv(instr.args, instr)
    elif len(argv) >= 3 and posixpath.basename(argv[0]) in _SHELLS and argv[1] == "-c":
        argv = _shell_argv(argv[2], instr)
    if not argv:
        raise Declined(f"{instr.keyword} is empty", instr.first_line)
    if chain.copies_app:  # any program on the (venv's) PATH, or a path the runtime copies
        _resolve_in_environment(argv[0], found, instr, chain.environment)
    elif posixpath.basename(argv[0]) in chain.launchers:  # `java -jar app.jar`: the runtime has java
        _resolve_launched(argv, found, instr, chain)
    else:
        _resolve(argv[0], found, instr, chain)
    for check in (i for i in found.moved if i.keyword == "HEALTHCHECK"):
        words = split_words(check.args)
        if words and words[0].upper() == "NONE":
            continue
        probe = parse_json_array(check.logical[check.args_start:].strip()[len(words[0]):]) if words else None
        if words and words[0].upper() == "CMD" and probe and chain.copies_app:
            _resolve_in_environment(probe[0], found, check, chain.environment, healthcheck=True)
            continue
        if words and words[0].upper() == "CMD" and probe:
            _resolve(probe[0], found, check, chain)
            continue
        raise Declined(f"HEALTHCHECK runs a command {runtime.image} may not have", check.first_line)


def _shell_argv(text: str, instr: Instruction) -> list[str]:
    """The words of a shell command line that runs one program (`exec` allowed first)."""
    script = shell.parse(text)
    command = script.commands[0] if len(script.commands) == 1 else None
    if script.has_error or command is None or len(script.chain) != 1:
        raise Declined(f"the shell command of {instr.keyword} is not a single simple command", instr.first_line)
    words = list(command.words)
    if words and words[0].value == "exec":
        words = words[1:]
    if not words or not words[0].literal:
        raise Declined(f"the program {instr.keyword} runs is named by a variable", instr.first_line)
    return [w.value for w in words]


def _resolve_in_environment(program: str, found: Analysis, instr: Instruction, environment: str | None,
                            healthcheck: bool = False) -> None:
    """The runtime has the interpreter, the venv's scripts and the copied sources; nothing else is known."""
    if program.startswith("/"):
        inside = [*([environment] if environment else []), *found.sources]
        if not any(program == p or program.startswith(p.rstrip("/") + "/") for p in inside) and not re.fullmatch(
                r"/usr/local/bin/python[0-9.]*", program):
            raise Declined(f"{instr.keyword} runs {program}, which the runtime stage does not copy", instr.first_line)
    elif "/" in program:
        if found.workdir is None or not any(
                posixpath.join(found.workdir, program).startswith(p.rstrip("/") + "/") for p in found.sources):
            raise Declined(f"{instr.keyword} runs {program}, which the runtime stage does not copy", instr.first_line)
    elif healthcheck and not re.fullmatch(r"python[0-9.]*|node", program):
        raise Declined(f"HEALTHCHECK runs {program}, which the slim runtime may not have", instr.first_line)


def _resolve_launched(argv: list[str], found: Analysis, instr: Instruction, chain: runtimes.Toolchain) -> None:
    """`java -jar PATH`, `dotnet PATH`: PATH must be what a build wrote; it (or its directory) is copied."""
    flag = chain.launch_flag
    if flag is not None and flag not in argv[:-1]:
        raise Declined(f"{instr.keyword} runs {argv[0]} without {flag}: what it loads is not one file",
                       instr.first_line)
    if flag is None and (len(argv) < 2 or argv[1].startswith("-")):
        raise Declined(f"{instr.keyword} runs {argv[0]} without an app to load", instr.first_line)
    jar = argv[argv.index(flag) + 1] if flag is not None else argv[1]
    if not jar.startswith("/"):
        if found.workdir is None:
            raise Declined(f"{jar} is relative to a working directory that is not known", instr.first_line)
        jar = posixpath.join(found.workdir, jar)
    jar = posixpath.normpath(jar)
    if any(a.path == jar for a in found.artifacts):
        return
    if "$" in jar or any(ch in jar for ch in "*?["):
        raise Declined(f"{instr.keyword} names the jar with a variable or glob", instr.first_line)
    if not any(posixpath.dirname(jar) == d for d in found.output_dirs):
        raise Declined(f"{instr.keyword} runs {jar}, which no build here writes", instr.first_line)
    path = posixpath.dirname(jar) if chain.launch_directory else jar
    if not any(a.path == path for a in found.artifacts):
        found.artifacts.append(Artifact(path, False, instr.first_line))


def _resolve(program: str, found: Analysis, instr: Instruction, chain: runtimes.Toolchain) -> str:
    """The artifact `program` runs, or Declined."""
    paths = {a.path for a in found.artifacts}
    if "/" in program:
        if not program.startswith("/"):
            if found.workdir is None:
                raise Declined(f"{program} is relative to the base image's working directory", instr.first_line)
            program = posixpath.join(found.workdir, program)
        program = posixpath.normpath(program)
        if program in paths:
            return program
    elif program not in chain.tools:  # the toolchain's PATH entries come first in the builder
        for directory in found.path.split(":"):
            candidate = posixpath.join(directory, program)
            if candidate in paths:
                return candidate
        same_name = sorted(p for p in paths if posixpath.basename(p) == program)
        if same_name:
            raise Declined(f"{instr.keyword} finds {program} through the builder image's PATH ({same_name[0]}); "
                           f"the runtime's PATH does not include {posixpath.dirname(same_name[0])}",
                           instr.first_line)
    raise Declined(f"{instr.keyword} runs {program}, not a binary built here", instr.first_line)


# ---------------------------------------------------------------------------
# The edits: name the builder, move configuration, append the runtime stage.


def _edits(model: SemanticModel, stage: Stage, found: Analysis, runtime: runtimes.Runtime,
           chain: runtimes.Toolchain) -> tuple[list[Edit], str]:
    doc, graph = model.doc, model.graph
    edits: list[Edit] = []
    from_instr = stage.from_instruction
    if stage.name_text:
        reference = stage.name_text
    elif len(found.artifacts) == 1 or chain.copies_app:
        reference = _builder_name(graph)
        edits.append(add_stage_name(from_instr, reference))
    else:
        reference = "0"
    keep_all = stage.name_text is not None  # `--target <name>` must keep building the same image
    moved = [] if keep_all else found.moved
    moved_set = set(moved)

    nl = doc.newline
    lines = [f"{doc.keyword('FROM', near=from_instr)} {runtime.image}"]
    if found.workdir and (found.had_workdir or found.workdir != "/"):
        lines.append(f"{doc.keyword('WORKDIR', near=from_instr)} {found.workdir}")
    copy_kw = doc.keyword("COPY", near=from_instr)
    # CA certificates and time zones the builder image had and the runtime base lacks
    data = [path for name in sorted(found.data - runtime.provides) for path in runtimes.RUNTIME_DATA[name]]
    lines += [f"{copy_kw} --from={reference} {path} {path}" for path in data]
    lines += [f"{copy_kw} --from={reference} {a.path} {a.path}" for a in found.artifacts]
    lines += [f"{copy_kw} --from={reference} {path} {path}" for path in found.data_copies]
    if chain.environment and found.first_build is not None:
        venv_lines = _environment_lines(doc, found.first_build, chain.environment)
        lines += [f"{copy_kw} --from={reference} {chain.environment} {chain.environment}", venv_lines[1]]
        lines += [f"{copy_kw} --from={reference} {path} {path}" for path in _top_level(found.sources)]
        at = from_instr.stop  # right after FROM (whose line ends there): created once, always cached
        edits.append(Edit(at, at, "".join(line + nl for line in venv_lines)))
    elif chain.copies_app:
        lines += [f"{copy_kw} --from={reference} {path} {path}" for path in _top_level(found.sources)]
    finish = f"{doc.keyword('RUN', near=from_instr)} {chain.finish(graph.expand(stage.base))}{nl}" if (
        chain.finish) else ""
    body = "".join(line + nl for line in lines)
    config = [i for i in stage.body if i in moved_set or i in found.copied or (keep_all and i in found.moved)]
    for instr in config:
        start = _block_start(model, instr) if instr in moved_set else instr.start
        text = doc.text[start:instr.stop]
        body += text if text.endswith("\n") else text + nl

    items = doc.items
    last_kept = max(k for k, item in enumerate(items)
                    if isinstance(item, Instruction) and item not in moved_set)
    cut = items[last_kept].stop
    tail = items[last_kept + 1:]
    # Everything after the last line that stays is moved (or blank): replace that tail at once.
    tail_moves = bool(tail) and all(
        item.kind is ItemKind.BLANK or item in moved_set
        or (item.kind is ItemKind.COMMENT and _attached(doc, item, moved_set))
        for item in tail
    )
    for instr in moved:
        if not (tail_moves and instr.start >= cut):
            edits.append(_delete_block(model, instr))
    end = len(doc.text)
    if not doc.ends_with_newline:
        body = body.removesuffix(nl)
    if tail_moves:
        edits.append(Edit(cut, end, finish + nl + body))
    else:
        prefix = "" if doc.ends_with_newline else nl
        separator = "" if re.search(r"\n[ \t]*\r?\n$", doc.text) else nl
        edits.append(Edit(end, end, prefix + finish + separator + body))
    return edits, reference


def _environment_lines(doc: Document, near: Instruction, environment: str) -> list[str]:
    """Create the venv and put it first on PATH (the builder's installs and the runtime use it)."""
    return [f"{doc.keyword('RUN', near=near)} python -m venv {environment}",
            f'{doc.keyword("ENV", near=near)} PATH="{environment}/bin:$PATH"']


def _builder_name(graph: StageGraph) -> str:
    taken = graph.names() | graph.images()
    return next(n for n in ("builder", "build", "go-builder", "builder-stage") if n not in taken)




def _block_start(model: SemanticModel, instr: Instruction) -> int:
    block = model.comments_above(instr)
    return block[0].start if block else instr.start


def _attached(doc: Document, comment: Item, moved: set[Instruction]) -> bool:
    """A comment directly above a moved instruction (only comments between them)."""
    index = next(k for k, item in enumerate(doc.items) if item is comment)
    for item in doc.items[index + 1:]:
        if item.kind is ItemKind.COMMENT:
            continue
        return item in moved
    return False


def _delete_block(model: SemanticModel, instr: Instruction) -> Edit:
    doc = model.doc
    start = _block_start(model, instr)
    stop = instr.stop
    items = doc.items
    before = next((i for i in reversed(items) if i.stop <= start), None)
    after = next((i for i in items if i.start >= stop), None)
    if before is not None and before.kind is ItemKind.BLANK and after is not None and after.kind is ItemKind.BLANK:
        stop = after.stop
    return Edit(start, stop, "")

