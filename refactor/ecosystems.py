"""The one table of ecosystem facts: manifests, install and build commands, cache dirs, artifacts.

Every transform reads these facts from here instead of keeping its own if-chains,
so teaching the tool a new package manager is one entry in `ECOSYSTEMS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from refactor.shell import Command


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
        program, positional = normalise(command)
        if program != self.program or positional[: len(self.subcommand)] != list(self.subcommand):
            return False
        return not (self.bare and len(positional) > len(self.subcommand))


@dataclass(frozen=True)
class Cache:
    """A directory a tool downloads or compiles into, and what relocates it."""

    target: str  # absolute, or under "~" (the running user's HOME)
    env: tuple[str, ...] = ()  # variables that move it (the first one set wins)
    sharing: str | None = None  # "locked" where the tool cannot share the dir concurrently


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

    def uses_cache(self, command: Command) -> bool:
        users = self.cache_users or (self.install + self.build)
        return any(inv.matches(command) for inv in users)


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
    """(program, positional words) with aliases and `python -m tool` folded in."""
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
    manifests=("go.mod", "go.sum", "go.work", "go.work.sum"),
    install=(Invocation("go", ("mod", "download")),),
    build=(Invocation("go", ("build",)), Invocation("go", ("install",))),
    deps_only="go mod download",
    caches=(Cache("/go/pkg/mod", ("GOMODCACHE",)), Cache("~/.cache/go-build", ("GOCACHE",))),
    cache_users=(
        Invocation("go", ("build",)),
        Invocation("go", ("test",)),
        Invocation("go", ("install",)),
        Invocation("go", ("mod", "download")),
        Invocation("go", ("mod", "tidy")),
        Invocation("go", ("generate",)),
        Invocation("go", ("vet",)),
    ),
)

NPM = Ecosystem(
    name="npm",
    manifests=("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    install=(Invocation("npm", ("ci",)), Invocation("npm", ("install",), bare=True),
             Invocation("npm", ("i",), bare=True)),
    build=(Invocation("npm", ("run", "build")),),
    caches=(Cache("~/.npm", ("npm_config_cache", "NPM_CONFIG_CACHE")),),
    cache_users=(Invocation("npm", ("ci",)), Invocation("npm", ("install",)), Invocation("npm", ("i",))),
    cache_cleaners=(Invocation("npm", ("cache", "clean")),),
)

YARN = Ecosystem(
    name="yarn",
    manifests=("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".yarn/releases/*",
               ".yarn/plugins/**/*"),
    install=(Invocation("yarn", ("install",), bare=True), Invocation("yarn", (), bare=True)),
    build=(Invocation("yarn", ("build",)), Invocation("yarn", ("run", "build"))),
    caches=(Cache("/usr/local/share/.cache/yarn", ("YARN_CACHE_FOLDER",)),),
    cache_users=(Invocation("yarn", ("install",)), Invocation("yarn", (), bare=True)),
    cache_cleaners=(Invocation("yarn", ("cache", "clean")),),
)

PNPM = Ecosystem(
    name="pnpm",
    manifests=("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
    install=(Invocation("pnpm", ("install",), bare=True), Invocation("pnpm", ("i",), bare=True)),
    build=(Invocation("pnpm", ("build",)), Invocation("pnpm", ("run", "build"))),
    caches=(Cache("/pnpm/store", ("PNPM_STORE_DIR",)),),
)

PIP = Ecosystem(
    name="pip",
    manifests=("requirements*.txt",),
    install=(Invocation("pip", ("install",)),),
    caches=(Cache("~/.cache/pip", ("PIP_CACHE_DIR",)),),
    cache_defeaters=("--no-cache-dir",),
    cache_env_off=("PIP_NO_CACHE_DIR",),
)

POETRY = Ecosystem(
    name="poetry",
    manifests=("pyproject.toml", "poetry.lock"),
    install=(Invocation("poetry", ("install",)),),
    deps_only="poetry install --no-root",
    caches=(Cache("~/.cache/pypoetry", ("POETRY_CACHE_DIR",)),),
    cache_cleaners=(Invocation("poetry", ("cache", "clear")),),
)

UV = Ecosystem(
    name="uv",
    manifests=("pyproject.toml", "uv.lock"),
    install=(Invocation("uv", ("sync",)), Invocation("uv", ("pip", "install"))),
    deps_only="uv sync --no-install-project",
    caches=(Cache("~/.cache/uv", ("UV_CACHE_DIR",)),),
    cache_defeaters=("--no-cache",),
    cache_env_off=("UV_NO_CACHE",),
    cache_cleaners=(Invocation("uv", ("cache", "clean")),),
)

PIPENV = Ecosystem(
    name="pipenv",
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
    caches=(Cache("~/.m2", ("MAVEN_CONFIG",)),),
    cache_users=(Invocation("mvn"),),
)

GRADLE = Ecosystem(
    name="gradle",
    manifests=("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
               "gradle.properties", "gradle/**/*", "gradlew"),
    install=(Invocation("gradle", ("dependencies",)),),
    build=(Invocation("gradle"),),
    deps_only="gradle dependencies",
    caches=(Cache("~/.gradle", ("GRADLE_USER_HOME",)),),
    cache_users=(Invocation("gradle"),),
)

CARGO = Ecosystem(
    name="cargo",
    manifests=("Cargo.toml", "Cargo.lock"),
    install=(Invocation("cargo", ("fetch",)),),
    build=(Invocation("cargo", ("build",)), Invocation("cargo", ("install",))),
    deps_only="cargo fetch",
    caches=(Cache("/usr/local/cargo/registry", ("CARGO_HOME",)), Cache("/usr/local/cargo/git/db", ("CARGO_HOME",))),
    cache_users=(Invocation("cargo", ("build",)), Invocation("cargo", ("fetch",)), Invocation("cargo", ("install",)),
                 Invocation("cargo", ("test",))),
)

BUNDLER = Ecosystem(
    name="bundler",
    manifests=("Gemfile", "Gemfile.lock"),
    install=(Invocation("bundle", ("install",)), Invocation("bundle", (), bare=True)),
    caches=(Cache("/usr/local/bundle/cache", ("BUNDLE_CACHE_PATH",)),),
)

COMPOSER = Ecosystem(
    name="composer",
    manifests=("composer.json", "composer.lock"),
    install=(Invocation("composer", ("install",)),),
    deps_only="composer install --no-scripts --no-autoloader",
    caches=(Cache("/tmp/cache", ("COMPOSER_CACHE_DIR", "COMPOSER_HOME")),),
)

DOTNET = Ecosystem(
    name="dotnet",
    manifests=("*.csproj", "*.fsproj", "*.sln", "NuGet.config", "nuget.config", "Directory.Build.props",
               "Directory.Packages.props"),
    install=(Invocation("dotnet", ("restore",)),),
    build=(Invocation("dotnet", ("publish",)), Invocation("dotnet", ("build",))),
    deps_only="dotnet restore",
    caches=(Cache("~/.nuget/packages", ("NUGET_PACKAGES",)),),
    cache_users=(Invocation("dotnet", ("restore",)), Invocation("dotnet", ("publish",)),
                 Invocation("dotnet", ("build",))),
)

APT = Ecosystem(
    name="apt",
    manifests=(),
    install=(Invocation("apt-get", ("install",)),),
    caches=(Cache("/var/cache/apt", sharing="locked"), Cache("/var/lib/apt", sharing="locked")),
    cache_users=(Invocation("apt-get", ("update",)),),
)

APK = Ecosystem(
    name="apk",
    manifests=(),
    install=(Invocation("apk", ("add",)),),
    caches=(Cache("/etc/apk/cache", sharing="locked"),),
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
    return [e for e in ECOSYSTEMS if any(inv.matches(command) for inv in e.install)]


def builds(command: Command) -> bool:
    """True for a compile/bundle command of any ecosystem."""
    return any(inv.matches(command) for e in ECOSYSTEMS for inv in e.build) or any(
        inv.matches(command) for inv in OTHER_BUILD_TOOLS
    )
