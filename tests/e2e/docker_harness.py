"""Drive a real Docker engine (with BuildKit) for the end-to-end tests. Stdlib only.

The test machines have no image registry: the engine and the base images are made
locally by ``scripts/engine-up`` and ``scripts/base-images`` (see
``tests/e2e/images/README.md``). dockerd runs without a bridge network, so every build
and container uses ``--network host``.

Typical use::

    from docker_harness import ensure_engine, ensure_base_images, build, run

    ensure_engine()
    ensure_base_images()
    result = build("app/Dockerfile", "app", "myapp:test").check()
    print(result.duration, result.cached_steps, "of", result.total_steps)
    code, output = run("myapp:test", ["--version"])
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPO_ROOT / "scripts"
IMAGES_DIR = Path(__file__).resolve().parent / "images"
APPS_DIR = Path(__file__).resolve().parent / "apps"

__all__ = [
    "APPS_DIR",
    "AppSpec",
    "BuildError",
    "BuildResult",
    "EngineUnavailable",
    "SetupError",
    "SmokeCheck",
    "base_image_tags",
    "build",
    "buildx_available",
    "can_install_engine",
    "engine_available",
    "ensure_base_images",
    "ensure_engine",
    "image_exists",
    "image_size",
    "inspect_config",
    "list_apps",
    "load_app",
    "missing_base_images",
    "remove_image",
    "run",
]


class EngineUnavailable(RuntimeError):
    """No engine answers, and this machine cannot get one (not root, not Debian, ...)."""


class SetupError(RuntimeError):
    """Installing/starting the engine or building base images was tried and failed."""


class BuildError(RuntimeError):
    """``docker build`` failed; ``.result`` holds the log."""

    def __init__(self, result: "BuildResult"):
        tail = "\n".join(result.output.splitlines()[-40:])
        super().__init__(f"building {result.tag} failed (exit {result.returncode}):\n{tail}")
        self.result = result


# ---- engine --------------------------------------------------------------------------


def _docker(*args: str, timeout: float = 60, check: bool = False, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=check, **kw
    )


def engine_available() -> bool:
    """True when a docker client is on PATH and its daemon answers."""
    if shutil.which("docker") is None:
        return False
    try:
        return _docker("info", timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def buildx_available() -> bool:
    try:
        return shutil.which("docker") is not None and _docker("buildx", "version").returncode == 0
    except subprocess.TimeoutExpired:
        return False


def can_install_engine() -> tuple[bool, str]:
    """Whether scripts/engine-up could install and start an engine here, and if not, why."""
    if os.name != "posix" or os.geteuid() != 0:
        return False, "not running as root"
    if not Path("/etc/debian_version").exists() or shutil.which("apt-get") is None:
        return False, "not a Debian machine"
    return True, ""


def _run_script(name: str, *args: str, timeout: float) -> None:
    """Run scripts/<name>, letting its progress lines through; raise SetupError on failure."""
    proc = subprocess.run(
        [str(SCRIPTS_DIR / name), *args], capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise SetupError(f"scripts/{name} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")


def ensure_engine(timeout: float = 600) -> None:
    """Make sure an engine answers, running scripts/engine-up when this machine allows it.

    Raises EngineUnavailable when there is none and none can be installed here, and
    SetupError when installing/starting was tried and failed.
    """
    if engine_available():
        return
    ok, why = can_install_engine()
    if not ok:
        raise EngineUnavailable(
            f"no Docker engine answers and scripts/engine-up cannot install one here ({why})"
        )
    _run_script("engine-up", timeout=timeout)
    if not engine_available():
        raise SetupError("scripts/engine-up succeeded but `docker info` still fails")


# ---- base images ---------------------------------------------------------------------


def base_image_tags() -> list[str]:
    """Every tag scripts/base-images provides (tests/e2e/images/images.txt)."""
    tags = []
    for line in (IMAGES_DIR / "images.txt").read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            tags.extend(fields[2:])
    return tags


def image_exists(tag: str) -> bool:
    return _docker("image", "inspect", tag).returncode == 0


def missing_base_images() -> list[str]:
    return [tag for tag in base_image_tags() if not image_exists(tag)]


def ensure_base_images(timeout: float = 1800) -> None:
    """Build the base images that do not exist yet (scripts/base-images)."""
    if missing_base_images():
        _run_script("base-images", timeout=timeout)
    still_missing = missing_base_images()
    if still_missing:
        raise SetupError(f"scripts/base-images did not provide: {', '.join(still_missing)}")


# ---- build ---------------------------------------------------------------------------

# BuildKit --progress=plain lines: "#7 [build 3/5] RUN go build ...", "#7 CACHED", "#7 DONE 1.2s"
_STEP_RE = re.compile(r"^#(\d+) \[(?:(?P<stage>[^\]]*?) )?(?P<idx>\d+)/(?P<n>\d+)\] (?P<cmd>.*)$")
_CACHED_RE = re.compile(r"^#(\d+) CACHED$")


@dataclass
class BuildResult:
    tag: str
    returncode: int
    duration: float  # seconds, wall clock of the whole `docker build`
    output: str  # the --progress=plain log (stdout + stderr)
    command: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def steps(self) -> dict[int, str]:
        """Dockerfile steps BuildKit ran or took from cache: vertex number -> "[stage i/n] CMD".

        FROM lines are left out: BuildKit never reports them CACHED (they are sources), so
        on a fully cached rebuild ``cached_steps == total_steps``. Note that BuildKit may
        report a WORKDIR step CACHED even with --no-cache.
        """
        found = {}
        for line in self.output.splitlines():
            m = _STEP_RE.match(line)
            if m and not m.group("cmd").startswith("FROM "):
                found[int(m.group(1))] = line.split(" ", 1)[1]
        return found

    @property
    def total_steps(self) -> int:
        return len(self.steps)

    @property
    def cached_step_ids(self) -> set[int]:
        steps = self.steps
        return {
            int(m.group(1))
            for m in map(_CACHED_RE.match, self.output.splitlines())
            if m and int(m.group(1)) in steps
        }

    @property
    def cached_steps(self) -> int:
        """How many Dockerfile steps (FROM excluded) were CACHED."""
        return len(self.cached_step_ids)

    @property
    def executed_steps(self) -> list[str]:
        """The steps that really ran (not from cache), e.g. '[build 3/5] RUN go build ...'."""
        cached = self.cached_step_ids
        return [text for vid, text in sorted(self.steps.items()) if vid not in cached]

    def check(self) -> "BuildResult":
        """Return self, or raise BuildError when the build failed."""
        if not self.ok:
            raise BuildError(self)
        return self


def build(
    dockerfile_path: str | os.PathLike,
    context: str | os.PathLike,
    tag: str,
    target: str | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 1800,
) -> BuildResult:
    """Build with BuildKit (buildx if present), --network host, plain progress captured.

    Does not raise on a failed build: check ``result.ok`` or call ``result.check()``.
    """
    args = ["--network", "host", "--progress=plain", "-f", str(dockerfile_path), "-t", tag]
    if target:
        args += ["--target", target]
    args += [*extra_args, str(context)]
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    if buildx_available():
        cmd = ["docker", "buildx", "build", "--load", *args]
    else:
        cmd = ["docker", "build", *args]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, output = -1, _text(exc.stdout) + _text(exc.stderr) + f"\n[timed out after {timeout}s]"
    return BuildResult(tag, code, time.monotonic() - start, output, cmd)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode(errors="replace")


# ---- run and inspect -----------------------------------------------------------------


def run(
    tag: str,
    cmd: Sequence[str] | None = None,
    timeout: float = 60,
    entrypoint: str | None = None,
    extra_args: Sequence[str] = (),
) -> tuple[int, str]:
    """``docker run --rm --network host [--entrypoint E] TAG [CMD...]`` -> (exit code, output).

    Output is stdout followed by stderr. On timeout the container is removed and the exit
    code is -1.
    """
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    args = ["run", "--rm", "--network", "host", "--name", name]
    if entrypoint is not None:
        args += ["--entrypoint", entrypoint]
    args += [*extra_args, tag, *(cmd or [])]
    try:
        proc = _docker(*args, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _docker("rm", "-f", name)
        return -1, _text(exc.stdout) + _text(exc.stderr) + f"\n[timed out after {timeout}s]"
    return proc.returncode, proc.stdout + proc.stderr


def inspect_config(tag: str) -> dict:
    """The image's config (Cmd, Entrypoint, Env, User, WorkingDir, ExposedPorts, ...)."""
    proc = _docker("image", "inspect", "--format", "{{json .Config}}", tag, check=True)
    return json.loads(proc.stdout) or {}


def image_size(tag: str) -> int:
    """Image size in bytes as `docker image inspect` reports it."""
    proc = _docker("image", "inspect", "--format", "{{.Size}}", tag, check=True)
    return int(proc.stdout.strip())


def remove_image(tag: str) -> None:
    _docker("image", "rm", "-f", tag)


# ---- fixture apps --------------------------------------------------------------------


@dataclass
class SmokeCheck:
    expect: str  # substring the output must contain
    args: list[str] | None = None  # None: the image's own CMD
    entrypoint: str | None = None  # None: the image's own ENTRYPOINT


@dataclass
class AppSpec:
    name: str
    path: Path
    smoke: list[SmokeCheck]
    source_file: str | None = None  # file to edit for "source changed" rebuild benchmarks
    dependency_manifest: str | None = None  # e.g. go.mod, requirements.txt, package.json
    lockfile: str | None = None

    @property
    def dockerfile(self) -> Path:
        return self.path / "Dockerfile"


def load_app(path: str | os.PathLike) -> AppSpec:
    """Read <app>/smoke.toml."""
    path = Path(path)
    data = tomllib.loads((path / "smoke.toml").read_text())
    checks = [
        SmokeCheck(expect=s["expect"], args=s.get("args"), entrypoint=s.get("entrypoint"))
        for s in data.get("smoke", [])
    ]
    bench = data.get("bench", {})
    return AppSpec(
        name=path.name,
        path=path,
        smoke=checks,
        source_file=bench.get("source_file"),
        dependency_manifest=bench.get("dependency_manifest"),
        lockfile=bench.get("lockfile"),
    )


def list_apps() -> list[AppSpec]:
    """Every fixture app under tests/e2e/apps (directories with a smoke.toml)."""
    return [load_app(p.parent) for p in sorted(APPS_DIR.glob("*/smoke.toml"))]
