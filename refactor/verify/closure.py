"""Runtime closure of an image: does what the image runs exist, and can it start?

Checks the exported filesystem of an image against its config: the entrypoint/command
executable exists and is executable; for ELF binaries the program interpreter and every
needed shared library are present (read with pyelftools); a script's `#!` interpreter
exists; a shell exists where a shell-form CMD/ENTRYPOINT/HEALTHCHECK needs one; the script
file an interpreter is given (`python app.py`, `node dist/index.js`, `java -jar app.jar`)
exists.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.segments import InterpSegment

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LIBRARY_DIRS = (
    "/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib",
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
)
SCRIPT_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".jar", ".rb", ".php", ".sh")
INTERPRETERS = ("python", "python3", "node", "ruby", "php", "sh", "bash", "java")


@dataclass
class Closure:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImageFiles:
    """Look-ups in an exported image filesystem (a tar), following symlinks inside the image."""

    def __init__(self, tar_path: Path) -> None:
        self._archive = tarfile.open(tar_path)  # noqa: SIM115 (closed by close())
        self._members = {self._norm(m.name): m for m in self._archive.getmembers()}
        # Directories implied by member paths, for archives without directory entries.
        self._dirs = {posixpath.dirname(p) for p in self._members}
        for directory in list(self._dirs):
            while directory not in ("/", ""):
                directory = posixpath.dirname(directory)
                self._dirs.add(directory)

    def close(self) -> None:
        self._archive.close()

    @staticmethod
    def _norm(name: str) -> str:
        return posixpath.normpath("/" + name.removeprefix("./"))

    def resolve(self, path: str, depth: int = 0) -> tarfile.TarInfo | None:
        """The member at `path` after following symlinks in every component."""
        if depth > 40:
            return None
        parts = [p for p in posixpath.normpath(path).split("/") if p]
        current = "/"
        for index, part in enumerate(parts):
            candidate = posixpath.join(current, part)
            member = self._members.get(candidate)
            if member is None:
                if candidate in self._dirs and index < len(parts) - 1:
                    current = candidate
                    continue
                return None
            if member.issym():
                target = member.linkname
                base = target if target.startswith("/") else posixpath.join(current, target)
                rest = "/".join(parts[index + 1 :])
                return self.resolve(posixpath.join(base, rest) if rest else base, depth + 1)
            if member.islnk():
                member = self._members.get(self._norm(member.linkname), member)
            current = candidate
        return self._members.get(current) if current != "/" else None

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def read(self, path: str, limit: int | None = None) -> bytes | None:
        member = self.resolve(path)
        if member is None or not member.isfile():
            return None
        handle = self._archive.extractfile(member)
        if handle is None:
            return None
        return handle.read(limit) if limit else handle.read()

    def library_dirs(self) -> list[str]:
        dirs = list(LIBRARY_DIRS)
        confs = ["/etc/ld.so.conf", *sorted(p for p in self._members if p.startswith("/etc/ld.so.conf.d/"))]
        for conf in confs:
            data = self.read(conf)
            for line in (data or b"").decode(errors="replace").splitlines():
                line = line.split("#", 1)[0].strip()
                if line.startswith("/"):
                    dirs.append(line)
        return dirs


def check_closure(files: ImageFiles, config: dict[str, Any]) -> Closure:
    closure = Closure()
    env = _env(config)
    workdir = config.get("WorkingDir") or "/"
    argv = list(config.get("Entrypoint") or []) + list(config.get("Cmd") or [])
    if not argv:
        closure.problems.append("the image has neither ENTRYPOINT nor CMD")
        return closure
    _check_command(files, argv, env, workdir, closure, "the command")
    health = (config.get("Healthcheck") or {}).get("Test") or []
    if health and health[0] == "CMD-SHELL":
        _check_executable(files, "/bin/sh", env, workdir, closure, "HEALTHCHECK's shell")
    elif health and health[0] == "CMD" and len(health) > 1:
        _check_command(files, health[1:], env, workdir, closure, "HEALTHCHECK")
    return closure


def _env(config: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in config.get("Env") or []:
        key, _, value = item.partition("=")
        out[key] = value
    return out


def _check_command(files: ImageFiles, argv: list[str], env: dict[str, str], workdir: str, closure: Closure,
                   what: str) -> None:
    path = _check_executable(files, argv[0], env, workdir, closure, what)
    if path is None:
        return
    name = posixpath.basename(argv[0])
    if name.startswith(INTERPRETERS):
        for arg in argv[1:]:
            if arg.startswith("-") or not arg.endswith(SCRIPT_SUFFIXES):
                continue
            script = arg if arg.startswith("/") else posixpath.join(workdir, arg)
            closure.checked.append(script)
            if not files.exists(script):
                closure.problems.append(f"{what} runs {name} on {arg}, which is not in the image")
            break


def _check_executable(files: ImageFiles, program: str, env: dict[str, str], workdir: str, closure: Closure,
                      what: str, depth: int = 0) -> str | None:
    path = _which(files, program, env, workdir)
    if path is None:
        closure.problems.append(f"{what} needs {program}, which is not in the image")
        return None
    closure.checked.append(path)
    member = files.resolve(path)
    if member is None or not member.isfile() or not member.mode & 0o111:
        closure.problems.append(f"{what}: {path} is not an executable file")
        return None
    head = files.read(path, 256) or b""
    if head.startswith(b"\x7fELF"):
        _check_elf(files, path, closure, set())
    elif head.startswith(b"#!") and depth < 4:  # the kernel allows only a few nested interpreters
        line = head[2:].split(b"\n", 1)[0].decode(errors="replace").strip().split()
        interpreters = line[:2] if line and posixpath.basename(line[0]) == "env" else line[:1]
        for interpreter in interpreters:
            if interpreter != path:
                _check_executable(files, interpreter, env, workdir, closure, f"the #! line of {path}", depth + 1)
    return path


def _which(files: ImageFiles, program: str, env: dict[str, str], workdir: str) -> str | None:
    if "/" in program:
        path = program if program.startswith("/") else posixpath.join(workdir, program)
        return posixpath.normpath(path) if files.exists(path) else None
    for directory in env.get("PATH", DEFAULT_PATH).split(":"):
        candidate = posixpath.join(directory or "/", program)
        if files.exists(candidate):
            return candidate
    return None


def _check_elf(files: ImageFiles, path: str, closure: Closure, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    data = files.read(path)
    if data is None:
        return
    try:
        elf = ELFFile(io.BytesIO(data))
        interpreter = next((s.get_interp_name() for s in elf.iter_segments() if isinstance(s, InterpSegment)), None)
        needed: list[str] = []
        search: list[str] = []
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        needed.append(_tag_text(tag, "needed"))
                    elif kind in ("DT_RPATH", "DT_RUNPATH"):
                        raw = _tag_text(tag, "rpath" if kind == "DT_RPATH" else "runpath")
                        search += [p.replace("$ORIGIN", posixpath.dirname(path)) for p in raw.split(":")]
    except ELFError as error:
        closure.problems.append(f"{path} is not a readable ELF file: {error}")
        return
    if interpreter and not files.exists(interpreter):
        closure.problems.append(f"{path} needs the program interpreter {interpreter}, which is not in the image")
    dirs = search + files.library_dirs()
    for library in needed:
        found = next((posixpath.join(d, library) for d in dirs if files.exists(posixpath.join(d, library))), None)
        if found is None:
            closure.problems.append(f"{path} needs {library}, which is not in the image")
        else:
            _check_elf(files, found, closure, seen)


def _tag_text(tag: object, attribute: str) -> str:
    """pyelftools sets DT_NEEDED/DT_RPATH strings as attributes named after the tag."""
    return str(getattr(tag, attribute, ""))
