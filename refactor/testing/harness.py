"""Set up a real Docker engine (with BuildKit) and the fixture apps for the end-to-end tests and bench/.

The test machines have no image registry: the engine and the base images are made
locally by ``scripts/engine-up`` and ``scripts/base-images`` (see
``tests/e2e/images/README.md``). dockerd runs without a bridge network, so every build
and container uses ``--network host``. The scripts and the fixture apps live in the
repository (``scripts/``, ``tests/e2e/``), so this works from a checkout.

Typical use::

    from refactor.testing.harness import ensure_engine, ensure_base_images, build, run

    ensure_engine()
    ensure_base_images()
    result = build("app/Dockerfile", "app", "myapp:test").check()
    print(result.duration, result.cached_steps, "of", result.total_steps)
    code, output = run("myapp:test", ["--version"])
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from refactor.verify import buildkit

REPO_ROOT = Path(__file__).resolve().parents[2]  # refactor/testing/harness.py
SCRIPTS_DIR = REPO_ROOT / "scripts"
IMAGES_DIR = REPO_ROOT / "tests" / "e2e" / "images"
APPS_DIR = REPO_ROOT / "tests" / "e2e" / "apps"

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


# ---- engine --------------------------------------------------------------------------


engine_available = buildkit.engine_available


buildx_available = buildkit.buildx_available


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


image_exists = buildkit.image_exists


def missing_base_images() -> list[str]:
    return [tag for tag in base_image_tags() if not image_exists(tag)]


def ensure_base_images(timeout: float = 1800) -> None:
    """Build the base images that do not exist yet (scripts/base-images)."""
    if missing_base_images():
        _run_script("base-images", timeout=timeout)
    still_missing = missing_base_images()
    if still_missing:
        raise SetupError(f"scripts/base-images did not provide: {', '.join(still_missing)}")


# ---- build, run, inspect: the product's own BuildKit driver (refactor/verify/buildkit.py) ----------

build = buildkit.build
run = buildkit.run
inspect_config = buildkit.inspect_config
image_size = buildkit.image_size
remove_image = buildkit.remove_image
BuildResult = buildkit.BuildResult
BuildError = buildkit.BuildError


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


def load_app(path: str | os.PathLike[str]) -> AppSpec:
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
