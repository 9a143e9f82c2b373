"""Go build facts: which `go build` flags take a value and where a build writes its binary.

Shared by split-runtime and parallel-targets, so neither transform imports the other.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from refactor.text.shell import Command

# `go build` flags that take the next word as their value.
GO_VALUE_FLAGS = frozenset({
    "o", "p", "asmflags", "buildmode", "compiler", "gccgoflags", "gcflags", "installsuffix", "ldflags", "mod",
    "modfile", "overlay", "pgo", "pkgdir", "tags", "toolexec", "coverpkg", "covermode", "C",
    "debug-actiongraph", "debug-trace", "debug-runtime-trace",
})
SIMPLE_PATH_RE = re.compile(r"^[A-Za-z0-9._/+@-]+$")


@dataclass(frozen=True)
class BuildOutput:
    """Where a `go build`/`go install` writes its binary, or the fact that keeps it unknown.

    `path` is the literal `-o` path (relative to the RUN's directory unless absolute), or
    with `default_name` set, the package's default binary name, written into the RUN's
    directory by `go build` and into `$GOBIN` (else `$GOPATH/bin`) by `go install`.
    `package` is the one package named (None: the current directory's).
    """

    path: str | None
    problem: str | None = None
    default_name: bool = False
    install: bool = False
    package: str | None = None


_VERSION_SUFFIX_RE = re.compile(r"^v\d+$")


def package_binary_name(package: str) -> str | None:
    """`./cmd/server` -> "server", `example.com/tool/v2@latest` -> "tool"; None for "." or `...`."""
    path = package.split("@", 1)[0].rstrip("/")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if parts and _VERSION_SUFFIX_RE.match(parts[-1]) and len(parts) > 1:
        parts = parts[:-1]
    if not parts or ".." in parts or "..." in parts[-1] or not SIMPLE_PATH_RE.match(parts[-1]):
        return None
    return parts[-1]


def go_build_output(command: Command) -> BuildOutput:
    """Where `go build [-o PATH]` or `go install` writes; anything less certain says why."""
    subcommand = command.words[1].value if len(command.words) > 1 else ""
    if subcommand not in ("build", "install"):
        return BuildOutput(None, "go flags before `build`")
    install = subcommand == "install"
    words = command.words[2:]  # after "go build"
    output: str | None = None
    packages: list[str] = []
    i = 0
    while i < len(words):
        arg, literal = words[i].value, words[i].literal
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.lstrip("-").partition("=")
            value_literal = literal
            if name in GO_VALUE_FLAGS and not eq:
                i += 1
                value = words[i].value if i < len(words) else ""
                value_literal = words[i].literal if i < len(words) else True
            if name == "C":
                return BuildOutput(None, "go build -C changes directory")
            if name == "o":
                if not value_literal:
                    return BuildOutput(None, "go build -o uses a variable")
                output = value
        elif not literal:  # `$FLAGS` may expand to anything, `-o` included
            return BuildOutput(None, "go build arguments use variables or globs")
        else:
            packages.append(arg)
        i += 1
    if len(packages) > 1:
        return BuildOutput(None, f"go {subcommand} of several packages: the binaries' names are not one path")
    package = packages[0] if packages else None
    if install:
        if output is not None:
            return BuildOutput(None, "go install -o is not a documented flag")
        return BuildOutput(None, None, default_name=True, install=True, package=package)
    if output is None:
        return BuildOutput(None, None, default_name=True, package=package)
    if not SIMPLE_PATH_RE.match(output) or output.endswith("/"):
        return BuildOutput(None, f"go build -o {output}: an output directory, not one binary")
    return BuildOutput(output, package=package)


@dataclass(frozen=True)
class Outputs:
    """The binaries one build command writes (absolute, or relative to its directory), or why not known."""

    paths: tuple[str, ...] = ()
    static: bool = False  # linked statically: no libc needed at run time
    problem: str | None = None
    directories: tuple[str, ...] = ()  # directories it writes artifacts into, names not stated (target/)


EnvLookup = Callable[[str], tuple[bool, str | None]]  # (is set, value; None when unknown)
ContextReader = Callable[[str], str | None]  # a build-context file's text, None when absent


def go_module_path(go_mod: str | None) -> str | None:
    """The `module` path a go.mod declares."""
    for line in (go_mod or "").splitlines():
        words = line.split("//", 1)[0].split()
        if len(words) == 2 and words[0] == "module":
            return words[1].strip('"')
    return None


def go_outputs(command: Command, env: EnvLookup, read: ContextReader) -> Outputs:
    """What `go build`/`go install` writes: `-o`, the package's default name, or `$GOBIN`."""
    built = go_build_output(command)
    if built.problem is not None or (built.path is None and not built.default_name):
        return Outputs(problem=built.problem or "the go build output is not known")
    assigned = dict(command.assignments)
    cgo = assigned["CGO_ENABLED"] if "CGO_ENABLED" in assigned else env("CGO_ENABLED")[1]
    static = cgo == "0"
    if not built.default_name:
        assert built.path is not None
        return Outputs((built.path,), static)
    if built.package not in (None, ".", "./"):
        assert built.package is not None
        name = package_binary_name(built.package)
        if name is None:
            return Outputs(problem=f"the binary name of package {built.package} is not known")
    else:
        module = go_module_path(read("go.mod"))
        if module is None:
            return Outputs(problem="the binary is named after go.mod's module path, and go.mod is not in the "
                                   "build context")
        name = package_binary_name(module)
        if name is None:
            return Outputs(problem=f"the binary name of module {module} is not known")
    if not built.install:
        return Outputs((name,), static)
    known, gobin = env("GOBIN")
    if not known or not gobin:
        gopath = env("GOPATH")[1]
        if not gopath or ":" in gopath:
            return Outputs(problem="go install writes to $GOPATH/bin, and GOPATH is not known here")
        gobin = posixpath.join(gopath, "bin")
    return Outputs((posixpath.join(gobin, name),), static)
