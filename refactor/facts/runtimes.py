"""Runtime-base facts for split-runtime: which slim image runs what a builder image built.

One place for what an expert knows about base images: which Alpine release a `golang`
tag ships, which Debian release (and so which glibc) a tag is built on, which runtime
bases have a shell, CA certificates or time-zone data, and which packages a build
installs only to build.  Transforms read these facts; none keeps its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from refactor.facts import cargo, dotnet, gobuild, images, jvm
from refactor.text.shell import Command

# The Alpine release the newest `golang:<minor>-alpine` tag ships (Docker Hub, as of
# TABLE_DATE).  musl is forward compatible, so a binary built on an earlier patch's
# (older) Alpine also runs there.
TABLE_DATE = "2026-11"
GO_ALPINE_RELEASES: dict[str, str] = {
    "1.15": "3.14", "1.16": "3.15", "1.17": "3.16", "1.18": "3.17", "1.19": "3.18", "1.20": "3.19",
    "1.21": "3.20", "1.22": "3.21", "1.23": "3.22", "1.24": "3.22", "1.25": "3.22",
}
# The Debian release of the default (unsuffixed) `golang:<minor>` tags: the glibc a cgo
# binary needs at least.  Minors not listed (newer, or `latest`) are not known.
GO_DEFAULT_DEBIAN: dict[str, str] = {
    "1.15": "buster", "1.16": "bullseye", "1.17": "bullseye", "1.18": "bullseye", "1.19": "bookworm",
    "1.20": "bookworm", "1.21": "bookworm", "1.22": "bookworm", "1.23": "bookworm",
}
# The same for `rust:<minor>`: 1.71 (July 2023) was the first on bookworm; 1.89 on trixie.
RUST_DEFAULT_DEBIAN: dict[str, str] = {
    **{f"1.{n}": "bullseye" for n in range(56, 71)}, **{f"1.{n}": "bookworm" for n in range(71, 89)},
}
DEBIAN_NUMBERS: dict[str, str] = {"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13"}
# Distroless publishes images for these Debian releases.
DISTROLESS_DEBIAN = frozenset({"11", "12", "13"})

# Packages a build installs only to build (compilers, VCS, headers, build tools): the
# runtime image does not need them.  `-dev`/`-devel` packages are build-only by name.
BUILD_ONLY_PACKAGES = frozenset({
    "git", "make", "gcc", "g++", "clang", "musl-dev", "libc-dev", "libc6-dev", "build-base", "build-essential",
    "binutils", "upx", "bash", "curl", "wget", "openssh-client", "openssh", "pkgconfig", "pkg-config", "pkgconf",
    "protobuf", "protobuf-compiler", "protoc", "linux-headers", "gnupg", "unzip", "xz-utils", "zip", "tar",
    "patch", "file", "jq", "mercurial", "bzr", "subversion", "cmake", "autoconf", "automake", "libtool",
    "ca-certificates", "tzdata",
})
# Packages whose files the runtime may need, and how the runtime stage gets them when
# its base lacks them: the files are copied from the builder.
RUNTIME_DATA: dict[str, tuple[str, ...]] = {
    "ca-certificates": ("/etc/ssl/certs/ca-certificates.crt",),
    "tzdata": ("/usr/share/zoneinfo",),
}


# Programs a build runs that leave nothing the program needs at run time (their files
# stay in the builder); QUIET ones are not worth naming in the rationale.
BUILD_STEP_PROGRAMS = frozenset({
    "make", "git", "upx", "rm", "mkdir", "cd", "echo", "printf", "ls", "true", "set", "export", "env", "which",
    "test", "[", "go", "protoc", "apt-get", "apk", "cargo", "rustup", "rustc",
})
QUIET_STEP_PROGRAMS = frozenset({"rm", "mkdir", "cd", "echo", "printf", "ls", "true", "set", "export", "env",
                                 "which", "test", "["})
# Package-manager commands that install packages: (program, subcommand) and that only
# refresh indexes.
_INSTALLING = {("apt-get", "install"), ("apk", "add")}
_REFRESHING = {("apt-get", "update"), ("apk", "update"), ("apt-get", "clean"), ("apk", "cache")}
# What the builder images themselves contain of RUNTIME_DATA (the official images do).
_BUILDER_DATA: tuple[tuple[str, frozenset[str]], ...] = (
    ("alpine", frozenset({"ca-certificates"})),
    ("", frozenset({"ca-certificates", "tzdata"})),  # Debian-based golang images
)


def installed_packages(program: str, positional: list[str]) -> list[str] | None:
    """The packages `apt-get install`/`apk add` installs ([] for `update`); None for other commands."""
    key = (program, positional[0] if positional else "")
    if key in _REFRESHING:
        return []
    if key in _INSTALLING:
        return positional[1:]
    return None


def builder_data(builder: str) -> frozenset[str]:
    """The RUNTIME_DATA entries (CA certificates, time zones) a builder image already has."""
    tag = images.tag(builder)
    for marker, data in _BUILDER_DATA:
        if marker in tag:
            return data
    return frozenset()


Finder = Callable[[Command, gobuild.EnvLookup, gobuild.ContextReader], gobuild.Outputs]


@dataclass(frozen=True)
class Toolchain:
    """A compiled ecosystem: its builder images, build commands, sources and runtime needs."""

    name: str
    images: tuple[str, ...]  # builder repositories (`golang`), matched without registry or tag
    programs: tuple[str, ...]  # the build tools (`go`; `javac`, `jar`, `mvn`, `gradle`)
    builds: tuple[str, ...]  # their subcommands that write artifacts (empty: `outputs` decides)
    outputs: Finder  # where one such command writes
    sources: re.Pattern[str]  # context files the program does not read at run time
    source_suffix: str  # files whose string literals may name data files
    build_env: tuple[str, ...]  # ENV name prefixes that only configure the build
    tools: tuple[str, ...]  # programs of the toolchain image (never the artifact)
    default_debian: dict[str, str] = field(default_factory=dict)  # builder minor -> Debian release
    alpine_releases: dict[str, str] = field(default_factory=dict)  # builder minor -> Alpine release
    dynamic_needs_cc: bool = False  # a dynamically linked binary also needs libgcc_s (Rust's unwinder)
    launchers: tuple[str, ...] = ()  # runtime programs that run the artifact named after `-jar` (`java`)
    # Interpreted ecosystems: the builder installs into this environment (a venv), which the
    # runtime stage copies with every source COPY's destination; the command may run any
    # program on PATH there (console scripts).
    environment: str | None = None
    copies_app: bool = False  # the runtime copies every source COPY destination from the builder
    # The command that ends the builder (`npm prune --omit=dev`): {major} is the image's major version.
    finish: Callable[[str], str] | None = None
    image_users: tuple[str, ...] = ()  # users the builder image and its runtime variant both have
    launch_flag: str | None = None  # the launcher's option before the artifact (`-jar`); None: first argument
    launch_directory: bool = False  # the launched artifact needs its whole output directory (.NET)
    runtime: Callable[[Toolchain, str, bool, bool, bool], Runtime | str] | None = None  # default: native

    def is_build(self, program: str, positional: list[str]) -> bool:
        """`program positional...` may write an artifact of this toolchain."""
        return program in self.programs and (not self.builds or (bool(positional) and positional[0] in self.builds))

    def choose_runtime(self, builder: str, static: bool, needs_shell: bool, cxx: bool) -> Runtime | str:
        return (self.runtime or runtime_for)(self, builder, static, needs_shell, cxx)


GO = Toolchain(
    name="go", images=("golang",), programs=("go",), builds=("build", "install"), outputs=gobuild.go_outputs,
    sources=re.compile(r"(^|/)(go\.(mod|sum|work|work\.sum)|[^/]*\.go|\.dockerignore|\.gitignore|\.gitattributes"
                       r"|Dockerfile[^/]*|[^/]*\.Dockerfile|README[^/]*|LICEN[CS]E[^/]*|[^/]*\.md)$"
                       r"|(^|/)(\.git|vendor|testdata)/"),
    source_suffix=".go", build_env=("GO", "CGO_"), tools=("go", "gofmt"), default_debian=GO_DEFAULT_DEBIAN,
    alpine_releases=GO_ALPINE_RELEASES,
)
RUST = Toolchain(
    name="rust", images=("rust",), programs=("cargo",), builds=("build", "install"), outputs=cargo.cargo_outputs,
    sources=re.compile(r"(^|/)(Cargo\.(toml|lock)|[^/]*\.rs|rust-toolchain(\.toml)?|\.dockerignore|\.gitignore"
                       r"|\.gitattributes|Dockerfile[^/]*|[^/]*\.Dockerfile|README[^/]*|LICEN[CS]E[^/]*|[^/]*\.md)$"
                       r"|(^|/)(\.git|\.cargo|target|benches|tests|examples)/"),
    source_suffix=".rs", build_env=("CARGO_", "RUST"), tools=("cargo", "rustc", "rustup"),
    default_debian=RUST_DEFAULT_DEBIAN, dynamic_needs_cc=True,
)


def jre_runtime(chain: Toolchain, builder: str, static: bool, needs_shell: bool, cxx: bool) -> Runtime | str:
    """The JRE of the builder's Java major and OS variant (Eclipse Temurin's official images)."""
    image = jvm.jre_image(builder)
    if image is None:
        return f"no JRE image is known for {builder}"
    return Runtime(image, True, frozenset({"ca-certificates", "tzdata"}), "temurin-jre")


JAVA = Toolchain(
    name="java", images=("eclipse-temurin", "maven", "gradle", "openjdk"),
    programs=("javac", "jar", "mvn", "gradle"), builds=(), outputs=jvm.jvm_outputs,
    sources=re.compile(r"(^|/)(pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradle\.properties|gradlew"
                       r"(\.bat)?|mvnw(\.cmd)?|[^/]*\.(java|kt|kts|groovy|scala)|\.dockerignore|\.gitignore"
                       r"|\.gitattributes|Dockerfile[^/]*|[^/]*\.Dockerfile|README[^/]*|LICEN[CS]E[^/]*|[^/]*\.md)$"
                       r"|(^|/)(\.git|\.mvn|gradle|\.gradle|src/test|src/main/resources|target|build)/"),
    source_suffix=".java", build_env=("MAVEN_", "GRADLE_", "JAVA_TOOL"), tools=("javac", "jar", "mvn", "gradle"),
    launchers=("java",), runtime=jre_runtime, launch_flag="-jar",
)


def python_runtime(chain: Toolchain, builder: str, static: bool, needs_shell: bool, cxx: bool) -> Runtime | str:
    """The slim variant of the builder's Python image (same version, so the venv's python resolves)."""
    image = slim_python(builder)
    if image is None:
        return f"no slim variant of {builder} is known"
    return Runtime(image, True, frozenset({"ca-certificates", "tzdata"}), "python-slim")


def slim_python(builder: str) -> str | None:
    """`python:3.11` -> `python:3.11-slim`, `python:3.11-bookworm` -> `python:3.11-slim-bookworm`."""
    ref = images.parse(builder)
    if not images.parse(builder.lower()).official or ref.name.lower() != "python":
        return None
    repository, tag = ref.name, ref.tag or images.DEFAULT_TAG
    if "alpine" in tag or "windows" in tag:
        return None
    if "slim" in tag:
        return f"{repository}:{tag}"
    version, _, variant = tag.partition("-")
    if version == "latest":
        return f"{repository}:slim"
    if not re.fullmatch(r"\d+(\.\d+){0,2}", version) or (variant and variant not in DEBIAN_NUMBERS):
        return None
    return f"{repository}:{version}-slim" + (f"-{variant}" if variant else "")


def pip_outputs(command: Command, env: gobuild.EnvLookup, read: gobuild.ContextReader) -> gobuild.Outputs:
    """`pip install` into the active venv: options that install elsewhere are not followed."""
    for word in command.words:
        option = word.value.split("=", 1)[0]
        if option in ("--user", "--target", "-t", "--prefix", "--root", "-e", "--editable"):
            return gobuild.Outputs(problem=f"pip install {option} installs outside the virtual environment")
    return gobuild.Outputs()


PYTHON = Toolchain(
    name="python", images=("python",), programs=("pip",), builds=("install",), outputs=pip_outputs,
    sources=re.compile(r"$^"), source_suffix=".py", build_env=("PIP_",), tools=(),
    runtime=python_runtime, environment="/opt/venv", copies_app=True,
)


def slim_variant(builder: str, repository: str) -> str | None:
    """`node:18` -> `node:18-slim`, `node:18-bookworm` -> `node:18-bookworm-slim`; alpine/slim stay."""
    ref = images.parse(builder)
    if not images.parse(builder.lower()).official or ref.name.lower() != repository:
        return None
    name, tag = ref.name, ref.tag or images.DEFAULT_TAG
    if "slim" in tag or "alpine" in tag:
        return f"{name}:{tag}"
    if tag == "latest":
        return f"{name}:slim"
    return f"{name}:{tag}-slim"


def node_runtime(chain: Toolchain, builder: str, static: bool, needs_shell: bool, cxx: bool) -> Runtime | str:
    image = slim_variant(builder, "node")
    if image is None:
        return f"no slim variant of {builder} is known"
    return Runtime(image, True, frozenset({"ca-certificates", "tzdata"}), "node-slim")


def npm_prune(builder: str) -> str:
    """Drop devDependencies after the build: `--omit=dev` since npm 7 (Node 15), `--production` before."""
    major = go_minor(builder)
    return "npm prune --production" if major and int(major.split(".")[0]) < 16 else "npm prune --omit=dev"


def npm_outputs(command: Command, env: gobuild.EnvLookup, read: gobuild.ContextReader) -> gobuild.Outputs:
    """`npm ci`/`npm install` write node_modules in the app directory; a global install does not."""
    if any(w.value in ("-g", "--global", "--location=global") for w in command.words):
        return gobuild.Outputs(problem="npm install -g installs outside the app directory")
    return gobuild.Outputs()


NODE = Toolchain(
    name="node", images=("node",), programs=("npm",), builds=("ci", "install", "i"), outputs=npm_outputs,
    sources=re.compile(r"$^"), source_suffix=".js", build_env=("NPM_CONFIG_", "npm_config_"), tools=(),
    runtime=node_runtime, copies_app=True, finish=npm_prune, image_users=("node",),
)


def dotnet_runtime(chain: Toolchain, builder: str, static: bool, needs_shell: bool, cxx: bool) -> Runtime | str:
    """The ASP.NET Core runtime image of the SDK's version and variant (it also runs console apps)."""
    if is_windows(builder):
        return f"{builder} is a Windows image; no Linux runtime base applies"
    image = dotnet.runtime_image(builder)
    if image is None:
        return f"no .NET runtime image is known for {builder}"
    return Runtime(image, "chiseled" not in image, frozenset({"ca-certificates", "tzdata"}), "dotnet")


DOTNET = Toolchain(
    name="dotnet", images=("mcr.microsoft.com/dotnet/sdk",), programs=("dotnet",), builds=("publish",),
    outputs=dotnet.dotnet_outputs,
    # publish copies appsettings*.json, wwwroot/ and content files into its output directory
    sources=re.compile(r"(^|/)([^/]*\.(cs|fs|vb|csproj|fsproj|vbproj|sln|props|targets|razor|cshtml)|NuGet\.config"
                       r"|global\.json|appsettings[^/]*\.json|\.dockerignore|\.gitignore|\.gitattributes"
                       r"|Dockerfile[^/]*|[^/]*\.Dockerfile|README[^/]*|LICEN[CS]E[^/]*|[^/]*\.md)$"
                       r"|(^|/)(\.git|bin|obj|wwwroot|Properties)/"),
    source_suffix=".cs",
    build_env=("DOTNET_", "NUGET_"), tools=(), launchers=("dotnet",), runtime=dotnet_runtime,
    image_users=("app",), launch_directory=True,
)
TOOLCHAINS: tuple[Toolchain, ...] = (GO, RUST, JAVA, PYTHON, NODE, DOTNET)


def toolchain(builder: str) -> Toolchain | None:
    """The toolchain whose image `builder` is (`docker.io/library/golang:1.22` -> GO)."""
    name = images.parse(builder.lower()).short
    return next((t for t in TOOLCHAINS if name in t.images), None)


# Typical uncompressed sizes (MB) of the official images, as of TABLE_DATE: the saving a
# rationale states.  Builders: (Debian-based tag, alpine tag).
RUNTIME_MB: dict[str, int] = {
    "alpine": 8, "debian": 75, "distroless-static": 2, "distroless-base": 20, "distroless-cc": 23,
    "temurin-jre": 270, "python-slim": 130, "node-slim": 200, "dotnet": 220,
}
BUILDER_MB: dict[str, tuple[int, int]] = {
    "go": (850, 250), "rust": (1450, 850), "java": (450, 340), "python": (1000, 60), "node": (1100, 140),
    "dotnet": (850, 700),
}


def expected_saving(chain_name: str, builder: str, runtime_family: str) -> str:
    """`about 850 MB -> 20 MB` for the official images, or "" when the table has no row."""
    sizes = BUILDER_MB.get(chain_name)
    runtime = RUNTIME_MB.get(runtime_family)
    if sizes is None or runtime is None:
        return ""
    alpine = "alpine" in images.tag(builder).lower()
    before = sizes[1] if alpine else sizes[0]

    return f"about {before} MB -> {runtime} MB plus the app for the official images ({TABLE_DATE})"


@dataclass(frozen=True)
class Runtime:
    """A runtime base image and what it brings."""

    image: str
    shell: bool  # has /bin/sh: a shell-form CMD/ENTRYPOINT still runs
    provides: frozenset[str]  # entries of RUNTIME_DATA already in the image
    family: str  # "alpine", "debian", "distroless-static", "distroless-base", "distroless-cc"


_ALPINE_RE = re.compile(r"alpine(\d+\.\d+)")
_GO_MINOR_RE = re.compile(r"^(\d+\.\d+)")


def go_minor(reference: str) -> str | None:
    """`golang:1.22.3-alpine3.20` -> "1.22"; None for `latest` or a tag without a version."""
    match = _GO_MINOR_RE.match(images.tag(reference))
    return match.group(1) if match else None


def alpine_release(reference: str, table: dict[str, str] = GO_ALPINE_RELEASES) -> str | None:
    """The Alpine release an alpine builder tag is built on: named in the tag, or from the table."""
    tag = images.tag(reference)
    named = _ALPINE_RE.search(tag)
    if named:
        return named.group(1)
    minor = go_minor(reference)
    return table.get(minor) if minor else None


def debian_release(reference: str, defaults: dict[str, str] = GO_DEFAULT_DEBIAN) -> str | None:
    """The Debian release name a Debian-based builder tag is built on, when it is known."""
    tag = images.tag(reference)
    for name in DEBIAN_NUMBERS:
        if name in tag:
            return name
    minor = go_minor(reference)
    return defaults.get(minor) if minor else None


def is_windows(reference: str) -> bool:
    tag = images.tag(reference)
    return "windowsservercore" in tag or "nanoserver" in tag or "windows" in reference.lower()


def go_runtime(builder: str, static: bool, needs_shell: bool, cxx: bool = False) -> Runtime | str:
    """The runtime base for a Go binary built on `builder`."""
    return runtime_for(GO, builder, static, needs_shell, cxx)


def runtime_for(chain: Toolchain, builder: str, static: bool, needs_shell: bool,
                cxx: bool = False) -> Runtime | str:
    """The runtime base for a binary `chain` built on `builder`, or the fact that rules each out."""
    if is_windows(builder):
        return f"{builder} is a Windows image; no Linux runtime base applies"
    if "alpine" in images.tag(builder):
        alpine = alpine_release(builder, chain.alpine_releases)
        image = f"alpine:{alpine}" if alpine else "alpine:latest"
        return Runtime(image, True, frozenset({"ca-certificates"}), "alpine")
    release = debian_release(builder, chain.default_debian)
    number = DEBIAN_NUMBERS.get(release or "")
    cxx = cxx or (chain.dynamic_needs_cc and not static)
    if needs_shell:
        if release is None:
            return f"the Debian release of {builder} is not known, so no slim base with a shell can be chosen"
        return Runtime(f"debian:{release}-slim", True, frozenset(), "debian")
    if static:
        return Runtime("gcr.io/distroless/static-debian12", False, frozenset({"ca-certificates", "tzdata"}),
                       "distroless-static")
    if number is None or number not in DISTROLESS_DEBIAN:
        what = f"Debian {release}" if release else "an unknown Debian release"
        return f"{builder} is built on {what}; no glibc runtime base is known to match a dynamically linked binary"
    flavour = "cc" if cxx else "base"
    return Runtime(f"gcr.io/distroless/{flavour}-debian{number}", False,
                   frozenset({"ca-certificates", "tzdata"}), f"distroless-{flavour}")


# Development packages of the C library itself (and meta-packages of compilers): a cgo
# binary built with them links nothing the runtime's libc lacks.
LIBC_DEV_PACKAGES = frozenset({"musl-dev", "libc-dev", "libc6-dev", "linux-headers", "build-base",
                               "build-essential", "gcc", "g++", "clang", "python3-dev", "libpython3-dev",
                               "python-dev-is-python3"})


def _package_base(name: str) -> str:
    return name.split("=", 1)[0].split(":", 1)[0].lower()


def package_provides_libraries(name: str) -> bool:
    """A `-dev` package of a library other than libc: a cgo binary may link its shared objects."""
    base = _package_base(name)
    return base.endswith(("-dev", "-devel")) and base not in LIBC_DEV_PACKAGES


def package_is_build_only(name: str) -> bool:
    """Whether a build installs `name` only to build (see BUILD_ONLY_PACKAGES)."""
    base = name.split("=", 1)[0].split(":", 1)[0].lower()
    return base in BUILD_ONLY_PACKAGES or base.endswith(("-dev", "-devel", "-headers"))
