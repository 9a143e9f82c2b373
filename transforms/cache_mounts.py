"""cache-mounts: give RUN lines that download or compile the tool's BuildKit cache mount."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field

from refactor.analysis import runenv
from refactor.analysis.semantic import SemanticModel
from refactor.analysis.stages import ReferenceKind, Stage, StageGraph, parse_mount
from refactor.engine.changes import Declined, Edit, Plan, Safety
from refactor.engine.options import option as declare_option  # `option` is a local name here
from refactor.engine.transform import Transform
from refactor.facts import ecosystems
from refactor.facts.context import TransformContext
from refactor.facts.ecosystems import Cache, Ecosystem
from refactor.text import shell
from refactor.text.document import Document, Instruction, parse_json_array
from refactor.text.words import unquote

# Programs that run (part of) their command line as another user: whose cache is unknown.
_OTHER_USER = frozenset({"su", "sudo", "gosu", "su-exec", "runuser", "setpriv", "chroot", "setuidgid"})
_SYNTAX = "# syntax=docker/dockerfile:1"
_SHELL_SHEBANG = re.compile(r"#!\s*/(?:usr/)?bin/(?:env\s+)?(?:ba|da|a)?sh\b")
_UNWRITABLE_HOMES = frozenset({"", "/", "/nonexistent"})



@dataclass
class Mount:
    target: str
    ecosystem: Ecosystem
    sharing: str | None = None

    def flag(self, account: runenv.Account) -> str:
        parts = ["type=cache"]
        if not account.is_root and not _under(self.target, account.home or ""):
            # A directory outside HOME may be shared with other users' builds: one cache per uid.
            parts.append(f"id={self.target}-{account.uid}")
        parts.append(f"target={self.target}")
        if self.sharing:
            parts.append(f"sharing={self.sharing}")
        if not account.is_root:
            parts.append(f"uid={account.uid}")
            if account.gid is not None:
                parts.append(f"gid={account.gid}")
        return "--mount=" + ",".join(parts)


@dataclass
class Removal:
    start: int  # document offsets
    stop: int
    what: str
    why: str
    safety: Safety


@dataclass
class Site:
    instr: Instruction
    stage: Stage
    account: runenv.Account
    mounts: list[Mount]
    removals: list[Removal] = field(default_factory=list)
    inserts: list[Edit] = field(default_factory=list)


class CacheMounts(Transform):
    """Add `RUN --mount=type=cache` for the package managers and compilers a RUN invokes.

    ## What it does
    For each RUN whose shell commands (parsed, not grepped) run a known tool, adds the
    tool's cache directory as a BuildKit cache mount, next to any mounts the RUN already
    has.  The directories come from `refactor/facts/ecosystems.py`, resolved for the user and
    environment the RUN sees (ENV and ARG of its stage and parent stages, USER, the
    documented environment of official base images):

    | tool | mount (root, no relocation) | moved by |
    |---|---|---|
    | go build/test/mod download | `$GOPATH/pkg/mod` (`/go/pkg/mod` on golang), `~/.cache/go-build` | GOMODCACHE |
    | pip / python -m pip | `~/.cache/pip` | PIP_CACHE_DIR, XDG_CACHE_HOME |
    | uv sync / uv pip install | `~/.cache/uv` (and `UV_LINK_MODE=copy` on the command) | UV_CACHE_DIR |
    | poetry | `~/.cache/pypoetry` | POETRY_CACHE_DIR |
    | npm ci/install | `~/.npm` | npm_config_cache |
    | yarn (classic) | `/usr/local/share/.cache/yarn` (root), `~/.cache/yarn` | YARN_CACHE_FOLDER |
    | pnpm | `$PNPM_HOME/store`, `~/.local/share/pnpm/store` | PNPM_STORE_DIR |
    | apt-get update + install | `/var/cache/apt`, `/var/lib/apt/lists`, `sharing=locked` | |
    | apk (symlink recipe only) | `/var/cache/apk`, `sharing=locked` | |
    | mvn | `~/.m2/repository` | |
    | gradle | `~/.gradle/caches`, `~/.gradle/wrapper` | GRADLE_USER_HOME |
    | cargo | `$CARGO_HOME/registry`, `$CARGO_HOME/git/db` (`/usr/local/cargo` on rust images) | CARGO_HOME |
    | bundle / gem install | `$GEM_HOME/cache` (`/usr/local/bundle/cache` on ruby images) | GEM_HOME |
    | composer | `$COMPOSER_HOME/cache` (`/tmp/cache` on composer images), `~/.cache/composer` | COMPOSER_CACHE_DIR |
    | dotnet restore/publish | `~/.nuget/packages` | NUGET_PACKAGES |

    A RUN after `USER name` mounts under that user's HOME (from the passwd entry the
    Dockerfile creates with `useradd`/`adduser`, or the base image's, e.g. `node`) with
    `uid=`/`gid=` so the user can write it.  Commands that would empty or switch off the
    now-mounted cache are removed, each as its own change with its reason: `--no-cache-dir`
    (pip), `--no-cache` (uv), `npm cache clean --force`, `yarn cache clean`,
    `apt-get clean`, `rm -rf /var/lib/apt/lists/*`.  For apt, a RUN is inserted before the
    stage's first apt RUN that removes the `docker-clean` hook and keeps downloaded
    packages (the BuildKit reference recipe), since that hook deletes every .deb the
    mount should keep.

    Flag style: a RUN on one line that needs one short flag keeps it on that line
    (`RUN --mount=type=cache,target=/root/.npm npm ci`); with two or more flags, or a line
    that would pass 100 characters, each flag gets its own continuation line and the
    command follows on the next, as seed 001 writes it.  A RUN that already continues over
    several lines gets one `--mount=...` per continuation line, indented like its own
    continuation lines.  The flags go after any flags the RUN has, before its command.
    Option `add_syntax_directive` (`--option add_syntax_directive=true`) also adds
    `# syntax=docker/dockerfile:1` for engines older than Docker 23; by default none is
    added, since `RUN --mount` is built into BuildKit's own Dockerfile frontend.

    ## Why
    The layer cache is all-or-nothing: when a manifest changes, the install RUN starts
    from an empty download cache.  A cache mount survives that, so a rebuild fetches only
    what changed, compilers reuse their object caches, and the cache directory is no
    longer stored in the image.

    ## Example
    ```Dockerfile
    FROM golang:1.22
    COPY . /src
    RUN cd /src \
        && CGO_ENABLED=0 go build -o /out/server ./cmd/server
    FROM node:20
    RUN npm ci && npm cache clean --force
    ```
    becomes
    ```Dockerfile
    FROM golang:1.22
    COPY . /src
    RUN --mount=type=cache,target=/go/pkg/mod \
        --mount=type=cache,target=/root/.cache/go-build \
        cd /src \
        && CGO_ENABLED=0 go build -o /out/server ./cmd/server
    FROM node:20
    RUN --mount=type=cache,target=/root/.npm npm ci
    ```

    ## Left alone when
    - the RUN already has a `type=cache` mount (left byte-identical), or a mount at or
      around one of the targets;
    - the RUN's user is not determined: `USER` names an account the Dockerfile does not
      create and the base image is not known to have, was created without a fixed uid,
      has no writable HOME, or the RUN switches users (`su`, `gosu`, `sudo`);
    - a variable, a command-line option (`--cache-dir`, `-Dmaven.repo.local`, `-s
      settings.xml`), a config file written earlier (`~/.npmrc`, `/etc/pip.conf`,
      `~/.m2/settings.xml`), a project config in the build context (`.npmrc` with
      `cache=`), `npm config set`/`go env -w`, or an ARG (a `--build-arg` can change it)
      may move the cache: an unknown relocation is never guessed;
    - the cache is needed later: a later RUN of the same stage family reads it without a
      mount (`apt-get install` without `apt-get update`, `dotnet publish --no-restore`),
      a `COPY --from` takes files from it, or CMD/ENTRYPOINT runs the tool (`go run`
      needs the module cache, `mvn`/`gradle`/`cargo`/`dotnet run` theirs); an earlier
      COPY puts files into the target (the mount would hide them);
    - poetry keeps virtualenvs in its cache dir (unless `POETRY_VIRTUALENVS_CREATE=false`
      or `POETRY_VIRTUALENVS_IN_PROJECT=true`, by ENV or `poetry config`);
    - a cache-defeating setting cannot be removed without changing the image: `ENV
      PIP_NO_CACHE_DIR` (it is also the container's environment), `apk add --no-cache`
      (apk caches only through the `/etc/apk/cache` symlink, which the Dockerfile must
      create itself before apk gets a mount), a flag or cleanup inside a heredoc script;
    - apt or apk runs as a non-root user; the RUN is exec form or its script does not parse.

    Unknown base images are assumed to run as root with the tools' default directories
    (a wrong assumption leaves the mount unused, it does not break the build).  `node_modules`,
    `target/` and other build outputs are never mounted.

    ## Fix safety
    Adding a mount is safe: the tools treat these directories as caches (content is
    checked against lockfile hashes or rebuilt on a miss), nothing later in the build or
    at run time reads them (checked above), so the only change to the image is that the
    cache directory is empty, which makes it smaller.  Removing a cleanup of a directory
    that is now a mount (`npm cache clean`, `rm -rf /var/lib/apt/lists/*`) is also safe:
    it only emptied the mount.  Removing `--no-cache-dir`/`--no-cache` needs review: pip
    and uv then reuse wheels built by earlier builds, which differ if the build
    environment did.  The apt `docker-clean` RUN needs review: it changes apt's
    configuration in the image, so later `apt-get install` runs in images built FROM it
    keep their .deb files unless they clean up.
    """

    name = "cache-mounts"
    summary = "Add BuildKit cache mounts to RUN lines that download or compile, for the RUN's user."
    safety = Safety.SAFE

    @dataclass(frozen=True)
    class Options:
        add_syntax_directive: bool = declare_option(
            False, "Add `# syntax=docker/dockerfile:1` (a review change) for engines older than Docker 23.")

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        doc, graph = model.doc, model.graph
        plan = Plan()
        sites: dict[int, Site] = {}
        declined: dict[int, tuple[Instruction, str]] = {}
        for stage in graph.stages:
            if model.is_windows(stage):
                if any(_ecosystems_used(model, i) for i in stage.body if i.keyword == "RUN"):
                    plan.skips.append(self.skip(
                        "a Windows container stage: the classic builder that builds it rejects RUN --mount, "
                        "and its cache paths are not Linux paths", stage.from_instruction.first_line))
                continue
            for instr in stage.body:
                if instr.keyword != "RUN":
                    continue
                used = _ecosystems_used(model, instr)
                if not used or _already_mounted(instr):  # its own mounts (or ours, from an earlier round)
                    continue
                try:
                    sites[instr.start] = _site(model, ctx, instr, stage, used)
                except Declined as why:
                    declined[instr.start] = (instr, why.reason)
        _decline_needed_later(graph, sites, declined)
        for instr, reason in declined.values():
            plan.skips.append(self.skip(reason, instr.first_line))
        set_up: set[tuple[str, int]] = set()  # (ecosystem, root stage) whose keep-setup is decided
        for site in sorted(sites.values(), key=lambda s: s.instr.start):
            self._emit(doc, graph, site, plan, set_up)
        if plan.changes and ctx.options_for(self).add_syntax_directive and "syntax" not in doc.directives:
            plan.changes.append(self.change(
                "add a syntax directive so engines older than Docker 23 use a frontend that knows RUN --mount",
                [Edit(0, 0, _SYNTAX + doc.newline)], 1, Safety.REVIEW))
        return plan

    def _emit(self, doc: Document, graph: StageGraph, site: Site, plan: Plan, set_up: set[tuple[str, int]]) -> None:
        instr = site.instr
        flags = [m.flag(site.account) for m in site.mounts]
        edits = [_insert_flags(doc, instr, flags), *site.inserts]
        tools = sorted({m.ecosystem.name for m in site.mounts}, key=[m.ecosystem.name for m in site.mounts].index)
        targets = ", ".join(m.target for m in site.mounts)
        who = "" if site.account.is_root else f" (writable by USER {site.account.spec})"
        plan.changes.append(self.change(
            f"keep {'/'.join(tools)}'s cache in a BuildKit cache mount ({targets}){who}, so a rebuild reuses "
            "downloads and compiler output and the layer no longer stores them", edits, instr.first_line))
        for removal in site.removals:
            plan.changes.append(self.change(f"drop `{removal.what}`: {removal.why}",
                                            [Edit(removal.start, removal.stop, "")], instr.first_line,
                                            removal.safety))
        for eco in dict.fromkeys(m.ecosystem for m in site.mounts):
            setup = eco.cache.keep_setup
            if setup is None:
                continue
            key = (eco.name, _root(site.stage).index)
            if key not in set_up and _ships(graph, site.stage) and not _family_has(graph, site.stage, setup.markers):
                set_up.add(key)
                plan.skips.append(self.skip(setup.kept, instr.first_line))
            elif key not in set_up and not _family_has(graph, site.stage, setup.markers):
                set_up.add(key)
                indent = doc.line_indent(instr)
                line = f"{indent}{doc.keyword('RUN', near=instr)} {setup.command}{doc.newline}"
                plan.changes.append(self.change(
                    setup.added, [Edit(instr.start, instr.start, line)], instr.first_line, Safety.REVIEW))
            else:
                set_up.add(key)


# ---------------------------------------------------------------------------
# Which tools a RUN runs, and what each one needs.


def _ecosystems_used(model: SemanticModel, instr: Instruction) -> list[Ecosystem]:
    used: list[Ecosystem] = []
    for command in model.commands(instr):
        for eco in ecosystems.ECOSYSTEMS:
            if eco.cache.dirs and eco not in used and eco.uses_cache(command):
                used.append(eco)
    return used


def _tool_commands(script: shell.Script, eco: Ecosystem) -> list[shell.Command]:
    return [c for c in script.commands
            if eco.uses_cache(c) or any(inv.matches(c) for inv in eco.cache.readers + eco.install + eco.build)]


def _already_mounted(instr: Instruction) -> bool:
    return any(parse_mount(v).get("type") == "cache" for v in instr.flag_values("mount"))


def _site(model: SemanticModel, ctx: TransformContext, instr: Instruction, stage: Stage,
          used: list[Ecosystem]) -> Site:
    doc, state = model.doc, model.state_before(instr)
    existing = [parse_mount(v) for v in instr.flag_values("mount")]
    parsed = model.script(instr)
    assert parsed is not None
    script, editable = parsed.script, parsed.editable
    if script.has_error:
        raise Declined("the RUN's shell script does not parse: nothing is changed")
    if not editable and script.text.startswith("#!") and not _SHELL_SHEBANG.match(script.text):
        raise Declined("the heredoc script is not a shell script")
    switch = next((c for c in script.commands if c.program() in _OTHER_USER), None)
    if switch is not None:
        raise Declined(f"`{switch.program()}` runs commands as another user, whose cache dir is unknown")
    account = _account(state)
    site = Site(instr, stage, account, [])
    for eco in used:
        if not account.is_root and eco.cache.root_only:
            raise Declined(f"{eco.name} runs as root, but this RUN runs as USER {account.spec}")
        commands = _tool_commands(script, eco)
        _check_relocation(ctx, instr, script, state, eco, commands, account)
        inline = _inline(script, eco, commands)
        _check_holds_install(script, state, eco, inline)
        for cache in eco.cache.dirs:
            target = _target(cache, eco, state, account, inline, script)
            site.mounts.append(Mount(target, eco, cache.sharing))
        _defeaters(instr, script, editable, state, eco, commands, site)
    _check_targets(instr, state, existing, site)
    _cleanups(instr, script, editable, site)
    if editable:
        _inline_env(instr, script, state, used, site)
    if not editable and site.removals:
        raise Declined(f"the heredoc script would need `{site.removals[0].what}` removed; heredoc bodies "
                       "are left as written")
    for removal in site.removals:
        if any(line.strip().startswith("#") for line in doc.text[removal.start:removal.stop].split("\n")[1:]):
            raise Declined(f"a comment line sits inside `{removal.what}`, which would be removed")
    return site


def _account(state: runenv.RunEnv) -> runenv.Account:
    account = state.account()
    if account is None:
        raise Declined(f"USER {state.user} uses a variable whose value is unknown here")
    if account.uid is None:
        name = account.spec.partition(":")[0]
        if name in state.users:
            raise Declined(f"user {name} is created without a fixed uid (useradd -u): a cache mount cannot "
                           "be made writable for it")
        raise Declined(f"USER {account.spec} is neither created in this Dockerfile nor known for the base "
                       "image: its HOME and uid are unknown")
    return account


def _check_relocation(ctx: TransformContext, instr: Instruction, script: shell.Script, state: runenv.RunEnv,
                      eco: Ecosystem, commands: list[shell.Command], account: runenv.Account) -> None:
    for command in commands:
        for arg in command.args:
            for option in eco.cache.relocating_args:
                prefix = option.endswith("*")
                stem = option.rstrip("*")
                if arg == stem or arg.startswith(stem if prefix else stem + "="):
                    raise Declined(f"`{arg}` may move {eco.name}'s cache: an unknown location is not guessed")
    for var, word in eco.cache.relocating_env_words:
        known, value = state.get(var)
        if known and (value is None or word in value):
            raise Declined(f"{var} may move {eco.name}'s cache: an unknown location is not guessed")
    home = (account.home or "").rstrip("/")
    for path in eco.cache.config_files:
        full = home + path[1:] if path.startswith("~") else path
        for written, line in state.written + state.mentioned:
            norm = home + written[1:] if written.startswith("~") else written
            if posixpath.normpath(norm) in (full, posixpath.dirname(full)):
                raise Declined(f"line {line} writes {written}, where {full} may move {eco.name}'s cache")
        if full in script.text:
            raise Declined(f"the RUN writes {full}, whose settings may move {eco.name}'s cache")
    programs = {inv.program for inv in eco.cache.users + eco.install + eco.build}
    configured = list(state.configured)
    for command in script.commands:
        program, positional = ecosystems.normalise(command)
        if positional[:1] == ["config"] or any(
                inv.matches_normalised(program, positional) for inv in eco.cache.config_commands):
            configured.append((program, command.args, instr.first_line))
    for program, args, line in configured:
        text = " ".join(args).lower()
        if program in programs and any(k in text for k in ("cache", "store", "dir", "home", "path")):
            raise Declined(f"`{program} {' '.join(args)}` (line {line}) may move {eco.name}'s cache")
    for name, key in eco.cache.project_config:
        content = ctx.build.read_text(name)
        if content is not None and (not key or key in content):
            raise Declined(f"{name} in the build context may move {eco.name}'s cache")


def _inline(script: shell.Script, eco: Ecosystem, commands: list[shell.Command]) -> dict[str, str]:
    """Variables set on the tool's own command line (`GOCACHE=/x go build`); must agree."""
    out: dict[str, str] = {}
    for command in commands:
        for name, value in command.assignments:
            if out.get(name, value) != value:
                raise Declined(f"{name} is set to different values for {eco.name}'s commands")
            out[name] = value
    return out


def _lookup(var: str, eco: Ecosystem, state: runenv.RunEnv, inline: dict[str, str],
            script: shell.Script) -> tuple[bool, str | None]:
    if var in inline:
        value = inline[var]
        return True, value if "$" not in value and "`" not in value else state.expand(value)
    inline_count = sum(1 for c in script.commands for n, _ in c.assignments if n == var)
    if len(re.findall(rf"(?<![\w$]){re.escape(var)}=", script.text)) > inline_count:
        raise Declined(f"{var} is set inside the RUN, so where {eco.name} caches is not known here")
    known, current = state.get(var)
    if known and var in state.args:
        raise Declined(f"ARG {var} moves {eco.name}'s cache, and --build-arg can change it")
    return known, current


def _target(cache: Cache, eco: Ecosystem, state: runenv.RunEnv, account: runenv.Account,
            inline: dict[str, str], script: shell.Script) -> str:
    for var in cache.env:
        known, value = _lookup(var, eco, state, inline, script)
        if known:
            return _absolute(var, value, eco)
    for var, sub in cache.under:
        known, value = _lookup(var, eco, state, inline, script)
        if known:
            base = _absolute(var, value, eco)
            if ":" in base:
                raise Declined(f"{var} lists several directories")
            return posixpath.join(base, sub)
    if account.is_root and cache.root_target:
        return cache.root_target
    if not cache.target:
        names = ", ".join(v for v, _ in cache.under)
        raise Declined(f"where {eco.name} caches depends on {names}, which is not set here")
    if cache.target.startswith("~"):
        known, home = _lookup("HOME", eco, state, inline, script)
        home = home if known else account.home
        if home is None or home.rstrip("/") in _UNWRITABLE_HOMES:
            raise Declined(f"USER {account.spec} has no known, writable HOME for {eco.name}'s cache")
        return posixpath.normpath(home + cache.target[1:])
    return cache.target


def _absolute(var: str, value: str | None, eco: Ecosystem) -> str:
    if value is None:
        raise Declined(f"{var} moves {eco.name}'s cache to a value not known here")
    if not value.startswith("/"):
        raise Declined(f"{var}={value} is not an absolute path")
    return posixpath.normpath(value)


def _check_holds_install(script: shell.Script, state: runenv.RunEnv, eco: Ecosystem,
                         inline: dict[str, str]) -> None:
    if not eco.cache.holds_install_unless:
        return
    values = dict(state.env)
    values.update(inline)
    for command in script.commands:
        setting = ecosystems.config_command_env(command)
        if setting is not None:
            values[setting[0]] = setting[1]
    for var, accepted in eco.cache.holds_install_unless:
        if (values.get(var) or "").lower() in accepted:
            return
    names = " or ".join(f"{v}={a[0]}" for v, a in eco.cache.holds_install_unless)
    raise Declined(f"{eco.name} installs into virtualenvs inside its cache dir unless {names}; "
                   "a mount would leave them out of the image")


def _defeaters(instr: Instruction, script: shell.Script, editable: bool, state: runenv.RunEnv,
               eco: Ecosystem, commands: list[shell.Command], site: Site) -> None:
    for var in eco.cache.env_off:
        known, _ = state.get(var)
        if known:
            kind = "ARG" if var in state.args else "ENV"
            raise Declined(f"{kind} {var} turns {eco.name}'s cache off; removing it would change the "
                           "image's environment, so it is left to you")
    for command in commands:
        for name, _ in command.assignments:
            if name in eco.cache.env_off:
                if not editable:
                    raise Declined(f"{name} turns {eco.name}'s cache off inside a heredoc script")
                site.removals.append(_remove_assignment(instr, command, name, eco))
        for word in command.words[1:]:
            if word.value not in eco.cache.defeaters:
                continue
            if eco.cache.defeaters_stay:
                switch = eco.cache.switch
                raise Declined(f"`{word.value}` keeps {eco.name} from caching and stays: " + (
                    f"{eco.name} caches only through {switch.path}, which this Dockerfile does not set up"
                    if switch is not None else "it has no documented equivalent that a mount could replace"))
            if not editable:
                raise Declined(f"`{word.value}` turns {eco.name}'s cache off inside a heredoc script")
            start, stop = _word_removal(instr, word.start, word.stop)
            site.removals.append(Removal(start, stop, word.value, (
                f"it turns {eco.name}'s cache off, which now lives in a cache mount outside the image "
                "(cached wheels from earlier builds may be reused: review)"), Safety.REVIEW))


def _check_targets(instr: Instruction, state: runenv.RunEnv, existing: list[dict[str, str]], site: Site) -> None:
    for mount in site.mounts:
        for other in existing:
            target = other.get("target") or other.get("dst") or other.get("destination") or ""
            if target and (_under(mount.target, target) or _under(target, mount.target)):
                raise Declined(f"the RUN already mounts {target}, which overlaps {mount.target}")
        for written, line in state.written:
            if written.startswith("/") and _under(posixpath.normpath(written), mount.target) and (
                    line != instr.first_line):
                raise Declined(f"line {line} puts files into {mount.target}, which the mount would hide")
        switch = mount.ecosystem.cache.switch
        if switch is not None and not _switched_on(state, instr, switch.path):
            raise Declined(f"{mount.ecosystem.name} caches only when {switch.path} links to a directory "
                           f"({switch.source}); this Dockerfile does not create that link")


def _switched_on(state: runenv.RunEnv, instr: Instruction, path: str) -> bool:
    """The Dockerfile creates `path` (a `CacheSwitch`): earlier, or in this RUN."""
    return any(w == path for w, _ in state.written + state.mentioned) or path in instr.logical


def _cleanups(instr: Instruction, script: shell.Script, editable: bool, site: Site) -> None:
    """Commands that empty a directory that is now mounted: they would only empty the mount."""
    targets = [m.target for m in site.mounts]
    for command in script.commands:
        if command.program() == "rm":
            for word in command.words[1:]:
                operand = word.raw.strip("'\"").rstrip("/") or "/"
                if not word.raw.startswith("-") and any(_under(t, operand) for t in targets):
                    raise Declined(f"`rm {word.raw}` would remove the cache mount's own directory, which fails")
    for index, link in enumerate(script.chain):
        if link.command is None:
            continue
        command = link.command
        cleaner = next((m.ecosystem for m in site.mounts
                        if any(inv.matches(command) for inv in m.ecosystem.cache.cleaners)), None)
        text = " ".join(w.raw for w in command.words)
        if cleaner is not None:
            why = f"it would empty {cleaner.name}'s cache, which is now a cache mount outside the image"
        elif command.program() == "rm":
            operands = [w.raw.strip("'\"") for w in command.words[1:] if not w.raw.startswith("-")]
            inside = [o for o in operands if any(_under(o, t) for t in targets)]
            if not inside:
                continue
            if len(inside) != len(operands):
                continue  # it also removes other paths: left as written
            why = f"it would empty {', '.join(sorted({t for t in targets if any(_under(o, t) for o in inside)}))}, " \
                  "which is now a cache mount outside the image"
        else:
            continue
        if not editable:
            raise Declined(f"the heredoc script runs `{text}`, which would empty the cache mount")
        site.removals.append(Removal(*_link_removal(instr, script, index), text, why, Safety.SAFE))
    for command in script.commands:
        if any(inv.matches(command) for m in site.mounts for inv in m.ecosystem.cache.cleaners) and not any(
                link.command is not None and link.command.start == command.start for link in script.chain):
            raise Declined(f"`{' '.join(command.argv)}` empties the cache inside a compound command")


def _inline_env(instr: Instruction, script: shell.Script, state: runenv.RunEnv, used: list[Ecosystem],
                site: Site) -> None:
    """The rows' `InlineEnv` settings (`UV_LINK_MODE=copy`) on the commands that need them."""
    for setting in (s for eco in used for s in eco.cache.inline_env):
        if setting.name in state.env:
            continue
        for command in script.commands:
            if any(inv.matches(command) for inv in setting.commands) and not (
                    setting.option and command.has_option(setting.option)) and not any(
                    name == setting.name for name, _ in command.assignments):
                start, _ = instr.span(command.start, command.start + 1)
                site.inserts.append(Edit(start, start, f"{setting.name}={setting.value} "))


# ---------------------------------------------------------------------------
# Needed later?  A mounted directory is not in the image.


def _chain(stage: Stage) -> list[Stage]:
    out = [stage]
    while out[-1].base_stage is not None and out[-1].base_stage not in out:
        out.append(out[-1].base_stage)
    return out


def _ships(graph: StageGraph, stage: Stage) -> bool:
    """The stage's configuration ends up in an image people run or build on: the final stage, a
    named stage nothing copies from (a `--target`), or a stage either is built FROM."""
    targets = [s for s in graph.stages if s is graph.final or (s.name and not graph.references_to(s))]
    return any(stage in _chain(target) for target in targets)


def _root(stage: Stage) -> Stage:
    return _chain(stage)[-1]


def _related(a: Stage, b: Stage) -> bool:
    return a in _chain(b) or b in _chain(a)


def _family_has(graph: StageGraph, stage: Stage, markers: tuple[str, ...]) -> bool:
    """An instruction of the stage's family mentions one of `markers` (its `KeepSetup` is done already)."""
    return any(marker in i.logical for s in graph.stages if _related(s, stage) for i in s.instructions
               for marker in markers)


def _decline_needed_later(graph: StageGraph, sites: dict[int, Site], declined: dict[int, tuple[Instruction, str]]
                          ) -> None:
    changed = True
    while changed:
        changed = False
        readers = _possible_readers(graph, sites)
        for key, site in list(sites.items()):
            reason = _needed_elsewhere(graph, site, sites, readers)
            if reason:
                del sites[key]
                declined[key] = (site.instr, reason)
                changed = True


# (cache target, ecosystem name) -> instructions that might read that cache, with their stage.
_Readers = dict[tuple[str, str], list[tuple[Stage, Instruction]]]


def _possible_readers(graph: StageGraph, sites: dict[int, Site]) -> _Readers:
    """A cheap superset of the instructions `_reads` could object to, built once per round.

    Checking every site against every instruction is quadratic; a file with thousands of
    RUN lines took minutes.  Only CMD/ENTRYPOINT, and RUNs that run one of the cache's
    readers or name a path under its target, can need a cache directory in the image.
    """
    keys = {(m.target, m.ecosystem.name): m.ecosystem for site in sites.values() for m in site.mounts}
    readers: _Readers = {key: [] for key in keys}
    for stage in graph.stages:
        for instr in stage.body:
            if instr.keyword in ("CMD", "ENTRYPOINT"):
                for key in keys:
                    readers[key].append((stage, instr))
                continue
            parsed = shell.run_script(instr) if instr.keyword == "RUN" else None
            if parsed is None:
                continue
            commands = parsed[0].commands
            words = [w.value for command in commands for w in command.words[1:]]
            own = sites.get(instr.start)
            mounted = {m.target for m in own.mounts} if own else set()
            mounted |= {parse_mount(v).get("target", "").rstrip("/") for v in instr.flag_values("mount")
                        if parse_mount(v).get("type") == "cache"}
            for (target, name), eco in keys.items():
                if target in mounted:
                    continue  # a RUN that mounts this cache itself never misses what it holds
                runs_reader = any(inv.matches(c) for c in commands for inv in eco.cache.readers)
                if runs_reader or any(w.startswith(target) for w in words):
                    readers[(target, name)].append((stage, instr))
    return readers


def _needed_elsewhere(graph: StageGraph, site: Site, sites: dict[int, Site], readers: _Readers) -> str | None:
    for mount in site.mounts:
        for stage, instr in readers.get((mount.target, mount.ecosystem.name), []):
            if instr is site.instr or not _related(stage, site.stage):
                continue
            reason = _reads(instr, mount, sites)
            if reason:
                return reason
    for ref in graph.references:
        if ref.kind is not ReferenceKind.COPY or ref.stage is None or not _related(ref.stage, site.stage):
            continue
        for source in _copy_sources(ref.instruction):
            for mount in site.mounts:
                if _under(source, mount.target) or _under(mount.target, source):
                    return (f"COPY --from at line {ref.instruction.first_line} takes {source}, which would be "
                            f"an empty cache mount ({mount.target})")
    return None


def _reads(instr: Instruction, mount: Mount, sites: dict[int, Site]) -> str | None:
    eco = mount.ecosystem
    if instr.keyword in ("CMD", "ENTRYPOINT"):
        argv = parse_json_array(instr.args)
        text = shlex.join(argv) if argv is not None else instr.args
        for command in shell.parse(text).commands:
            if any(inv.matches(command) for inv in eco.cache.runtime_readers):
                return (f"{instr.keyword} at line {instr.first_line} runs `{command.name}` at run time, which "
                        f"needs {mount.target} in the image")
        return None
    if instr.keyword != "RUN":
        return None
    other = sites.get(instr.start)
    if other is not None and any(m.target == mount.target for m in other.mounts):
        return None
    if any(parse_mount(v).get("type") == "cache" and parse_mount(v).get("target", "").rstrip("/") == mount.target
           for v in instr.flag_values("mount")):
        return None
    parsed = shell.run_script(instr)
    if parsed is None:
        return None
    for command in parsed[0].commands:
        if eco.cache.readers and any(inv.matches(command) for inv in eco.cache.readers):
            return (f"line {instr.first_line} also uses {mount.target} without a cache mount and would miss "
                    "what this RUN leaves there")
        if command.program() not in ("mkdir", "chmod", "chown", "ln") and any(
                w.value.startswith(mount.target) and _under(w.value.split("*")[0].rstrip("/") or "/", mount.target)
               for w in command.words[1:]):
            return f"line {instr.first_line} reads {mount.target}, which would be an empty cache mount"
    return None


def _copy_sources(instr: Instruction) -> list[str]:
    argv = parse_json_array(instr.args)
    words = argv if argv is not None else [unquote(w, instr.escape) for w in instr.words()]
    sources = words[:-1]
    return [posixpath.normpath("/" + re.split(r"[*?\[]", s)[0].lstrip("/")) for s in sources]


# ---------------------------------------------------------------------------
# Text edits.


# A one-line RUN keeps one short flag on its line; more, or a long line, breaks as seed 001 does.
_ONE_LINE_LIMIT = 100


def _insert_flags(doc: Document, instr: Instruction, flags: list[str]) -> Edit:
    position = instr.offsets[instr.args_start]
    newline = doc.lines[instr.first_line - 1].end or doc.newline
    continued = doc.line_of(instr.offsets[-1]) > doc.line_of(instr.offsets[0])
    if not continued:
        one_line = "".join(f"{flag} " for flag in flags)
        if len(flags) == 1 and len(instr.logical) + len(one_line) <= _ONE_LINE_LIMIT:
            return Edit(position, position, one_line)
        indent = doc.line_indent(instr) + "    "
        rest = "".join(f"{indent}{flag} {doc.escape}{newline}" for flag in flags[1:])
        return Edit(position, position, f"{flags[0]} {doc.escape}{newline}{rest}{indent}")
    indent = _continuation_indent(doc, instr)
    return Edit(position, position, "".join(f"{flag} {doc.escape}{newline}{indent}" for flag in flags))


def _continuation_indent(doc: Document, instr: Instruction) -> str:
    last = doc.line_of(instr.offsets[-1])
    for number in range(instr.first_line + 1, last + 1):
        body = doc.lines[number - 1].body
        stripped = body.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            return body[: len(body) - len(stripped)] or "    "
    return "    "


def _word_removal(instr: Instruction, start: int, stop: int) -> tuple[int, int]:
    """Document span of a word and the whitespace (and continuations) before it."""
    k = start - 1
    while k >= instr.args_start and instr.logical[k].isspace():
        k -= 1
    doc_start = instr.offsets[k] + 1 if k >= instr.args_start else instr.offsets[start]
    doc_stop = instr.offsets[stop - 1] + 1
    return doc_start, doc_stop


def _link_removal(instr: Instruction, script: shell.Script, index: int) -> tuple[int, int]:
    links = script.chain
    link = links[index]
    if link.operator not in (None, "&&", ";") or (
            index + 1 < len(links) and links[index + 1].operator not in ("&&", ";")):
        raise Declined(f"`{instr.logical[link.start:link.stop]}` is joined by `||` or `&`: left as written")
    if index > 0:
        return instr.offsets[links[index - 1].stop - 1] + 1, instr.offsets[link.stop - 1] + 1
    if len(links) == 1:
        raise Declined("the cleanup is the RUN's only command")
    return instr.offsets[link.start], instr.offsets[links[1].start]


def _remove_assignment(instr: Instruction, command: shell.Command, name: str, eco: Ecosystem) -> Removal:
    head_stop = command.words[0].start if command.words else command.stop
    match = re.search(rf"(?<!\S){re.escape(name)}=(\"[^\"]*\"|'[^']*'|\S*)\s+", instr.logical[command.start:head_stop])
    if match is None:
        raise Declined(f"{name} on the command line could not be located")
    start, stop = command.start + match.start(), command.start + match.end()
    if not instr.is_contiguous(start, stop):
        raise Declined(f"{name} on the command line spans a line continuation")
    doc_start, doc_stop = instr.span(start, stop)
    return Removal(doc_start, doc_stop, match.group(0).strip(), (
        f"it turns {eco.name}'s cache off, which now lives in a cache mount outside the image "
        "(cached wheels from earlier builds may be reused: review)"), Safety.REVIEW)


def _under(path: str, directory: str) -> bool:
    path, directory = path.rstrip("/") or "/", directory.rstrip("/") or "/"
    return path == directory or path.startswith(directory + "/") or directory == "/"
