"""Cargo build facts: where `cargo build` and `cargo install` write a package's binaries.

Binary names come from Cargo.toml (`[[bin]]` names, else the package name), read with
the standard library's TOML parser; nothing is run.
"""

from __future__ import annotations

import posixpath
import tomllib

from refactor.facts.gobuild import ContextReader, EnvLookup, Outputs
from refactor.text.shell import Command

# `cargo build` options that take the next word as their value.
_VALUE_OPTIONS = frozenset({"--bin", "--target", "--profile", "--features", "-F", "--jobs", "-j", "--target-dir",
                            "--manifest-path", "-p", "--package", "--root", "--path", "--color", "--config", "-Z",
                            "--example", "--message-format", "--exclude", "--version", "--git", "--branch",
                            "--tag", "--rev", "--index", "--registry"})
_UNSUPPORTED = {"--manifest-path": "cargo --manifest-path builds a package elsewhere",
                "-p": "cargo -p selects a workspace member", "--package": "cargo --package selects a workspace member",
                "--workspace": "cargo --workspace builds every member", "--example": "cargo --example builds examples",
                "--examples": "cargo --examples builds examples", "--git": "cargo install --git builds remote code",
                "--all": "cargo --all builds every member"}


def binary_names(cargo_toml: str | None) -> list[str] | str:
    """The package's binaries (`[[bin]]` names, else the package name), or why they are not known."""
    if cargo_toml is None:
        return "Cargo.toml is not in the build context, so the binary names are not known"
    try:
        data = tomllib.loads(cargo_toml)
    except tomllib.TOMLDecodeError:
        return "Cargo.toml does not parse"
    package = data.get("package")
    if not isinstance(package, dict):
        return "Cargo.toml is a workspace without a package: which member builds is not known"
    bins = data.get("bin")
    if isinstance(bins, list) and bins:
        names = [b.get("name") for b in bins if isinstance(b, dict)]
        if not all(isinstance(n, str) for n in names):
            return "a [[bin]] section has no name"
        return [str(n) for n in names]
    name = package.get("name")
    if not isinstance(name, str) or "{" in name:
        return "the package name in Cargo.toml is not a literal"
    return [name]


def cargo_outputs(command: Command, env: EnvLookup, read: ContextReader) -> Outputs:
    """What `cargo build [--release]` (target/<profile>/) or `cargo install --path` ($CARGO_HOME/bin) writes."""
    words = command.words[1:]
    subcommand = next((w.value for w in words if not w.value.startswith("-")), "")
    if subcommand not in ("build", "install"):
        return Outputs(problem=f"cargo {subcommand} is not a build")
    options: dict[str, list[str]] = {}
    index = [w.value for w in words].index(subcommand) + 1
    rest = words[index:]
    i = 0
    while i < len(rest):
        word = rest[i]
        if not word.literal:
            return Outputs(problem="cargo arguments use variables")
        name, eq, value = word.value.partition("=")
        if name in _UNSUPPORTED:
            return Outputs(problem=_UNSUPPORTED[name])
        if name in _VALUE_OPTIONS and not eq:
            i += 1
            value = rest[i].value if i < len(rest) else ""
        options.setdefault(name, []).append(value)
        i += 1
    names = binary_names(read("Cargo.toml"))
    if isinstance(names, str):
        return Outputs(problem=names)
    if "--bin" in options:
        unknown = [n for n in options["--bin"] if n not in names]
        if unknown:
            return Outputs(problem=f"--bin {unknown[0]} is not a binary Cargo.toml declares")
        names = options["--bin"]
    target = options.get("--target", [""])[-1]
    static = "musl" in target
    if subcommand == "install":
        if options.get("--path", [""])[-1] not in (".", "./"):
            return Outputs(problem="cargo install of anything but the context's package (--path .)")
        root = options.get("--root", [""])[-1]
        if not root:
            known, root_env = env("CARGO_INSTALL_ROOT")
            root = (root_env or "") if known else ""
        if not root:
            home = env("CARGO_HOME")[1]
            if not home:
                return Outputs(problem="cargo install writes to $CARGO_HOME/bin, and CARGO_HOME is not known here")
            root = home
        return Outputs(tuple(posixpath.join(root, "bin", n) for n in names), static)
    profile = options.get("--profile", ["release" if "--release" in options or "-r" in options else "dev"])[-1]
    directory = {"dev": "debug", "test": "debug", "bench": "release"}.get(profile, profile)
    target_dir = options.get("--target-dir", [""])[-1]
    if not target_dir:
        known, from_env = env("CARGO_TARGET_DIR")
        if known and not from_env:
            return Outputs(problem="CARGO_TARGET_DIR is set to a value not known here")
        target_dir = from_env or "target"
    base = posixpath.join(target_dir, target, directory) if target else posixpath.join(target_dir, directory)
    return Outputs(tuple(posixpath.join(base, n) for n in names), static)
