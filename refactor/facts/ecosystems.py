"""The one table of ecosystem facts: manifests, install and build commands, cache dirs, artifacts.

Every transform reads these facts from here instead of keeping its own if-chains,
so teaching the tool a new package manager is one entry in `ECOSYSTEMS`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from refactor.facts import images
from refactor.text.shell import Command


@dataclass(frozen=True)
class Invocation:
    """A tool invocation: a program (after normalising aliases) and leading positional words.

    `subcommand=()` matches the program with any arguments; `bare=True` additionally
    requires that no further positional arguments follow (`npm install` but not
    `npm install left-pad`).
    """

    program: str
    subcommand: tuple[str, ...] = ()
    bare: bool = False

    def matches(self, command: Command) -> bool:
        return self.matches_normalised(*normalise(command))

    def matches_normalised(self, program: str, positional: list[str]) -> bool:
        """`matches` for a command already passed through `normalise` (once, not per invocation)."""
        if program != self.program or positional[: len(self.subcommand)] != list(self.subcommand):
            return False
        return not (self.bare and len(positional) > len(self.subcommand))


@dataclass(frozen=True)
class Cache:
    """A directory a tool downloads or compiles into, and what relocates it.

    The tool's own lookup order: the first of `env` that is set is the directory; else
    the first of `under` whose variable is set gives `$VAR/subdir`; else `root_target`
    when the user is root (yarn's /usr/local/share/.cache); else `target`.
    """

    target: str  # absolute, or under "~" (the running user's HOME)
    env: tuple[str, ...] = ()  # variables that move it (the first one set wins)
    sharing: str | None = None  # "locked" where the tool cannot share the dir concurrently
    under: tuple[tuple[str, str], ...] = ()  # (VAR, subdir): `$GOPATH/pkg/mod`, `$XDG_CACHE_HOME/pip`
    root_target: str | None = None  # where the tool puts it for uid 0, when that differs


@dataclass(frozen=True)
class Ecosystem:
    name: str
    manifests: tuple[str, ...]  # context-relative globs, copied before the install
    install: tuple[Invocation, ...]  # commands that fetch dependencies
    build: tuple[Invocation, ...] = ()  # commands that compile or bundle
    deps_only: str | None = None  # a command that fetches dependencies without the source
    caches: tuple[Cache, ...] = ()
    cache_users: tuple[Invocation, ...] = ()  # commands that use the caches (install + build by default)
    cache_defeaters: tuple[str, ...] = ()  # flags that turn the cache off (`--no-cache-dir`)
    cache_cleaners: tuple[Invocation, ...] = ()  # commands that empty the cache afterwards
    cache_env_off: tuple[str, ...] = ()  # env vars that turn the cache off (`PIP_NO_CACHE_DIR`)
    # Arguments that move the cache on the command line (`--cache-dir`; a trailing `*` is a prefix).
    cache_relocating_args: tuple[str, ...] = ()
    # (VAR, word): the variable may move the cache when its value mentions the word (MAVEN_OPTS).
    cache_relocating_env_words: tuple[tuple[str, str], ...] = ()
    # Files in the image ("~" = HOME) whose settings may move or turn off the cache.
    cache_config_files: tuple[str, ...] = ()
    # (context file, key): project config that may move the cache (`.npmrc` with `cache=`).
    cache_project_config: tuple[tuple[str, str], ...] = ()
    # Commands that read what the cache holds: one without the mount would miss what a mounted
    # RUN left there (npm/pip only re-download, so they list none).
    cache_readers: tuple[Invocation, ...] = ()
    # CMD/ENTRYPOINT commands that need the cache at run time (`go run` needs the module cache).
    cache_runtime_readers: tuple[Invocation, ...] = ()
    # The tool installs into its cache dir unless one of these (VAR, values) holds (poetry's venvs).
    cache_holds_install_unless: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cache_defeaters_stay: bool = False  # a defeater is never removed (apk's --no-cache has no documented equivalent)
    # reorder-manifests: what the install writes into the project dir (a source COPY after the
    # install would overwrite it), flags that make the install skip the project itself
    # (deps only), and env-var prefixes that change what the install fetches.
    install_outputs: tuple[str, ...] = ()  # globs relative to the install's directory
    split_flags: tuple[str, ...] = ()  # `poetry install` + `--no-root` = dependencies only
    env_prefixes: tuple[str, ...] = ()  # ENV names that may change the install (`GO`: GOPROXY...)

    def uses_cache(self, command: Command) -> bool:
        users = self.cache_users or (self.install + self.build)
        key = normalise(command)
        return any(inv.matches_normalised(*key) for inv in users)


# Aliases that run the same tool: `python3 -m pip` is pip, `./gradlew` is gradle.
_PROGRAM_ALIASES = {
    "pip3": "pip",
    "pip3.11": "pip",
    "pip3.12": "pip",
    "gradlew": "gradle",
    "mvnw": "mvn",
    "apt": "apt-get",
    "yarnpkg": "yarn",
}


def normalise(command: Command) -> tuple[str, list[str]]:
    """(program, positional words) with aliases and `python -m tool` folded in.

    Remembered on the (immutable) command: every Invocation of every ecosystem asks,
    which made a 100,000-line Dockerfile take tens of seconds.
    """
    memo: tuple[str, tuple[str, ...]] | None = command.__dict__.get("_normalised")
    if memo is None:
        program, positional = _normalise(command)
        memo = (program, tuple(positional))
        command.__dict__["_normalised"] = memo  # frozen dataclass: bypass __setattr__, like cached_property
    return memo[0], list(memo[1])


def _normalise(command: Command) -> tuple[str, list[str]]:
    program = command.program()
    program = _PROGRAM_ALIASES.get(program, program)
    positional = command.positional()
    if program.startswith("python") and command.args[:1] == ["-m"] and len(command.args) > 1:
        module = command.args[1]
        program = _PROGRAM_ALIASES.get(module, module)
        positional = [a for a in command.args[2:] if not a.startswith("-")]
    return program, positional


GO = Ecosystem(
    name="go",
    env_prefixes=("GO",),
    manifests=("go.mod", "go.sum", "go.work", "go.work.sum"),
    install=(Invocation("go", ("mod", "download")),),
    build=(Invocation("go", ("build",)), Invocation("go", ("install",))),
    deps_only="go mod download",
    caches=(Cache("~/go/pkg/mod", ("GOMODCACHE",), under=(("GOPATH", "pkg/mod"),)),
            Cache("~/.cache/go-build", ("GOCACHE",), under=(("XDG_CACHE_HOME", "go-build"),))),
    cache_users=(
        Invocation("go", ("build",)),
        Invocation("go", ("test",)),
        Invocation("go", ("install",)),
        Invocation("go", ("mod", "download")),
        Invocation("go", ("mod", "tidy")),
        Invocation("go", ("generate",)),
        Invocation("go", ("vet",)),
    ),
    cache_readers=(Invocation("go"),),
    cache_runtime_readers=(Invocation("go"),),
)

NPM = Ecosystem(
    name="npm",
    install_outputs=("node_modules",),
    # npm 7+ also reads yarn.lock (for versions when there is no package-lock.json)
    manifests=("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".npmrc"),
    install=(Invocation("npm", ("ci",)), Invocation("npm", ("install",), bare=True),
             Invocation("npm", ("i",), bare=True)),
    build=(Invocation("npm", ("run", "build")),),
    caches=(Cache("~/.npm", ("npm_config_cache", "NPM_CONFIG_CACHE")),),
    cache_users=(Invocation("npm", ("ci",)), Invocation("npm", ("install",)), Invocation("npm", ("i",))),
    cache_cleaners=(Invocation("npm", ("cache", "clean")),),
    cache_relocating_args=("--cache",),
    cache_config_files=("~/.npmrc", "/usr/local/etc/npmrc", "/etc/npmrc"),
    cache_project_config=((".npmrc", "cache"),),
)

YARN = Ecosystem(
    name="yarn",
    install_outputs=("node_modules", ".pnp.cjs", ".pnp.loader.mjs"),
    manifests=("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".yarn/releases/*",
               ".yarn/plugins/**/*"),
    install=(Invocation("yarn", ("install",), bare=True), Invocation("yarn", (), bare=True)),
    build=(Invocation("yarn", ("build",)), Invocation("yarn", ("run", "build"))),
    caches=(Cache("~/.cache/yarn", ("YARN_CACHE_FOLDER",), under=(("XDG_CACHE_HOME", "yarn"),),
                  root_target="/usr/local/share/.cache/yarn"),),
    cache_users=(Invocation("yarn", ("install",)), Invocation("yarn", (), bare=True)),
    cache_cleaners=(Invocation("yarn", ("cache", "clean")),),
    cache_relocating_args=("--cache-folder",),
    cache_config_files=("~/.yarnrc",),
    cache_project_config=((".yarnrc", "cache-folder"), (".yarnrc.yml", "")),
)

PNPM = Ecosystem(
    name="pnpm",
    install_outputs=("node_modules",),
    manifests=("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs"),
    install=(Invocation("pnpm", ("install",), bare=True), Invocation("pnpm", ("i",), bare=True)),
    build=(Invocation("pnpm", ("build",)), Invocation("pnpm", ("run", "build"))),
    caches=(Cache("~/.local/share/pnpm/store", ("PNPM_STORE_DIR", "npm_config_store_dir"),
                  under=(("PNPM_HOME", "store"), ("XDG_DATA_HOME", "pnpm/store"))),),
    cache_users=(Invocation("pnpm", ("install",)), Invocation("pnpm", ("i",)), Invocation("pnpm", ("fetch",))),
    cache_relocating_args=("--store-dir",),
    cache_config_files=("~/.npmrc",),
    cache_project_config=((".npmrc", "store-dir"),),
)

PIP = Ecosystem(
    name="pip",
    manifests=("requirements*.txt",),
    install=(Invocation("pip", ("install",)),),
    caches=(Cache("~/.cache/pip", ("PIP_CACHE_DIR",), under=(("XDG_CACHE_HOME", "pip"),)),),
    cache_users=(Invocation("pip", ("install",)), Invocation("pip", ("wheel",)), Invocation("pip", ("download",))),
    cache_defeaters=("--no-cache-dir",),
    cache_env_off=("PIP_NO_CACHE_DIR",),
    cache_relocating_args=("--cache-dir",),
    cache_relocating_env_words=(("PIP_CONFIG_FILE", ""),),
    cache_config_files=("/etc/pip.conf", "~/.config/pip/pip.conf", "~/.pip/pip.conf"),
)

POETRY = Ecosystem(
    name="poetry",
    split_flags=("--no-root",),
    install_outputs=(".venv",),
    manifests=("pyproject.toml", "poetry.lock", "poetry.toml"),
    install=(Invocation("poetry", ("install",)),),
    deps_only="poetry install --no-root",
    caches=(Cache("~/.cache/pypoetry", ("POETRY_CACHE_DIR",), under=(("XDG_CACHE_HOME", "pypoetry"),)),),
    cache_cleaners=(Invocation("poetry", ("cache", "clear")),),
    cache_config_files=("~/.config/pypoetry/config.toml",),
    cache_project_config=(("poetry.toml", "cache-dir"),),
    cache_holds_install_unless=(("POETRY_VIRTUALENVS_CREATE", ("false", "0")),
                                ("POETRY_VIRTUALENVS_IN_PROJECT", ("true", "1"))),
)

UV = Ecosystem(
    name="uv",
    split_flags=("--no-install-project",),
    install_outputs=(".venv",),
    manifests=("pyproject.toml", "uv.lock", "uv.toml", ".python-version"),
    install=(Invocation("uv", ("sync",)), Invocation("uv", ("pip", "install"))),
    deps_only="uv sync --no-install-project",
    caches=(Cache("~/.cache/uv", ("UV_CACHE_DIR",), under=(("XDG_CACHE_HOME", "uv"),)),),
    cache_users=(Invocation("uv", ("sync",)), Invocation("uv", ("pip", "install")), Invocation("uv", ("pip", "sync"))),
    cache_defeaters=("--no-cache",),
    cache_env_off=("UV_NO_CACHE",),
    cache_cleaners=(Invocation("uv", ("cache", "clean")),),
    cache_relocating_args=("--cache-dir",),
    cache_config_files=("~/.config/uv/uv.toml", "/etc/uv/uv.toml"),
    cache_project_config=(("uv.toml", "cache-dir"), ("pyproject.toml", "cache-dir")),
)

PIPENV = Ecosystem(
    name="pipenv",
    install_outputs=(".venv",),
    manifests=("Pipfile", "Pipfile.lock"),
    install=(Invocation("pipenv", ("install",)), Invocation("pipenv", ("sync",))),
    caches=(Cache("~/.cache/pipenv", ("PIPENV_CACHE_DIR",)),),
)

MAVEN = Ecosystem(
    name="maven",
    manifests=("pom.xml", "**/pom.xml", ".mvn/**/*", "mvnw"),
    install=(Invocation("mvn", ("dependency:go-offline",)), Invocation("mvn", ("dependency:resolve",))),
    build=(Invocation("mvn", ("package",)), Invocation("mvn", ("install",)), Invocation("mvn", ("verify",)),
           Invocation("mvn", ("clean", "package")), Invocation("mvn", ("clean", "install"))),
    deps_only="mvn dependency:go-offline",
    caches=(Cache("~/.m2/repository"),),
    cache_users=(Invocation("mvn"),),
    cache_relocating_args=("-Dmaven.repo.local", "-s", "--settings", "-gs", "--global-settings"),
    cache_relocating_env_words=(("MAVEN_OPTS", "maven.repo.local"), ("MAVEN_ARGS", "maven.repo.local")),
    cache_config_files=("~/.m2/settings.xml",),
    cache_project_config=((".mvn/maven.config", "maven.repo.local"),),
    cache_readers=(Invocation("mvn"),),
    cache_runtime_readers=(Invocation("mvn"),),
)

GRADLE = Ecosystem(
    name="gradle",
    manifests=("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
               "gradle.properties", "gradle/**/*", "gradlew"),
    install=(Invocation("gradle", ("dependencies",)),),
    build=(Invocation("gradle"),),
    deps_only="gradle dependencies",
    caches=(Cache("~/.gradle/caches", under=(("GRADLE_USER_HOME", "caches"),)),
            Cache("~/.gradle/wrapper", under=(("GRADLE_USER_HOME", "wrapper"),))),
    cache_users=(Invocation("gradle"),),
    cache_relocating_args=("--gradle-user-home", "-g", "--project-cache-dir"),
    cache_relocating_env_words=(("GRADLE_OPTS", "gradle.user.home"),),
    cache_readers=(Invocation("gradle"),),
    cache_runtime_readers=(Invocation("gradle"),),
)

CARGO = Ecosystem(
    name="cargo",
    manifests=("Cargo.toml", "Cargo.lock"),
    install=(Invocation("cargo", ("fetch",)),),
    build=(Invocation("cargo", ("build",)), Invocation("cargo", ("install",))),
    deps_only="cargo fetch",
    caches=(Cache("~/.cargo/registry", under=(("CARGO_HOME", "registry"),)),
            Cache("~/.cargo/git/db", under=(("CARGO_HOME", "git/db"),))),
    cache_users=(Invocation("cargo", ("build",)), Invocation("cargo", ("fetch",)), Invocation("cargo", ("install",)),
                 Invocation("cargo", ("test",))),
    cache_config_files=("~/.cargo/config.toml", "~/.cargo/config"),
    cache_readers=(Invocation("cargo"),),
    cache_runtime_readers=(Invocation("cargo"),),
)

BUNDLER = Ecosystem(
    name="bundler",
    manifests=("Gemfile", "Gemfile.lock", ".bundle/config"),
    install=(Invocation("bundle", ("install",)), Invocation("bundle", (), bare=True)),
    # Gem archives land in `$GEM_HOME/cache` (GEM_HOME=/usr/local/bundle in the ruby images);
    # without a known GEM_HOME the directory depends on the Ruby install: left alone.
    caches=(Cache("", under=(("GEM_HOME", "cache"),)),),
    cache_users=(Invocation("bundle", ("install",)), Invocation("bundle", (), bare=True),
                 Invocation("gem", ("install",))),
    cache_relocating_args=("--path", "--deployment", "--install-dir", "-i"),
    cache_relocating_env_words=(("BUNDLE_PATH", ""), ("BUNDLE_DEPLOYMENT", ""), ("GEM_PATH", "")),
)

COMPOSER = Ecosystem(
    name="composer",
    split_flags=("--no-scripts", "--no-autoloader"),
    install_outputs=("vendor",),
    manifests=("composer.json", "composer.lock"),
    install=(Invocation("composer", ("install",)),),
    deps_only="composer install --no-scripts --no-autoloader",
    caches=(Cache("~/.cache/composer", ("COMPOSER_CACHE_DIR",),
                  under=(("COMPOSER_HOME", "cache"), ("XDG_CACHE_HOME", "composer"))),),
    cache_users=(Invocation("composer", ("install",)), Invocation("composer", ("update",)),
                 Invocation("composer", ("require",))),
    cache_project_config=(("composer.json", "cache-dir"),),
)

DOTNET = Ecosystem(
    name="dotnet",
    install_outputs=("**/obj",),
    manifests=("**/*.csproj", "**/*.fsproj", "*.sln", "NuGet.config", "nuget.config", "Directory.Build.props",
               "Directory.Packages.props"),
    install=(Invocation("dotnet", ("restore",)),),
    build=(Invocation("dotnet", ("publish",)), Invocation("dotnet", ("build",))),
    deps_only="dotnet restore",
    caches=(Cache("~/.nuget/packages", ("NUGET_PACKAGES",)),),
    cache_relocating_args=("--packages",),
    cache_project_config=(("NuGet.config", "globalPackagesFolder"), ("nuget.config", "globalPackagesFolder")),
    # `dotnet build` output and `dotnet run` load packages from the global packages folder.
    cache_readers=(Invocation("dotnet"),),
    cache_runtime_readers=(Invocation("dotnet", ("run",)), Invocation("dotnet", ("test",)),
                           Invocation("dotnet", ("watch",))),
    cache_users=(Invocation("dotnet", ("restore",)), Invocation("dotnet", ("publish",)),
                 Invocation("dotnet", ("build",))),
)

APT = Ecosystem(
    name="apt",
    manifests=(),
    install=(Invocation("apt-get", ("install",)),),
    # /var/lib/apt/lists, not all of /var/lib/apt: extended_states (which packages were
    # installed automatically, for `apt-get autoremove`) belongs in the image.
    caches=(Cache("/var/cache/apt", sharing="locked"), Cache("/var/lib/apt/lists", sharing="locked")),
    cache_users=(Invocation("apt-get", ("update",)),),
    cache_cleaners=(Invocation("apt-get", ("clean",)),),
    cache_relocating_args=("Dir::*", "-oDir::*"),
    cache_readers=(Invocation("apt-get", ("install",)), Invocation("apt-get", ("upgrade",)),
                   Invocation("apt-get", ("dist-upgrade",)), Invocation("apt-get", ("build-dep",)),
                   Invocation("apt-get", ("source",)), Invocation("apt-get", ("download",)),
                   Invocation("apt-cache",)),
)

APK = Ecosystem(
    name="apk",
    manifests=(),
    install=(Invocation("apk", ("add",)),),
    # apk caches only when /etc/apk/cache exists (apk-cache(5): a symlink to /var/cache/apk);
    # the transform needs that symlink made by the Dockerfile itself and mounts its target.
    caches=(Cache("/var/cache/apk", sharing="locked"),),
    cache_defeaters=("--no-cache",),
    cache_readers=(Invocation("apk", ("add",)),),
    cache_defeaters_stay=True,
)

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    GO, NPM, YARN, PNPM, PIP, POETRY, UV, PIPENV, MAVEN, GRADLE, CARGO, BUNDLER, COMPOSER, DOTNET, APT, APK,
)

# Compilers and bundlers that are not package managers, for telling a build stage apart.
OTHER_BUILD_TOOLS: tuple[Invocation, ...] = (
    Invocation("javac"), Invocation("make"), Invocation("cmake"), Invocation("gcc"), Invocation("g++"),
    Invocation("tsc"), Invocation("rustc"), Invocation("webpack"), Invocation("vite", ("build",)),
)


def ecosystem(name: str) -> Ecosystem:
    return next(e for e in ECOSYSTEMS if e.name == name)


def installs(command: Command) -> list[Ecosystem]:
    """Ecosystems whose dependency-install command this is."""
    key = normalise(command)
    return [e for e in ECOSYSTEMS if any(inv.matches_normalised(*key) for inv in e.install)]


def builds(command: Command) -> bool:
    """True for a compile/bundle command of any ecosystem."""
    key = normalise(command)
    return any(inv.matches_normalised(*key) for e in ECOSYSTEMS for inv in e.build) or any(
        inv.matches_normalised(*key) for inv in OTHER_BUILD_TOOLS
    )


def config_command_env(command: Command) -> tuple[str, str] | None:
    """`poetry config virtualenvs.create false` sets what POETRY_VIRTUALENVS_CREATE=false would."""
    program, positional = normalise(command)
    if program == "poetry" and positional[:1] == ["config"] and len(positional) == 3:
        return "POETRY_" + positional[1].upper().replace(".", "_").replace("-", "_"), positional[2]
    return None


# ---------------------------------------------------------------------------
# Base images: what a RUN sees before the Dockerfile's own ENV and USER.  Only facts
# documented by the official images; an image not listed is assumed to run as root
# with no relocating variables (transforms say so in their docs).


@dataclass(frozen=True)
class ImageUser:
    """A passwd entry an image ships."""

    name: str
    uid: int | None  # None: the account exists, its number is not known (`useradd` without -u)
    gid: int | None
    home: str


@dataclass(frozen=True)
class BaseImage:
    patterns: tuple[str, ...]  # fnmatch over `images.table_key`: `golang:1.22`, `bitnami/redis:7`
    env: tuple[tuple[str, str], ...] = ()
    user: str = "root"  # the image's USER
    users: tuple[ImageUser, ...] = ()
    workdir: str | None = "/"  # the image's WORKDIR; None: it differs between tags (not known)


_NONROOT = ImageUser("nonroot", 65532, 65532, "/home/nonroot")
_NOBODY = ImageUser("nobody", 65534, 65534, "/nonexistent")

BASE_IMAGES: tuple[BaseImage, ...] = (
    BaseImage(("golang:*",), env=(("GOPATH", "/go"),), workdir="/go"),
    BaseImage(("rust:*",), env=(("CARGO_HOME", "/usr/local/cargo"), ("RUSTUP_HOME", "/usr/local/rustup"))),
    BaseImage(("node:*",), users=(ImageUser("node", 1000, 1000, "/home/node"),)),
    BaseImage(("ruby:*",), env=(("GEM_HOME", "/usr/local/bundle"), ("BUNDLE_APP_CONFIG", "/usr/local/bundle"))),
    BaseImage(("composer:*", "composer/composer:*"), env=(("COMPOSER_HOME", "/tmp"),), workdir="/app"),
    BaseImage(("mcr.microsoft.com/dotnet/*",), users=(ImageUser("app", 1654, 1654, "/home/app"),)),
    BaseImage(("gcr.io/distroless/*:nonroot*", "gcr.io/distroless/*:debug-nonroot*"), user="nonroot",
              users=(_NONROOT, _NOBODY)),
    BaseImage(("gcr.io/distroless/*",), users=(_NONROOT, _NOBODY)),
    BaseImage(("cgr.dev/chainguard/*",), user="nonroot", users=(_NONROOT,)),
    # Official images documented to run as root with none of the variables above set.
    BaseImage(("python:*", "debian:*", "ubuntu:*", "alpine:*", "busybox:*", "maven:*", "eclipse-temurin:*",
               "php:*", "amazoncorretto:*", "buildpack-deps:*", "fedora:*", "rockylinux:*")),
    # Bitnami images run as uid 1001 with no passwd entry (HOME=/): left alone.
    BaseImage(("bitnami/*",), user="1001", workdir=None),
)


def base_image(reference: str) -> BaseImage | None:
    """The table entry for an image reference as written in FROM (tag defaults to latest)."""
    ref = images.table_key(reference)
    for entry in BASE_IMAGES:
        if any(fnmatch.fnmatchcase(ref, p) for p in entry.patterns):
            return entry
    return None


# ---------------------------------------------------------------------------
# Runtime bases (split-runtime): the image a compiled program runs on once its
# toolchain is left behind in the builder stage, chosen by the builder's image.
# A cgo binary links the builder's glibc dynamically, so it needs a runtime whose
# glibc is at least as new: bookworm's is, for the bookworm/bullseye/buster
# variants and the default (Debian) golang/rust tags up to the last bookworm ones.

# The PATH every runtime base below sets (alpine, debian, distroless all agree).
STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class RuntimeBase:
    builders: tuple[str, ...]  # fnmatch over the builder's `images.table_key`
    image: str  # `{alpine}`: the builder tag's Alpine version (`golang:1.21-alpine3.18`), else "latest"
    static_only: bool = False  # only for statically linked artifacts (Go with CGO_ENABLED=0)
    shell: bool = True  # has /bin/sh, so a shell-form CMD/ENTRYPOINT still runs
    exclude: tuple[str, ...] = ()  # builder tags that match `builders` but need another runtime


_NEWER_GLIBC = ("*trixie*", "*forky*", "*sid*", "golang:latest", "golang:1.2[5-9]*", "golang:1.[3-9]*",
                "rust:latest", "rust:1.8[6-9]*", "rust:1.9*", "rust:1.[1-9][0-9][0-9]*")

RUNTIME_BASES: tuple[RuntimeBase, ...] = (
    RuntimeBase(("golang:*alpine*",), "alpine:{alpine}"),
    RuntimeBase(("golang:*",), "gcr.io/distroless/static-debian12", static_only=True, shell=False,
                exclude=("*windowsservercore*", "*nanoserver*")),
    RuntimeBase(("golang:*",), "debian:bookworm-slim", exclude=(*_NEWER_GLIBC, "*windowsservercore*",
                                                                 "*nanoserver*")),
    RuntimeBase(("rust:*",), "debian:bookworm-slim", exclude=(*_NEWER_GLIBC, "rust:*alpine*")),
)

_ALPINE_VERSION_RE = re.compile(r"alpine(\d+\.\d+)")


def runtime_base(builder: str, static: bool) -> RuntimeBase | None:
    """The runtime row for a builder image reference (tag defaults to latest), or None."""
    ref = images.table_key(builder)
    for entry in RUNTIME_BASES:
        if entry.static_only and not static:
            continue
        if any(fnmatch.fnmatchcase(ref, p) for p in entry.builders) and not any(
            fnmatch.fnmatchcase(ref, p) for p in entry.exclude
        ):
            return entry
    return None


def runtime_image(entry: RuntimeBase, builder: str) -> str:
    """`entry.image` with `{alpine}` filled in from the builder's tag."""
    match = _ALPINE_VERSION_RE.search(images.table_key(builder))
    return entry.image.replace("{alpine}", match.group(1) if match else "latest")
