"""The one table of ecosystem facts: manifests, install and build commands, cache dirs, artifacts.

Every transform reads these facts from here instead of keeping its own if-chains,
so teaching the tool a new package manager is one entry in `ECOSYSTEMS`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass

from refactor.facts import images, manifests
from refactor.facts.manifests import Reader
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
class InlineEnv:
    """A variable cache-mounts sets on the tool's own command line once the cache is a mount.

    uv hard-links installed files from its cache by default; a cache mount is another
    filesystem, so every install would warn and fall back to copying: `UV_LINK_MODE=copy`.
    Left out where the stage's environment or the command already sets it.
    """

    name: str
    value: str
    commands: tuple[Invocation, ...]  # the commands that get it
    option: str | None = None  # a command-line option that says the same (`--link-mode`)


@dataclass(frozen=True)
class CacheSwitch:
    """A path the Dockerfile itself must create before the tool caches at all."""

    path: str  # apk caches only when /etc/apk/cache exists (a symlink to the mounted directory)
    source: str  # where that is documented, quoted in the reason to decline (`apk-cache(5)`)


@dataclass(frozen=True)
class KeepSetup:
    """A one-time RUN without which the mount keeps only part of the cache.

    Debian images ship a docker-clean hook that deletes every downloaded .deb; cache-mounts
    inserts `command` before the first mounted RUN of a stage family that does not ship,
    and leaves a shipped stage's configuration as it is (with `kept` as the reason).
    """

    command: str  # the shell text of the inserted RUN
    markers: tuple[str, ...]  # text in any instruction of the family that shows it is done already
    added: str  # rationale of the inserted RUN
    kept: str  # reason when the stage ships and nothing is inserted


@dataclass(frozen=True)
class CacheFacts:
    """cache-mounts: where the tool caches, and what uses, moves, empties or switches off that cache."""

    dirs: tuple[Cache, ...] = ()
    users: tuple[Invocation, ...] = ()  # commands that use the caches (install + build by default)
    defeaters: tuple[str, ...] = ()  # flags that turn the cache off (`--no-cache-dir`)
    cleaners: tuple[Invocation, ...] = ()  # commands that empty the cache afterwards
    env_off: tuple[str, ...] = ()  # env vars that turn the cache off (`PIP_NO_CACHE_DIR`)
    # Arguments that move the cache on the command line (`--cache-dir`; a trailing `*` is a prefix).
    relocating_args: tuple[str, ...] = ()
    # (VAR, word): the variable may move the cache when its value mentions the word (MAVEN_OPTS).
    relocating_env_words: tuple[tuple[str, str], ...] = ()
    # Files in the image ("~" = HOME) whose settings may move or turn off the cache.
    config_files: tuple[str, ...] = ()
    # (context file, key): project config that may move the cache (`.npmrc` with `cache=`).
    project_config: tuple[tuple[str, str], ...] = ()
    # Commands that write the tool's settings, besides `<tool> config ...` (`go env -w GOCACHE=...`).
    config_commands: tuple[Invocation, ...] = ()
    # Commands that read what the cache holds: one without the mount would miss what a mounted
    # RUN left there (npm/pip only re-download, so they list none).
    readers: tuple[Invocation, ...] = ()
    # CMD/ENTRYPOINT commands that need the cache at run time (`go run` needs the module cache).
    runtime_readers: tuple[Invocation, ...] = ()
    # The tool installs into its cache dir unless one of these (VAR, values) holds (poetry's venvs).
    holds_install_unless: tuple[tuple[str, tuple[str, ...]], ...] = ()
    defeaters_stay: bool = False  # a defeater is never removed (apk's --no-cache has no documented equivalent)
    root_only: bool = False  # the tool runs only as root (apt-get, apk): a RUN as another USER is left alone
    switch: CacheSwitch | None = None  # a path without which the tool does not cache (apk)
    inline_env: tuple[InlineEnv, ...] = ()  # variables set on the tool's commands with the mount (uv)
    keep_setup: KeepSetup | None = None  # a RUN that makes the mount keep the whole cache (apt)


@dataclass(frozen=True)
class ReorderFacts:
    """reorder-manifests: how an install reads the project, what it writes there, how it splits.

    `reader` names the static reader of the manifests; the `prime_*` facts shape the
    dependency command (`Ecosystem.deps_only`) added before the source when only a build follows.
    """

    reader: Reader = Reader.MANIFESTS
    # (manifest, finder): a manifest that may say the install reads more than the manifests, and
    # the function in refactor/facts/manifests.py that finds the reason (`Pipfile` path packages).
    check: tuple[str, Callable[[str], str | None]] | None = None
    install_outputs: tuple[str, ...] = ()  # what the install writes, globs relative to its directory
    split_flags: tuple[str, ...] = ()  # `poetry install` + `--no-root` = dependencies only
    env_prefixes: tuple[str, ...] = ()  # ENV names that may change the install (`GO`: GOPROXY...)
    # Installs that take pip's arguments (`-r` files; `.` is the project itself): read by the pip reader.
    pip_interface: tuple[Invocation, ...] = ()
    # The row a pip-interface install of the project (`uv pip install .`) is planned as (None: this one).
    project_split_as: Ecosystem | None = None
    # An earlier install primes this one only when it names the same requirement files (pip).
    primed_by_same_files: bool = False
    # Only the bare install reads the manifests: `pipenv install flask` adds a package, left alone.
    bare_only: bool = False
    # A directory of the project the install reads packages from (yarn's offline mirror): declines.
    offline_cache: str | None = None
    note: str = ""  # what a reviewer should check whenever this ecosystem's install moves or is added
    prime_note: str = "synthesised dependency download"  # the review note of an added deps command
    prime_keeps_wrapper: bool = False  # the deps command runs through the build's wrapper (./gradlew)
    # (options of the build, words appended to the deps command): `gradle --no-daemon`, `mvn -B`.
    prime_carries: tuple[tuple[tuple[str, ...], str], ...] = ()
    # Suffixes of a project file named on the build that the deps command gets too (`app.csproj`).
    prime_targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ecosystem:
    """One package manager: the core facts, and the facts each transform reads.

    Teaching the tool a package manager is one row in `ECOSYSTEMS`; the transforms test facts,
    never names.
    """

    name: str
    manifests: tuple[str, ...]  # context-relative globs, copied before the install
    install: tuple[Invocation, ...]  # commands that fetch dependencies
    build: tuple[Invocation, ...] = ()  # commands that compile or bundle
    deps_only: str | None = None  # a command that fetches dependencies without the source
    cache: CacheFacts = CacheFacts()
    reorder: ReorderFacts = ReorderFacts()

    def uses_cache(self, command: Command) -> bool:
        users = self.cache.users or (self.install + self.build)
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
    manifests=("go.mod", "go.sum", "go.work", "go.work.sum"),
    install=(Invocation("go", ("mod", "download")),),
    build=(Invocation("go", ("build",)), Invocation("go", ("install",))),
    deps_only="go mod download",
    cache=CacheFacts(
        dirs=(Cache("~/go/pkg/mod", ("GOMODCACHE",), under=(("GOPATH", "pkg/mod"),)),
              Cache("~/.cache/go-build", ("GOCACHE",), under=(("XDG_CACHE_HOME", "go-build"),))),
        users=(
            Invocation("go", ("build",)),
            Invocation("go", ("test",)),
            Invocation("go", ("install",)),
            Invocation("go", ("mod", "download")),
            Invocation("go", ("mod", "tidy")),
            Invocation("go", ("generate",)),
            Invocation("go", ("vet",)),
        ),
        config_commands=(Invocation("go", ("env",)),),
        readers=(Invocation("go"),),
        runtime_readers=(Invocation("go"),),
    ),
    reorder=ReorderFacts(
        reader=Reader.GO,
        env_prefixes=("GO",),
        prime_note="go mod download is added (it reads only go.mod and go.sum)",
    ),
)

NPM = Ecosystem(
    name="npm",
    # npm 7+ also reads yarn.lock (for versions when there is no package-lock.json)
    manifests=("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".npmrc"),
    install=(Invocation("npm", ("ci",)), Invocation("npm", ("install",), bare=True),
             Invocation("npm", ("i",), bare=True)),
    build=(Invocation("npm", ("run", "build")),),
    cache=CacheFacts(
        dirs=(Cache("~/.npm", ("npm_config_cache", "NPM_CONFIG_CACHE")),),
        users=(Invocation("npm", ("ci",)), Invocation("npm", ("install",)), Invocation("npm", ("i",))),
        cleaners=(Invocation("npm", ("cache", "clean")),),
        relocating_args=("--cache",),
        config_files=("~/.npmrc", "/usr/local/etc/npmrc", "/etc/npmrc"),
        project_config=((".npmrc", "cache"),),
    ),
    reorder=ReorderFacts(reader=Reader.NODE, install_outputs=("node_modules",)),
)

YARN = Ecosystem(
    name="yarn",
    manifests=("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".yarn/releases/*",
               ".yarn/plugins/**/*"),
    install=(Invocation("yarn", ("install",), bare=True), Invocation("yarn", (), bare=True)),
    build=(Invocation("yarn", ("build",)), Invocation("yarn", ("run", "build"))),
    cache=CacheFacts(
        dirs=(Cache("~/.cache/yarn", ("YARN_CACHE_FOLDER",), under=(("XDG_CACHE_HOME", "yarn"),),
                    root_target="/usr/local/share/.cache/yarn"),),
        users=(Invocation("yarn", ("install",)), Invocation("yarn", (), bare=True)),
        cleaners=(Invocation("yarn", ("cache", "clean")),),
        relocating_args=("--cache-folder",),
        config_files=("~/.yarnrc",),
        project_config=((".yarnrc", "cache-folder"), (".yarnrc.yml", "")),
    ),
    reorder=ReorderFacts(reader=Reader.NODE, install_outputs=("node_modules", ".pnp.cjs", ".pnp.loader.mjs"),
                         offline_cache=".yarn/cache"),
)

PNPM = Ecosystem(
    name="pnpm",
    manifests=("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs"),
    install=(Invocation("pnpm", ("install",), bare=True), Invocation("pnpm", ("i",), bare=True)),
    build=(Invocation("pnpm", ("build",)), Invocation("pnpm", ("run", "build"))),
    cache=CacheFacts(
        dirs=(Cache("~/.local/share/pnpm/store", ("PNPM_STORE_DIR", "npm_config_store_dir"),
                    under=(("PNPM_HOME", "store"), ("XDG_DATA_HOME", "pnpm/store"))),),
        users=(Invocation("pnpm", ("install",)), Invocation("pnpm", ("i",)), Invocation("pnpm", ("fetch",))),
        relocating_args=("--store-dir",),
        config_files=("~/.npmrc",),
        project_config=((".npmrc", "store-dir"),),
    ),
    reorder=ReorderFacts(reader=Reader.NODE, install_outputs=("node_modules",)),
)

PIP = Ecosystem(
    name="pip",
    manifests=("requirements*.txt",),
    install=(Invocation("pip", ("install",)),),
    cache=CacheFacts(
        dirs=(Cache("~/.cache/pip", ("PIP_CACHE_DIR",), under=(("XDG_CACHE_HOME", "pip"),)),),
        users=(Invocation("pip", ("install",)), Invocation("pip", ("wheel",)), Invocation("pip", ("download",))),
        defeaters=("--no-cache-dir",),
        env_off=("PIP_NO_CACHE_DIR",),
        relocating_args=("--cache-dir",),
        relocating_env_words=(("PIP_CONFIG_FILE", ""),),
        config_files=("/etc/pip.conf", "~/.config/pip/pip.conf", "~/.pip/pip.conf"),
    ),
    reorder=ReorderFacts(reader=Reader.PIP, pip_interface=(Invocation("pip", ("install",)),),
                         primed_by_same_files=True),
)

POETRY = Ecosystem(
    name="poetry",
    manifests=("pyproject.toml", "poetry.lock", "poetry.toml"),
    install=(Invocation("poetry", ("install",)),),
    deps_only="poetry install --no-root",
    cache=CacheFacts(
        dirs=(Cache("~/.cache/pypoetry", ("POETRY_CACHE_DIR",), under=(("XDG_CACHE_HOME", "pypoetry"),)),),
        cleaners=(Invocation("poetry", ("cache", "clear")),),
        config_files=("~/.config/pypoetry/config.toml",),
        project_config=(("poetry.toml", "cache-dir"),),
        holds_install_unless=(("POETRY_VIRTUALENVS_CREATE", ("false", "0")),
                              ("POETRY_VIRTUALENVS_IN_PROJECT", ("true", "1"))),
    ),
    reorder=ReorderFacts(check=("pyproject.toml", manifests.python_local_sources), install_outputs=(".venv",),
                         split_flags=("--no-root",)),
)

UV = Ecosystem(
    name="uv",
    manifests=("pyproject.toml", "uv.lock", "uv.toml", ".python-version"),
    install=(Invocation("uv", ("sync",)), Invocation("uv", ("pip", "install"))),
    deps_only="uv sync --no-install-project",
    cache=CacheFacts(
        dirs=(Cache("~/.cache/uv", ("UV_CACHE_DIR",), under=(("XDG_CACHE_HOME", "uv"),)),),
        users=(Invocation("uv", ("sync",)), Invocation("uv", ("pip", "install")), Invocation("uv", ("pip", "sync"))),
        defeaters=("--no-cache",),
        env_off=("UV_NO_CACHE",),
        cleaners=(Invocation("uv", ("cache", "clean")),),
        relocating_args=("--cache-dir",),
        config_files=("~/.config/uv/uv.toml", "/etc/uv/uv.toml"),
        project_config=(("uv.toml", "cache-dir"), ("pyproject.toml", "cache-dir")),
        inline_env=(InlineEnv("UV_LINK_MODE", "copy", (Invocation("uv", ("sync",)),
                                                       Invocation("uv", ("pip", "install")),
                                                       Invocation("uv", ("pip", "sync"))),
                              option="--link-mode"),),
    ),
    reorder=ReorderFacts(check=("pyproject.toml", manifests.python_local_sources), install_outputs=(".venv",),
                         split_flags=("--no-install-project",),
                         pip_interface=(Invocation("uv", ("pip", "install")),), project_split_as=PIP),
)

PIPENV = Ecosystem(
    name="pipenv",
    manifests=("Pipfile", "Pipfile.lock"),
    install=(Invocation("pipenv", ("install",)), Invocation("pipenv", ("sync",))),
    cache=CacheFacts(dirs=(Cache("~/.cache/pipenv", ("PIPENV_CACHE_DIR",)),)),
    reorder=ReorderFacts(check=("Pipfile", manifests.pipfile_problem), install_outputs=(".venv",), bare_only=True),
)

MAVEN = Ecosystem(
    name="maven",
    manifests=("pom.xml", "**/pom.xml", ".mvn/**/*", "mvnw"),
    install=(Invocation("mvn", ("dependency:go-offline",)), Invocation("mvn", ("dependency:resolve",))),
    build=(Invocation("mvn", ("package",)), Invocation("mvn", ("install",)), Invocation("mvn", ("verify",)),
           Invocation("mvn", ("clean", "package")), Invocation("mvn", ("clean", "install"))),
    deps_only="mvn dependency:go-offline",
    cache=CacheFacts(
        dirs=(Cache("~/.m2/repository"),),
        users=(Invocation("mvn"),),
        relocating_args=("-Dmaven.repo.local", "-s", "--settings", "-gs", "--global-settings"),
        relocating_env_words=(("MAVEN_OPTS", "maven.repo.local"), ("MAVEN_ARGS", "maven.repo.local")),
        config_files=("~/.m2/settings.xml",),
        project_config=((".mvn/maven.config", "maven.repo.local"),),
        readers=(Invocation("mvn"),),
        runtime_readers=(Invocation("mvn"),),
    ),
    reorder=ReorderFacts(reader=Reader.MAVEN,
                         note="dependency:go-offline may miss plugins resolved only during the build",
                         prime_keeps_wrapper=True, prime_carries=((("-B", "--batch-mode"), " -B"),)),
)

GRADLE = Ecosystem(
    name="gradle",
    manifests=("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
               "gradle.properties", "gradle/**/*", "gradlew"),
    install=(Invocation("gradle", ("dependencies",)),),
    build=(Invocation("gradle"),),
    deps_only="gradle dependencies",
    cache=CacheFacts(
        dirs=(Cache("~/.gradle/caches", under=(("GRADLE_USER_HOME", "caches"),)),
              Cache("~/.gradle/wrapper", under=(("GRADLE_USER_HOME", "wrapper"),))),
        users=(Invocation("gradle"),),
        relocating_args=("--gradle-user-home", "-g", "--project-cache-dir"),
        relocating_env_words=(("GRADLE_OPTS", "gradle.user.home"),),
        readers=(Invocation("gradle"),),
        runtime_readers=(Invocation("gradle"),),
    ),
    reorder=ReorderFacts(reader=Reader.GRADLE,
                         note="`gradle dependencies` resolves the root project's configurations only",
                         prime_keeps_wrapper=True, prime_carries=((("--no-daemon",), " --no-daemon"),)),
)

CARGO = Ecosystem(
    name="cargo",
    manifests=("Cargo.toml", "Cargo.lock"),
    install=(Invocation("cargo", ("fetch",)),),
    build=(Invocation("cargo", ("build",)), Invocation("cargo", ("install",))),
    deps_only="cargo fetch",
    cache=CacheFacts(
        dirs=(Cache("~/.cargo/registry", under=(("CARGO_HOME", "registry"),)),
              Cache("~/.cargo/git/db", under=(("CARGO_HOME", "git/db"),))),
        users=(Invocation("cargo", ("build",)), Invocation("cargo", ("fetch",)), Invocation("cargo", ("install",)),
               Invocation("cargo", ("test",))),
        config_files=("~/.cargo/config.toml", "~/.cargo/config"),
        readers=(Invocation("cargo"),),
        runtime_readers=(Invocation("cargo"),),
    ),
    reorder=ReorderFacts(check=("Cargo.toml", manifests.cargo_problem),
                         note="cargo fetch with only the manifests was checked offline, not against crates.io"),
)

BUNDLER = Ecosystem(
    name="bundler",
    manifests=("Gemfile", "Gemfile.lock", ".bundle/config"),
    install=(Invocation("bundle", ("install",)), Invocation("bundle", (), bare=True)),
    cache=CacheFacts(
        # Gem archives land in `$GEM_HOME/cache` (GEM_HOME=/usr/local/bundle in the ruby images);
        # without a known GEM_HOME the directory depends on the Ruby install: left alone.
        dirs=(Cache("", under=(("GEM_HOME", "cache"),)),),
        users=(Invocation("bundle", ("install",)), Invocation("bundle", (), bare=True),
               Invocation("gem", ("install",))),
        relocating_args=("--path", "--deployment", "--install-dir", "-i"),
        relocating_env_words=(("BUNDLE_PATH", ""), ("BUNDLE_DEPLOYMENT", ""), ("GEM_PATH", "")),
    ),
    reorder=ReorderFacts(check=("Gemfile", manifests.gemfile_problem)),
)

COMPOSER = Ecosystem(
    name="composer",
    manifests=("composer.json", "composer.lock"),
    install=(Invocation("composer", ("install",)),),
    deps_only="composer install --no-scripts --no-autoloader",
    cache=CacheFacts(
        dirs=(Cache("~/.cache/composer", ("COMPOSER_CACHE_DIR",),
                    under=(("COMPOSER_HOME", "cache"), ("XDG_CACHE_HOME", "composer"))),),
        users=(Invocation("composer", ("install",)), Invocation("composer", ("update",)),
               Invocation("composer", ("require",))),
        project_config=(("composer.json", "cache-dir"),),
    ),
    reorder=ReorderFacts(check=("composer.json", manifests.composer_problem), install_outputs=("vendor",),
                         split_flags=("--no-scripts", "--no-autoloader")),
)

DOTNET = Ecosystem(
    name="dotnet",
    manifests=("**/*.csproj", "**/*.fsproj", "*.sln", "NuGet.config", "nuget.config", "Directory.Build.props",
               "Directory.Packages.props"),
    install=(Invocation("dotnet", ("restore",)),),
    build=(Invocation("dotnet", ("publish",)), Invocation("dotnet", ("build",))),
    deps_only="dotnet restore",
    cache=CacheFacts(
        dirs=(Cache("~/.nuget/packages", ("NUGET_PACKAGES",)),),
        relocating_args=("--packages",),
        project_config=(("NuGet.config", "globalPackagesFolder"), ("nuget.config", "globalPackagesFolder")),
        # `dotnet build` output and `dotnet run` load packages from the global packages folder.
        readers=(Invocation("dotnet"),),
        runtime_readers=(Invocation("dotnet", ("run",)), Invocation("dotnet", ("test",)),
                         Invocation("dotnet", ("watch",))),
        users=(Invocation("dotnet", ("restore",)), Invocation("dotnet", ("publish",)),
               Invocation("dotnet", ("build",))),
    ),
    reorder=ReorderFacts(install_outputs=("**/obj",),
                         note="restore must see every referenced project file; check publish does not restore again",
                         prime_targets=(".csproj", ".fsproj", ".sln")),
)

APT = Ecosystem(
    name="apt",
    manifests=(),
    install=(Invocation("apt-get", ("install",)),),
    cache=CacheFacts(
        # /var/lib/apt/lists, not all of /var/lib/apt: extended_states (which packages were
        # installed automatically, for `apt-get autoremove`) belongs in the image.
        dirs=(Cache("/var/cache/apt", sharing="locked"), Cache("/var/lib/apt/lists", sharing="locked")),
        users=(Invocation("apt-get", ("update",)),),
        cleaners=(Invocation("apt-get", ("clean",)),),
        relocating_args=("Dir::*", "-oDir::*"),
        readers=(Invocation("apt-get", ("install",)), Invocation("apt-get", ("upgrade",)),
                 Invocation("apt-get", ("dist-upgrade",)), Invocation("apt-get", ("build-dep",)),
                 Invocation("apt-get", ("source",)), Invocation("apt-get", ("download",)),
                 Invocation("apt-cache",)),
        root_only=True,
        # The BuildKit reference recipe: Debian's docker-clean hook deletes every .deb the mount should keep.
        keep_setup=KeepSetup(
            command=("rm -f /etc/apt/apt.conf.d/docker-clean; "
                     "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache"),
            markers=("docker-clean", "Keep-Downloaded-Packages"),
            added=("remove the image's docker-clean hook so the apt cache mount keeps downloaded .debs "
                   "(later apt-get installs in images built on this one keep them too)"),
            kept=("the docker-clean hook stays, so the apt cache mount keeps package lists but not .debs: "
                  "removing it would change apt's configuration in a shipped image"),
        ),
    ),
)

APK = Ecosystem(
    name="apk",
    manifests=(),
    install=(Invocation("apk", ("add",)),),
    cache=CacheFacts(
        # apk caches only when /etc/apk/cache exists (apk-cache(5): a symlink to /var/cache/apk);
        # the transform needs that symlink made by the Dockerfile itself and mounts its target.
        dirs=(Cache("/var/cache/apk", sharing="locked"),),
        defeaters=("--no-cache",),
        readers=(Invocation("apk", ("add",)),),
        defeaters_stay=True,
        root_only=True,
        switch=CacheSwitch("/etc/apk/cache", "apk-cache(5)"),
    ),
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


# The PATH every runtime base sets (alpine, debian, distroless all agree); runtime-base
# facts for split-runtime live in refactor/facts/runtimes.py.
STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
