"""Go build facts: which `go build` flags take a value and where a build writes its binary.

Shared by split-runtime and parallel-targets, so neither transform imports the other.
"""

from __future__ import annotations

import re
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
    """The literal `-o` path of a `go build`, or the fact that keeps it from being known."""

    path: str | None
    problem: str | None = None


def go_build_output(command: Command) -> BuildOutput:
    """Where `go build ... -o PATH` writes; anything less certain says why it is not known."""
    if len(command.words) < 2 or command.words[1].value != "build":
        return BuildOutput(None, "go flags before `build`")
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
    if output is None:
        return BuildOutput(None, "go build without -o: the output path is not stated")
    if not SIMPLE_PATH_RE.match(output) or output.endswith("/") or len(packages) > 1:
        return BuildOutput(None, f"go build -o {output}: an output directory, not one binary")
    return BuildOutput(output)
