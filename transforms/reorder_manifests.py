"""reorder-manifests: copy dependency manifests and install before the source COPY."""

from __future__ import annotations

import bisect
import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from refactor.analysis.semantic import SemanticModel
from refactor.analysis.stages import Stage, parse_mount
from refactor.engine.changes import Declined, Edit, Plan, Safety
from refactor.engine.transform import Transform
from refactor.facts import ecosystems, manifests
from refactor.facts.context import BuildContext, TransformContext
from refactor.facts.ecosystems import Ecosystem
from refactor.facts.manifests import Reader
from refactor.text.document import Document, Instruction, Item, parse_json_array
from refactor.text.shell import Command, Script
from refactor.text.words import arg_pairs, env_pairs, unquote

# Instructions that may sit between the source COPY and the install without changing
# what the install sees (no filesystem, environment, user or working-directory effect).
_NEUTRAL = frozenset({"LABEL", "EXPOSE", "STOPSIGNAL", "HEALTHCHECK", "CMD", "ENTRYPOINT", "MAINTAINER"})
# Commands that may precede the install in its RUN; they are repeated in both parts of a split.
_PREFIX_PROGRAMS = frozenset({"cd", "set", "export"})
_COPY_FLAGS = frozenset({"chown", "chmod", "link"})



class Kind(Enum):
    MOVE = "move"  # the install itself moves up, verbatim
    SPLIT = "split"  # a deps-only form (`poetry install --no-root`) goes up; the original stays
    PRIME = "prime"  # only a build follows: a synthesised deps command goes up (`go mod download`)


@dataclass
class Install:
    """One install (or build) command of a RUN and what it reads from the context."""

    ecosystem: Ecosystem
    kind: Kind
    link: int  # index in Script.chain (-1 when not a top-level element)
    command: Command
    deps_command: str = ""  # for SPLIT/PRIME: the text of the command that goes up
    files: list[str] = field(default_factory=list)  # context-relative manifests it reads
    problem: str | None = None
    note: str = ""  # what a reviewer should check (SPLIT/PRIME)
    deps: list[str] = field(default_factory=list)  # `pip install .`: the declared dependencies


@dataclass
class Site:
    """Where the source enters the stage: `COPY <src> <dest>`, resolved against WORKDIR."""

    instr: Instruction
    src: str  # context-relative directory ("" for the context root)
    dest: str  # as written
    dest_abs: str
    flags: list[str]  # --chown/--chmod/--link as written


class ReorderManifests(Transform):
    """Copy the dependency manifests and install before the source, so edits keep the install cached.

    ## What it does
    In a stage where a COPY of the source (`COPY . .`, `COPY . /app`, `COPY services/api/ .`)
    is followed by a dependency install (`npm ci`, `pip install -r requirements.txt`,
    `go mod download`, `bundle install`, ...), it inserts a COPY of exactly the manifests
    that exist in the build context (lockfiles and tool configs included, `.dockerignore`
    respected) to the same place relative to WORKDIR, with the same `--chown`/`--chmod`/
    `--link`, then the install, then the original source COPY.  An install at the head of a
    `&&` chain (`npm ci && npm run build`) is split off: the install moves up, the rest stays,
    with any leading `cd`/`set -e`/`export` and the RUN's `--mount` flags on both parts.

    Tools whose install also installs the project itself get a dependency-only step before
    the source and keep their original command after it: `poetry install --no-root`,
    `uv sync --no-install-project`, `composer install --no-scripts --no-autoloader`, and for
    `pip install .` a `pip install <the dependencies pyproject.toml/setup.cfg/setup.py declare>`
    (read statically, never by running setup.py).  Where only a build follows the source
    (`go build`, `mvn package`, `gradle build`, `dotnet publish`, `cargo build`), the
    ecosystem's dependency command (`go mod download`, `mvn dependency:go-offline`, ...) is
    added before the source COPY.

    ## Why
    Docker reuses a layer only while everything it depends on is unchanged.  With the whole
    source copied first, every one-line edit invalidates the install and re-downloads every
    dependency; with the manifests first, the install stays cached until they change.

    ## Example
    ```Dockerfile
    FROM node:20-alpine
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build
    ```
    becomes
    ```Dockerfile
    FROM node:20-alpine
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build
    ```

    ## Left alone when
    - the manifests are already copied and installed first, or bind-mounted into the install
      (`RUN --mount=type=bind,source=package.json,...`);
    - no manifest of the ecosystem is in the build context (a COPY of a missing file fails the
      build; nothing is invented: no go.sum, no lockfile where the project has none);
    - the install may read more than manifests: npm/yarn/pnpm lifecycle scripts (`postinstall`,
      `prepare`, ...), local path dependencies (`file:`, `-e ./lib`, path deps in Cargo.toml,
      pyproject.toml, Pipfile, go.mod `replace`, composer path repositories), Gemfile `gemspec`,
      unclear workspaces, `pip install .` whose dependencies are computed in setup.py;
    - anything between the source COPY and the install could change what it sees (ENV, ARG,
      RUN, WORKDIR, USER, another COPY), or the install is inside a compound command, follows
      other commands in its RUN, or is joined by `||`/`;` without `set -e`;
    - the context holds what the install produces (`node_modules/`, `vendor/`, `.venv/`,
      `obj/`): the source COPY would overwrite the installed files;
    - Go projects with `vendor/`, a `go.work` workspace or `go mod init` in the Dockerfile;
      Cargo manifests that declare no target (`cargo fetch` needs src/main.rs or [[bin]]),
      multi-module Maven and multi-project Gradle builds.

    ## Fix safety
    Safe when the install command moves verbatim and reads only the copied manifests.
    Review when a command is synthesised (`go mod download`, `--no-root`, a dependency list
    read from pyproject.toml, `mvn dependency:go-offline`, `cargo fetch`, `dotnet restore`):
    the rationale says what to check.
    """

    name = "reorder-manifests"
    summary = "Copy dependency manifests and install them before `COPY . .` so source edits keep the install cached."
    safety = Safety.SAFE

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        plan = Plan()
        for stage in model.graph.stages:
            _StagePlanner(self, model, ctx.build, stage, plan).run()
        return plan


class _StagePlanner:
    """Finds the first install after a source COPY in one stage and plans its move."""

    def __init__(self, transform: ReorderManifests, model: SemanticModel, build: BuildContext, stage: Stage,
                 plan: Plan) -> None:
        self.t = transform
        self.model = model
        self.doc = model.doc
        self.build = build
        self.stage = stage
        self.plan = plan
        self.local_copies = [k for k, instr in enumerate(stage.body) if _is_local_copy(instr)]

    def run(self) -> None:
        body = self.stage.body
        for index, instr in enumerate(body):
            if instr.keyword != "RUN":
                continue
            try:
                done = self._consider(index, instr)
            except Declined as declined:
                self.plan.skips.append(self.t.skipped(declined, instr.first_line))
                return
            if done:
                return

    # -- finding the site ------------------------------------------------------------

    def _consider(self, index: int, instr: Instruction) -> bool:
        """True when this RUN was the stage's install site (planned or declined)."""
        parsed = self.model.script(instr)
        if parsed is None:
            return False
        script, editable = parsed.script, parsed.editable
        found = _installs(script)
        if not found:
            return False
        body = self.stage.body
        before = self.local_copies[: bisect.bisect_left(self.local_copies, index)]
        source_index = next((k for k in reversed(before) if self._source_of(body[k], index) is not None), None)
        if source_index is None:
            return False  # nothing copies the source before it: already ordered
        site = self._source_of(body[source_index], index)
        assert site is not None
        first = found[0]
        cwd = self._cwd(index, script, first)
        if cwd is None:
            raise Declined("the install's working directory is not a literal path", instr.first_line)
        rel = posixpath.relpath(cwd, site.dest_abs)
        if rel.startswith(".."):
            return False  # the install runs outside what this COPY fills: not its source
        if self._primed(source_index, first):
            return False
        if any(_binds(instr)):
            return True  # manifests come in through a bind mount: cache-friendly already
        if script.has_error or not editable:
            raise Declined("the RUN's shell script could not be analysed", instr.first_line)
        self._check_between(source_index, index, first)
        if first.link < 0 and first.kind is not Kind.PRIME:
            raise Declined(f"`{first.command.name} ...` runs inside a compound command", instr.first_line)
        ctx_dir = manifests.join(site.src, rel) if rel != "." else site.src
        ctx_dir = "" if ctx_dir == "." else ctx_dir
        moved = self._moved(script, first, found, instr) if first.kind is Kind.MOVE else [first]
        for install in moved:
            self._read(install, ctx_dir, cwd, site, instr)
            if install.problem:
                raise Declined(install.problem, instr.first_line)
        if first.deps and self._pip_primed(source_index, first.deps):
            return True
        self._check_outputs(moved, ctx_dir, instr)
        self._emit(site, source_index, index, instr, script, moved, rel)
        return True

    def _source_of(self, instr: Instruction, run_index: int) -> Site | None:
        """The COPY as a source copy: one directory source; None for file COPYs."""
        words = _copy_words(instr)
        if words is None or len(words) != 2:
            return None
        source, dest = words
        if any(ch in source for ch in "*?[$") or "$" in dest or source.startswith(("http://", "https://", "git@")):
            return None
        src = posixpath.normpath(source).lstrip("/")
        src = "" if src in (".", "") else src
        if src.startswith(".."):
            return None
        if src and not (source.endswith("/") or (self.build.root is not None and (self.build.root / src).is_dir())):
            return None
        return Site(instr, src, dest, self.model.workdir(instr).resolve(dest),
                    [instr.logical[f.start:f.stop] for f in instr.flags])

    def _cwd(self, index: int, script: Script, install: Install) -> str | None:
        cwd = self.model.workdir(self.stage.body[index]).resolve(".")
        links = script.chain[: install.link] if install.link >= 0 else ()
        if install.link < 0 and any(c.program() == "cd" for c in script.commands):
            return None
        for link in links:
            command = link.command
            if command is not None and command.program() == "cd":
                args = command.words[1:]
                if len(args) != 1 or not args[0].literal or args[0].value.startswith(("-", "~")):
                    return None
                cwd = posixpath.normpath(posixpath.join(cwd, args[0].value))
        return cwd

    def _primed(self, source_index: int, install: Install) -> bool:
        """An earlier RUN of the stage already installs this ecosystem's dependencies."""
        for instr in self.stage.body[:source_index]:
            for command in self.model.commands(instr):
                if install.ecosystem not in ecosystems.installs(command):
                    continue
                if not install.ecosystem.reorder.primed_by_same_files or _same_pip_inputs(command, install.command):
                    return True
        return False

    def _pip_primed(self, source_index: int, deps: list[str]) -> bool:
        """An earlier pip install already names every declared dependency (this transform's output)."""
        programs = {inv.program for eco in ecosystems.ECOSYSTEMS for inv in eco.reorder.pip_interface}
        for instr in self.stage.body[:source_index]:
            for command in self.model.commands(instr):
                if ecosystems.normalise(command)[0] in programs and set(deps) <= set(command.args):
                    return True
        return False

    def _check_between(self, source_index: int, index: int, install: Install) -> None:
        prefixes = install.ecosystem.reorder.env_prefixes if install.kind is Kind.PRIME else ()
        for instr in self.stage.body[source_index + 1 : index]:
            if instr.keyword in _NEUTRAL:
                continue
            if instr.keyword in ("ENV", "ARG") and prefixes and not any(
                    name.startswith(prefixes) for name in _declared_names(instr)):
                continue
            raise Declined(f"{instr.keyword} on line {instr.first_line} runs between the source COPY and "
                           f"the install and may change what it sees", instr.first_line)

    def _moved(self, script: Script, first: Install, found: list[Install], instr: Instruction) -> list[Install]:
        """The install and the installs right after it in the chain, checked for a clean split."""
        chain = script.chain
        set_e = False
        for link in chain[: first.link]:
            command = link.command
            if command is None or command.program() not in _PREFIX_PROGRAMS:
                raise Declined("commands before the install in its RUN may read the source", instr.first_line)
            if command.program() == "set" and any(a.startswith("-") and "e" in a for a in command.args):
                set_e = True
        moved = [first]
        by_link = {i.link: i for i in found}
        nxt = first.link + 1
        while nxt < len(chain) and by_link.get(nxt) is not None and by_link[nxt].kind is Kind.MOVE:
            moved.append(by_link[nxt])
            nxt += 1
        for link in chain[1 : nxt + 1] if nxt < len(chain) else ():
            if link.operator == "&&" or (link.operator in (";", "\n") and set_e):
                continue
            raise Declined(f"the install is joined by `{link.operator}`, which a split would change",
                           instr.first_line)
        return moved

    # -- what each install reads ---------------------------------------------------------

    def _read(self, install: Install, ctx_dir: str, cwd: str, site: Site, instr: Instruction) -> None:
        eco = install.ecosystem
        kind = Reader.PIP if _pip_interface(eco, install.command) else eco.reorder.reader
        _READERS[kind](self, install, ctx_dir, cwd, site)
        if eco.reorder.note:
            install.note = eco.reorder.note
        if install.problem is None and not install.files and not install.deps:
            where = f"{ctx_dir}/" if ctx_dir else "the build context"
            install.problem = (f"no {eco.name} manifest ({', '.join(eco.manifests[:3])}) found in {where}"
                               if self.build.root is not None else
                               f"no build context given: cannot tell which {eco.name} manifests exist")
        if install.problem is None and install.kind is Kind.PRIME and "--network=none" in instr.logical:
            install.problem = "the RUN has --network=none, so a dependency download cannot run there"

    def _existing(self, patterns: tuple[str, ...], ctx_dir: str) -> list[str]:
        files: list[str] = []
        for pattern in patterns:
            path = manifests.join(ctx_dir, pattern)
            found = self.build.glob(path) if any(ch in pattern for ch in "*?[") else (
                [path] if self.build.exists(path) and not self._is_dir(path) else [])
            files.extend(f for f in found if f not in files)
        return files

    def _is_dir(self, path: str) -> bool:
        return self.build.root is not None and (self.build.root / path).is_dir()

    # One reader per `manifests.Reader` kind (the row names its kind: `ReorderFacts.reader`).

    def _read_manifests(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        """The ecosystem's existing manifests, and a reason to decline found by the row's `check`."""
        install.files = self._existing(install.ecosystem.manifests, ctx_dir)
        check = install.ecosystem.reorder.check
        if check is None:
            return
        manifest, problem_in = check
        text = self.build.read_text(manifests.join(ctx_dir, manifest))
        if text is not None:
            install.problem = problem_in(text)

    def _read_go(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        install.files = self._existing(("go.mod", "go.sum"), ctx_dir)
        go_mod = self.build.read_text(manifests.join(ctx_dir, "go.mod"))
        if go_mod is None:
            if self.build.root is not None:
                install.problem = "no go.mod in the build context (GOPATH-era code or `go mod init` at build time)"
            return
        if self.build.exists(manifests.join(ctx_dir, "go.work")):
            install.problem = "a go.work workspace: every member module would be needed"
        elif self.build.exists(manifests.join(ctx_dir, "vendor/modules.txt")):
            install.problem = "vendor/ holds the modules: the build does not download them"
        elif any("-mod=vendor" in w for w in install.command.args) or any(
                "mod init" in i.logical for i in self.stage.body):
            install.problem = "the build uses -mod=vendor or runs `go mod init`"
        else:
            install.problem = manifests.go_mod_problem(go_mod)

    def _read_node(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        eco = install.ecosystem
        install.files = self._existing(eco.manifests, ctx_dir)
        path = manifests.join(ctx_dir, "package.json")
        data, problem = manifests.package_json(self.build, path)
        if problem or data is None:
            install.problem = problem
            return
        install.problem = manifests.node_problem(data, path)
        if install.problem:
            return
        members, problem = manifests.node_workspaces(self.build, data, ctx_dir)
        if problem:
            install.problem = problem
            return
        for member in members:
            member_json = manifests.join(member, "package.json")
            member_data, problem = manifests.package_json(self.build, member_json)
            install.problem = problem or (manifests.node_problem(member_data, member_json) if member_data else None)
            if install.problem:
                return
            install.files.append(member_json)
        offline = eco.reorder.offline_cache
        if offline and self.build.exists(manifests.join(ctx_dir, offline)):
            install.problem = f"{eco.name} reads the offline cache in {offline}, which is not a manifest"

    def _read_pip(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        requirements = _pip_requirement_args(install.command)
        if requirements is None:
            install.problem = "pip options this transform does not understand"
            return
        if install.kind is Kind.SPLIT:
            self._read_setuptools(install, ctx_dir)
            return
        paths = []
        for value in requirements:
            target = posixpath.normpath(posixpath.join(cwd, value))
            rel = posixpath.relpath(target, site.dest_abs)
            if rel.startswith(".."):
                install.problem = f"{value} is not inside the copied source"
                return
            paths.append(manifests.join(site.src, rel))
        reading = manifests.requirements_closure(self.build, paths)
        install.files, install.problem = reading.files, reading.problem

    def _read_setuptools(self, install: Install, ctx_dir: str) -> None:
        extras = _project_extras(install.command)
        deps, source = manifests.python_project_dependencies(self.build, ctx_dir, extras or [])
        if deps is None:
            install.problem = f"cannot read the dependencies statically: {source}"
            return
        if not deps:
            install.problem = f"{source} declares no dependencies: nothing to install first"
            return
        if any(d.strip().startswith((".", "/", "file:")) or " @ file:" in d for d in deps):
            install.problem = f"{source} has a local path dependency"
            return
        words = _pip_words_without_project(install.command)
        install.deps = deps
        install.deps_command = " ".join([*words, *(shlex.quote(d) for d in deps)])
        install.note = (f"the dependency list is copied from {source}; the original command still "
                        "runs after the source COPY and installs anything added later")

    def _read_maven(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        install.files = self._existing(install.ecosystem.manifests, ctx_dir)
        if sum(1 for f in install.files if f.endswith("pom.xml")) > 1:
            install.problem = ("a multi-module Maven build: dependency:go-offline cannot resolve "
                               "the sibling modules before they are built")
        elif install.command.has_option("-s", "--settings", "-f", "--file"):
            install.problem = "mvn reads a settings or pom file given on the command line"

    def _read_gradle(self, install: Install, ctx_dir: str, cwd: str, site: Site) -> None:
        install.files = self._existing(install.ecosystem.manifests, ctx_dir)
        for name in ("settings.gradle", "settings.gradle.kts"):
            text = self.build.read_text(manifests.join(ctx_dir, name))
            if text is not None and "include" in text:
                install.problem = f"{name} includes subprojects whose build files would be needed"
        if install.command.name.startswith("./") and not self.build.exists(
                manifests.join(ctx_dir, "gradle/wrapper/gradle-wrapper.properties")):
            install.problem = "the Gradle wrapper's gradle/wrapper/ is not in the build context"

    def _check_outputs(self, moved: list[Install], ctx_dir: str, instr: Instruction) -> None:
        root = self.build.root
        if root is None:
            return
        for install in moved:
            for pattern in install.ecosystem.reorder.install_outputs:
                for path in (root / ctx_dir).glob(pattern) if ctx_dir else root.glob(pattern):
                    rel = str(path.relative_to(root))
                    if not self.build.ignored(rel):
                        raise Declined(f"the build context contains {rel}, which the source COPY would copy "
                                       f"over what `{install.command.name} ...` installed", instr.first_line)

    # -- the edits ---------------------------------------------------------------------------

    def _emit(self, site: Site, source_index: int, index: int, instr: Instruction, script: Script,
              moved: list[Install], rel: str) -> None:
        doc = self.doc
        copy_keyword = doc.keyword("COPY", near=site.instr)
        files = [f for i in moved for f in i.files]
        copy_lines = _manifest_copies(copy_keyword, site, files)
        if copy_lines is None:
            raise Declined("a manifest path needs quoting", instr.first_line)
        insert_at = _attached_start(doc, site.instr)
        chain = script.chain
        first, last = moved[0], moved[-1]
        whole = first.kind is Kind.MOVE and all(
            link.command is not None and link.command.program() in _PREFIX_PROGRAMS for link in chain[: first.link]
        ) and last.link == len(chain) - 1
        edits: list[Edit] = []
        if whole:
            start = _attached_start(doc, instr)
            moved_text = doc.text[start : instr.stop]
            stop = instr.stop
            if not moved_text.endswith("\n"):
                moved_text += doc.newline
                newline = "\r\n" if doc.text[:start].endswith("\r\n") else "\n"
                start -= len(newline)
            new_text = moved_text
            edits.append(Edit(start, stop, ""))
        else:
            kept = [link for link in chain[: max(first.link, 0)]
                    if link.command is not None and link.command.program() in _PREFIX_PROGRAMS]
            prefix = "".join(instr.logical[link.start : link.stop] + " && " for link in kept)
            if first.kind is Kind.MOVE:
                links = [chain[i.link] for i in moved]
                body = " ".join((f"{link.operator} " if n else "") + instr.logical[link.start : link.stop]
                                for n, link in enumerate(links))
                remove_start = instr.offsets[chain[first.link].start]
                remove_stop = instr.offsets[chain[last.link + 1].start]
                edits.append(Edit(remove_start, remove_stop, ""))
            else:
                body = first.deps_command
            flags = "".join(instr.logical[f.start : f.stop] + " " for f in instr.flags)
            new_text = f"{instr.keyword_text} {flags}{prefix}{body}{doc.newline}"
        lines = "".join(line + doc.newline for line in copy_lines)
        edits.insert(0, Edit(insert_at, insert_at, lines + new_text))
        command_text = " ".join(first.command.argv[:4]) if first.kind is Kind.MOVE else first.deps_command
        if len(command_text) > 60:
            command_text = command_text[:57] + "..."
        names = ", ".join(posixpath.basename(f) if f.count("/") < 2 else f for f in files) or "nothing"
        source = " ".join(_copy_words(site.instr) or ["."])
        safety = Safety.SAFE if all(i.kind is Kind.MOVE and not i.note for i in moved) else Safety.REVIEW
        if first.kind is Kind.MOVE:
            what = "split off and moved" if not whole else "moved"
            why = (f"`{command_text}` is {what} before `COPY {source}` behind a COPY of {names}, "
                   "so a source edit no longer re-runs the install")
        else:
            why = (f"`{command_text}` is added before `COPY {source}` behind a COPY of {names}"
                   if files else f"`{command_text}` is added before `COPY {source}`")
            why += f" so a source edit keeps the dependencies cached; review: {first.note or 'synthesised command'}"
        if moved[0].note and first.kind is Kind.MOVE:
            why += f"; review: {moved[0].note}"
        self.plan.changes.append(self.t.change(why, edits, instr.first_line, safety))


# The reader of each kind a row may name; adding a package manager with a kind listed here needs only its row.
_READERS: dict[Reader, Callable[[_StagePlanner, Install, str, str, Site], None]] = {
    Reader.MANIFESTS: _StagePlanner._read_manifests,
    Reader.GO: _StagePlanner._read_go,
    Reader.NODE: _StagePlanner._read_node,
    Reader.PIP: _StagePlanner._read_pip,
    Reader.MAVEN: _StagePlanner._read_maven,
    Reader.GRADLE: _StagePlanner._read_gradle,
}


# ------------------------------------------------------------------------------- helpers



def _is_local_copy(instr: Instruction) -> bool:
    return instr.keyword in ("COPY", "ADD") and instr.flag("from") is None and not instr.heredocs


def _copy_words(instr: Instruction) -> list[str] | None:
    if any(f.name not in _COPY_FLAGS for f in instr.flags):
        return None
    words = parse_json_array(instr.args)
    if words is None:
        words = [unquote(w, instr.escape) for w in instr.words()]
    return words


def _declared_names(instr: Instruction) -> list[str]:
    """The variables an ENV or ARG line sets."""
    pairs = env_pairs(instr.args, instr.escape) if instr.keyword == "ENV" else arg_pairs(instr.args, instr.escape)
    return [name for name, _ in pairs]


def _binds(instr: Instruction) -> list[dict[str, str]]:
    mounts = [parse_mount(v) for v in instr.flag_values("mount")]
    return [m for m in mounts if m.get("type", "bind") == "bind" and "from" not in m]


def _attached_start(doc: Document, instr: Instruction) -> int:
    """Start of the comment lines directly above `instr` (they describe it and move with it)."""
    items: list[Item] = doc.items
    position = items.index(instr)
    while position > 0 and items[position - 1].kind == "comment":
        position -= 1
    return items[position].start


def _installs(script: Script) -> list[Install]:
    """Manifest-reading installs of the script (top-level first), else build commands to prime."""
    link_of = {link.start: i for i, link in enumerate(script.chain) if link.command is not None}
    found: list[Install] = []
    for command in script.commands:
        link = link_of.get(command.start, -1) if command.top_level else -1
        install = _classify(command, link)
        if install is not None:
            found.append(install)
    if found:
        return found
    for command in script.commands:
        for eco in ecosystems.ECOSYSTEMS:
            if eco.deps_only and any(inv.matches(command) for inv in eco.build):
                link = link_of.get(command.start, -1) if command.top_level else -1
                return [Install(eco, Kind.PRIME, link, command, deps_command=_deps_command(eco, eco.deps_only, command),
                                note=eco.reorder.prime_note)]
    return []


def _deps_command(eco: Ecosystem, deps_only: str, build: Command) -> str:
    """The row's dependency command, shaped like the build it primes (wrapper, options, project file)."""
    facts = eco.reorder
    deps = deps_only
    tool = deps_only.split()[0]
    if facts.prime_keeps_wrapper and build.name != tool:
        deps = build.name + deps[len(tool):]  # keep the wrapper: ./gradlew, ./mvnw
    for options, words in facts.prime_carries:
        if build.has_option(*options):
            deps += words
    project = [a for a in build.positional()[1:] if a.endswith(facts.prime_targets)]
    if project:
        deps += f" {project[0]}"  # restore what publish builds, not whatever sits in the dir
    return deps


def _classify(command: Command, link: int) -> Install | None:
    for eco in ecosystems.installs(command):
        if not eco.manifests:
            continue  # apt-get/apk: nothing in the context
        facts = eco.reorder
        if _pip_interface(eco, command):
            if _project_install(command):
                return Install(facts.project_split_as or eco, Kind.SPLIT, link, command)
            if not _pip_requirement_args(command):
                return None  # `pip install flask`: reads no file
            return Install(eco, Kind.MOVE, link, command)
        if facts.split_flags:
            if all(command.has_option(f) for f in facts.split_flags[:1]):
                return Install(eco, Kind.MOVE, link, command)
            raw = " ".join(w.raw for w in command.words)
            return Install(eco, Kind.SPLIT, link, command, deps_command=f"{raw} {' '.join(facts.split_flags)}",
                           note=f"{' '.join(facts.split_flags)} installs the dependencies without the project")
        if facts.bare_only and _names_packages(eco, command):
            return None  # `pipenv install flask` adds a package; it does not install the manifests
        return Install(eco, Kind.MOVE, link, command)  # the row's review note is added when it is read
    return None


def _pip_interface(eco: Ecosystem, command: Command) -> bool:
    """The install takes pip's arguments (`pip install`, `python -m pip install`, `uv pip install`)."""
    return any(inv.matches(command) for inv in eco.reorder.pip_interface)


def _names_packages(eco: Ecosystem, command: Command) -> bool:
    """The install names packages after its subcommand (`pipenv install flask`)."""
    program, positional = ecosystems.normalise(command)
    return any(inv.matches_normalised(program, positional) and len(positional) > len(inv.subcommand)
               for inv in eco.install)


_PIP_TAKES_VALUE = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src", "--upgrade-strategy", "--platform",
    "--python-version", "--implementation", "--abi", "--only-binary", "--no-binary", "--progress-bar",
    "--cache-dir", "--log", "--trusted-host", "--proxy", "--timeout", "--retries", "--report", "-C",
    "--config-settings", "--global-option", "--python", "-p",
})


def _pip_args(command: Command) -> list[str]:
    """The words after `install` (`pip install`, `python -m pip install`, `uv pip install`)."""
    argv = command.argv
    index = argv.index("install") if "install" in argv else len(argv)
    return argv[index + 1 :]


def _pip_requirement_args(command: Command) -> list[str] | None:
    """The `-r`/`-c` files a pip install names; None when an option value is not literal."""
    args = _pip_args(command)
    files: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if name in ("-r", "--requirement", "-c", "--constraint"):
            value = inline if eq else (args[i + 1] if i + 1 < len(args) else "")
            if "$" in value or not value:
                return None
            files.append(value)
            i += 1 if eq else 2
            continue
        if arg.startswith(("-r", "-c")) and not arg.startswith("--") and len(arg) > 2:
            files.append(arg[2:])
        elif name in _PIP_TAKES_VALUE and not eq:
            i += 1
        i += 1
    return files


def _project_install(command: Command) -> bool:
    return any(a == "." or a.startswith(".[") or a == "./" for a in _pip_args(command))


def _project_extras(command: Command) -> list[str] | None:
    for arg in _pip_args(command):
        if arg.startswith(".["):
            return [e.strip() for e in arg[2:].rstrip("]").split(",") if e.strip()]
    return []


def _pip_words_without_project(command: Command) -> list[str]:
    """The install command's words (as written) without `.`/`-e .`: options and packages stay."""
    words = list(command.words)
    index = next(i for i, w in enumerate(words) if w.value == "install")
    kept = [w.raw for w in words[: index + 1]]
    rest = words[index + 1 :]
    skip_next = False
    for n, word in enumerate(rest):
        if skip_next:
            skip_next = False
            continue
        if word.value in ("-e", "--editable") and n + 1 < len(rest) and rest[n + 1].value.startswith("."):
            skip_next = True
            continue
        if word.value == "." or word.value.startswith(".[") or word.value == "./":
            continue
        kept.append(word.raw)
    return kept


def _same_pip_inputs(earlier: Command, install: Command) -> bool:
    files = _pip_requirement_args(install) or []
    if files:
        return bool(set(files) & set(_pip_requirement_args(earlier) or []))
    return False  # `pip install .`: decided once its dependencies are read (_pip_primed)


def _manifest_copies(keyword: str, site: Site, files: list[str]) -> list[str] | None:
    """`COPY [flags] a b ./` lines, one per destination directory, in first-seen order."""
    groups: dict[str, list[str]] = {}
    for path in files:
        rel = posixpath.relpath(path, site.src) if site.src else path
        directory = posixpath.dirname(rel)
        base = site.dest.rstrip("/") or "/"
        target = posixpath.join(base, directory) if directory else base
        if target in (".", ""):
            target = "."
        groups.setdefault(target + "/", []).append(path)
    lines = []
    for target, sources in groups.items():
        if any(ch in w for w in [*sources, target] for ch in " \t\"'$\\"):
            return None
        flags = "".join(f + " " for f in site.flags)
        lines.append(f"{keyword} {flags}{' '.join(sources)} {target}")
    return lines

