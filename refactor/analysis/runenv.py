"""What a RUN instruction sees: the variables, user (with its passwd entry) and WORKDIR in force.

Walks each stage from its base (a stage it is built FROM, or an image whose documented
facts are in `ecosystems.BASE_IMAGES`) through ENV, ARG, USER, WORKDIR, COPY/ADD and the
accounts that RUN lines create (`useradd`, `adduser`, `groupadd`, `addgroup`).  Values the
file does not determine are `None` ("set, but unknown"), never guessed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from refactor.analysis.stages import Stage, StageGraph
from refactor.facts import ecosystems
from refactor.text import shell
from refactor.text.document import Document, Instruction
from refactor.text.words import arg_pairs, env_pairs, unquote

_VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))|\$\{[^}]*\}")
ROOT = ecosystems.ImageUser("root", 0, 0, "/root")


@dataclass(frozen=True)
class Workdir:
    """The WORKDIR in force: absolute when `anchor` is None, else `path` is under `anchor`.

    `anchor` names a directory the file does not state (the base image's WORKDIR, or a
    WORKDIR whose variable is unknown); two paths under the same anchor still compare.
    """

    path: str = "/"
    anchor: str | None = None

    @property
    def known(self) -> str | None:
        """The absolute directory, or None when it depends on an unstated one."""
        return self.path if self.anchor is None else None

    def join(self, relpath: str) -> Workdir:
        """`WORKDIR relpath` (or a path resolved) from here."""
        if relpath.startswith("/"):
            return Workdir(posixpath.normpath(relpath))
        return Workdir(posixpath.normpath(posixpath.join(self.path, relpath)), self.anchor)

    def resolve(self, relpath: str) -> str:
        """An absolute-looking identity for `relpath` here: equal results mean the same place."""
        joined = self.join(relpath)
        if joined.anchor is None:
            return joined.path
        return posixpath.normpath(f"/.{joined.anchor}{joined.path}")


@dataclass(frozen=True)
class Account:
    """The user a RUN runs as; a field is None when the Dockerfile does not determine it."""

    spec: str  # USER as written and expanded ("root" when the image's default is root)
    uid: int | None
    gid: int | None
    home: str | None
    assumed: bool = False  # the base image is not in the table: root is an assumption

    @property
    def is_root(self) -> bool:
        return self.uid == 0


@dataclass
class RunEnv:
    """The state in force just before one instruction."""

    env: dict[str, str | None] = field(default_factory=dict)  # None: set to an unknown value
    args: set[str] = field(default_factory=set)  # names that come from ARG (--build-arg can change them)
    user: str | None = None  # USER as written; None: the base image's
    workdir: Workdir = field(default_factory=Workdir)
    base: ecosystems.BaseImage | None = None
    base_known: bool = False
    users: dict[str, ecosystems.ImageUser] = field(default_factory=dict)
    groups: dict[str, int | None] = field(default_factory=dict)  # None: created without a fixed gid
    written: list[tuple[str, int]] = field(default_factory=list)  # (path, line): COPY/ADD destinations
    mentioned: list[tuple[str, int]] = field(default_factory=list)  # (path, line): absolute words in RUNs
    configured: list[tuple[str, list[str], int]] = field(default_factory=list)  # `npm config set ...`

    def copy(self) -> RunEnv:
        return replace(self, env=dict(self.env), args=set(self.args), users=dict(self.users),
                       groups=dict(self.groups), written=list(self.written), mentioned=list(self.mentioned),
                       configured=list(self.configured))

    def get(self, name: str) -> tuple[bool, str | None]:
        """(is set, value); the value is None when set to something unknown."""
        return (name in self.env, self.env.get(name))

    def expand(self, text: str) -> str | None:
        """Expand `$VAR`/`${VAR}` with known values; None when any is unknown or uses modifiers."""
        unknown = False

        def sub(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1) or match.group(2)
            value = self.env.get(name) if name else None
            if value is None:  # unset here may still be set by the base image: unknown
                unknown = True
                return ""
            return value

        out = _VAR_RE.sub(sub, text)
        return None if unknown else out

    def account(self) -> Account | None:
        """The user a RUN here runs as, resolved through the passwd entries known here."""
        spec = self.user
        assumed = False
        if spec is None:
            spec = self.base.user if self.base else "root"
            assumed = not self.base_known
        expanded = self.expand(spec)
        if expanded is None:
            return None
        name, _, group = expanded.partition(":")
        entry: ecosystems.ImageUser | None
        uid: int | None
        if name.isdigit():
            uid = int(name)
            entry = next((u for u in self.users.values() if u.uid == uid), None)
        else:
            entry = self.users.get(name)
            uid = entry.uid if entry else None
        gid = entry.gid if entry else None
        if group:
            gid = int(group) if group.isdigit() else self.groups.get(group)
        home = entry.home if entry else None
        known, env_home = self.get("HOME")
        if known:
            home = env_home
        return Account(expanded, uid, gid, home, assumed)


def analyse(doc: Document, graph: StageGraph | None = None) -> dict[int, RunEnv]:
    """The state before every instruction of every stage, keyed by the instruction's start offset."""
    graph = graph or StageGraph.build(doc)
    ends: dict[int, RunEnv] = {}
    out: dict[int, RunEnv] = {}
    for stage in graph.stages:
        state = _initial(stage, graph, ends)
        for instr in stage.body:
            out[instr.start] = state.copy()
            _step(state, instr, graph)
        ends[stage.index] = state
    return out


def _initial(stage: Stage, graph: StageGraph, ends: dict[int, RunEnv]) -> RunEnv:
    if stage.base_stage is not None and stage.base_stage.index in ends:
        state = ends[stage.base_stage.index].copy()
        state.args = set()
        state.env = {k: v for k, v in state.env.items() if k not in ends[stage.base_stage.index].args}
        return state
    base = ecosystems.base_image(graph.expand(stage.base))
    scratch = graph.expand(stage.base).lower() == "scratch"
    state = RunEnv(base=base, base_known=base is not None or scratch)
    if not scratch and (base is None or base.workdir is None):
        state.workdir = Workdir("/", "base-workdir")
    elif base is not None and base.workdir is not None:
        state.workdir = Workdir(base.workdir)
    state.users = {"root": ROOT}
    state.groups = {"root": 0}
    if base is not None:
        state.env.update(dict(base.env))
        for user in base.users:
            state.users[user.name] = user
            state.groups.setdefault(user.name, user.gid)
    return state


def _step(state: RunEnv, instr: Instruction, graph: StageGraph) -> None:
    keyword, escape = instr.keyword, instr.escape
    if keyword == "ENV":
        for name, value in env_pairs(instr.args, escape):
            state.env[name] = state.expand(value)
            state.args.discard(name)
    elif keyword == "ARG":
        for name, default in arg_pairs(instr.args, escape):
            if name in state.env and name not in state.args:
                continue  # ENV wins over ARG
            if default is not None:
                state.env[name] = state.expand(default)
            else:
                state.env[name] = graph.global_args.get(name)
            state.args.add(name)
    elif keyword == "USER":
        state.user = instr.args.strip()
    elif keyword == "WORKDIR":
        path = state.expand(unquote(instr.args.strip(), escape))
        if path is None:
            state.workdir = Workdir("/", f"workdir-line-{instr.first_line}")
        elif path:
            state.workdir = state.workdir.join(path)
    elif keyword in ("COPY", "ADD"):
        words = instr.words()
        if words and not instr.is_json:
            dest = state.expand(unquote(words[-1], escape))
            if dest is not None:
                # under an unstated WORKDIR, "/" is the likely one (and where a cache dir would be hit)
                state.written.append((state.workdir.join(dest).path, instr.first_line))
    elif keyword == "RUN":
        parsed = shell.run_script(instr)
        if parsed is None:
            return
        for command in parsed[0].commands:
            _account_command(state, command)
            _config_command(state, command, instr.first_line)
            if command.program() in ("mkdir", "chmod", "chown"):
                continue
            for arg in command.words[1:]:
                if arg.value.startswith(("/", "~")):
                    state.mentioned.append((arg.value, instr.first_line))


def _config_command(state: RunEnv, command: shell.Command, line: int) -> None:
    """`npm config set cache /x`, `go env -w GOCACHE=/x`: tool settings written into the image."""
    program, positional = ecosystems.normalise(command)
    setting = ecosystems.config_command_env(command)
    if setting is not None:
        state.env[setting[0]] = setting[1]
    if positional[:1] == ["config"] or (program == "go" and positional[:1] == ["env"] and "-w" in command.args):
        state.configured.append((program, command.args, line))


# useradd/adduser/groupadd options that take a value, per tool and style.
_USERADD_VALUES = {"-d", "--home-dir", "-u", "--uid", "-g", "--gid", "-G", "--groups", "-s", "--shell",
                   "-c", "--comment", "-k", "--skel", "-K", "--key", "-e", "--expiredate", "-f",
                   "--inactive", "-p", "--password", "-b", "--base-dir", "-Z", "--selinux-user",
                   "-R", "--root", "-P", "--prefix"}
_BUSYBOX_ADDUSER_VALUES = {"-h", "-g", "-s", "-G", "-u", "-k"}
_DEBIAN_ADDUSER_VALUES = {"--home", "--uid", "--gid", "--ingroup", "--gecos", "--shell", "--firstuid",
                          "--lastuid", "--add_extra_groups", "--conf", "--comment"}


def _options(args: list[str], with_values: set[str]) -> tuple[dict[str, str], list[str]]:
    opts: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "=" in arg:
            key, _, value = arg.partition("=")
            opts[key] = value
        elif arg in with_values and i + 1 < len(args):
            opts[arg] = args[i + 1]
            i += 1
        elif arg.startswith("-") and len(arg) > 2 and not arg.startswith("--") and arg[:2] in with_values:
            opts[arg[:2]] = arg[2:]
        elif arg.startswith("-"):
            opts[arg] = ""
        else:
            positional.append(arg)
        i += 1
    return opts, positional


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _account_command(state: RunEnv, command: shell.Command) -> None:
    program = command.program()
    if not all(w.literal for w in command.words):
        return
    args = command.args
    if program in ("groupadd", "addgroup"):
        opts, positional = _options(args, {"-g", "--gid", "-K", "-p", "-R", "-P"})
        if positional:
            gid = _int(opts.get("-g") or opts.get("--gid"))
            if gid is not None:
                state.groups[positional[0]] = gid
        return
    if program == "useradd":
        opts, positional = _options(args, _USERADD_VALUES)
        if not positional:
            return
        name = positional[-1]
        home = opts.get("-d") or opts.get("--home-dir")
        base = opts.get("-b") or opts.get("--base-dir") or "/home"
        uid = _int(opts.get("-u") or opts.get("--uid"))
        group = opts.get("-g") or opts.get("--gid")
    elif program == "adduser":
        debian = any(a.startswith("--") for a in args)
        opts, positional = _options(args, _DEBIAN_ADDUSER_VALUES if debian else _BUSYBOX_ADDUSER_VALUES)
        if not positional:
            return
        name = positional[0]
        base = "/home"
        if debian:
            home = opts.get("--home")
            if home is None and "--system" in opts:
                return  # Debian's adduser gives system users /nonexistent unless --home: unknown here
            uid = _int(opts.get("--uid"))
            group = opts.get("--gid") or opts.get("--ingroup")
        else:
            home = opts.get("-h")
            uid = _int(opts.get("-u"))
            group = opts.get("-G") or (positional[1] if len(positional) > 1 else None)
    else:
        return
    gid = (int(group) if group.isdigit() else state.groups.get(group)) if group is not None else None
    # Without a fixed uid the number depends on the image's passwd: the account is known
    # by name (uid None), but a mount cannot be made writable for it.
    state.users[name] = ecosystems.ImageUser(name, uid, gid, home or posixpath.join(base, name))
    if uid is not None and group is None:
        state.groups.setdefault(name, None)
