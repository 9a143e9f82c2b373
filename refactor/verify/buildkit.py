"""Driving a BuildKit engine through the docker CLI: build, run, inspect, export, remove.

`refactor verify` and the e2e tests both use this.  Builds go through `docker buildx
build --load` when buildx exists (so `--builder` can pick any buildx builder: a remote
or Kubernetes BuildKit), else `DOCKER_BUILDKIT=1 docker build`.  Builds and containers use
`--network host` by default, which works both with and without a bridge network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

# `#7 [builder 3/5] RUN go build ...` opens a step; `#7 CACHED` marks it as reused.
_STEP_RE = re.compile(r"^#(\d+) \[(?:[^\]]*?\s)?\d+/\d+\] (?P<cmd>.*)$")
_CACHED_RE = re.compile(r"^#(\d+) CACHED\s*$")


class EngineError(RuntimeError):
    """The docker CLI is missing or the engine does not answer."""


class BuildError(RuntimeError):
    """A build failed; `.result` holds the whole log."""

    def __init__(self, result: BuildResult) -> None:
        super().__init__(f"building {result.tag} failed (exit {result.returncode}):\n{result.tail(40)}")
        self.result = result


@lru_cache(maxsize=1)
def buildx_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0


def engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def docker(*args: str, timeout: float = 120, check: bool = False) -> subprocess.CompletedProcess[str]:
    if shutil.which("docker") is None:
        raise EngineError("the docker CLI is not on PATH")
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=check)


@dataclass
class BuildResult:
    tag: str
    returncode: int
    duration: float  # seconds, wall clock of the whole build
    output: str  # BuildKit's plain progress log
    command: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def steps(self) -> dict[int, str]:
        """Dockerfile steps by vertex id: `[stage 2/4] RUN ...`.

        FROM is left out: BuildKit never reports it CACHED, so a fully cached rebuild has
        `cached_steps == total_steps`.  BuildKit may report WORKDIR CACHED even with --no-cache.
        """
        found: dict[int, str] = {}
        for line in self.output.splitlines():
            match = _STEP_RE.match(line)
            if match and not match.group("cmd").startswith("FROM "):
                found[int(match.group(1))] = line.split(" ", 1)[1]
        return found

    @property
    def cached_step_ids(self) -> set[int]:
        steps = self.steps
        cached = (_CACHED_RE.match(line) for line in self.output.splitlines())
        return {int(m.group(1)) for m in cached if m and int(m.group(1)) in steps}

    @property
    def total_steps(self) -> int:
        return len(self.steps)

    @property
    def cached_steps(self) -> int:
        return len(self.cached_step_ids)

    @property
    def executed_steps(self) -> list[str]:
        """The steps that really ran, e.g. `[builder 3/5] RUN go mod download`."""
        cached = self.cached_step_ids
        return [text for vid, text in sorted(self.steps.items()) if vid not in cached]

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def check(self) -> BuildResult:
        """Self, or BuildError when the build failed."""
        if not self.ok:
            raise BuildError(self)
        return self


def build(
    dockerfile: Path | str,
    context: Path | str,
    tag: str,
    target: str | None = None,
    builder: str | None = None,
    no_cache: bool = False,
    network: str | None = "host",
    extra_args: Sequence[str] = (),
    timeout: float = 1800,
) -> BuildResult:
    """Build and load `tag`; never raises for a failed build (see `BuildResult.ok`)."""
    args = ["--progress=plain", "-f", str(dockerfile), "-t", tag]
    if network:
        args += ["--network", network]
    if target:
        args += ["--target", target]
    if no_cache:
        args.append("--no-cache")
    args += [*extra_args, str(context)]
    if buildx_available():
        command = ["docker", "buildx", "build", *(["--builder", builder] if builder else []), "--load", *args]
    elif builder:
        raise EngineError("--builder needs docker buildx, which is not installed")
    else:
        command = ["docker", "build", *args]
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    start = time.monotonic()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as error:
        code, output = -1, _text(error.stdout) + _text(error.stderr) + f"\n[timed out after {timeout}s]"
    return BuildResult(tag, code, time.monotonic() - start, output, command)


def run(
    tag: str,
    command: Sequence[str] | None = None,
    timeout: float = 60,
    entrypoint: str | None = None,
    network: str | None = "host",
) -> tuple[int, str]:
    """`docker run --rm` -> (exit code, stdout then stderr); exit -1 on timeout."""
    name = f"refactor-{uuid.uuid4().hex[:12]}"
    args = ["run", "--rm", "--name", name]
    if network:
        args += ["--network", network]
    if entrypoint is not None:
        args += ["--entrypoint", entrypoint]
    args += [tag, *(command or [])]
    try:
        proc = docker(*args, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        docker("rm", "-f", name)
        return -1, _text(error.stdout) + _text(error.stderr) + f"\n[timed out after {timeout}s]"
    return proc.returncode, proc.stdout + proc.stderr


def inspect_config(tag: str) -> dict[str, Any]:
    """The image's config: Cmd, Entrypoint, Env, User, WorkingDir, ExposedPorts, ..."""
    proc = docker("image", "inspect", "--format", "{{json .Config}}", tag, check=True)
    value = json.loads(proc.stdout)
    return value if isinstance(value, dict) else {}


def image_size(tag: str) -> int:
    proc = docker("image", "inspect", "--format", "{{.Size}}", tag, check=True)
    return int(proc.stdout.strip())


def image_exists(tag: str) -> bool:
    return docker("image", "inspect", tag).returncode == 0


def remove_image(tag: str) -> None:
    docker("image", "rm", "-f", tag)


def export_filesystem(tag: str, destination: Path) -> Path:
    """The image's flattened filesystem as a tar file (via `docker create` + `docker export`)."""
    created = docker("create", tag, "/nonexistent-entrypoint", check=True).stdout.strip()
    try:
        with destination.open("wb") as out:
            proc = subprocess.run(["docker", "export", created], stdout=out, stderr=subprocess.PIPE, timeout=600)
        if proc.returncode != 0:
            raise EngineError(f"docker export failed: {proc.stderr.decode(errors='replace').strip()}")
    finally:
        docker("rm", "-f", created)
    return destination


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode(errors="replace")
