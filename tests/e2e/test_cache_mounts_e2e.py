"""cache-mounts with a real engine: the rewritten Dockerfiles build, and a rebuild after a
dependency-manifest change reuses the download/compile cache the layer cache threw away.

For each fixture app: rewrite a temp copy with the pipeline (only cache-mounts), build it
(BuildKit accepts the mount flags), change the dependency manifest, rebuild (the install
RUN re-runs), and show the cache was reused: pip prints "Using cached"; for npm and Go a
probe build mounts the same cache and lists what the app's builds left there.  The rebuilt
image must still pass the app's smoke checks.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

import transforms
from refactor.engine.pipeline import run as run_pipeline
from refactor.facts.context import BuildContext, TransformContext
from refactor.testing.harness import APPS_DIR, build, load_app, remove_image, run
from refactor.text.document import Document

pytestmark = pytest.mark.e2e


def _rewrite(app_dir: Path) -> str:
    source = Document.parse((app_dir / "Dockerfile").read_bytes())
    outcome = run_pipeline(source, transforms.select(["cache-mounts"]), TransformContext(BuildContext.at(app_dir)))
    assert outcome.changed, f"nothing was rewritten; skips: {outcome.skips}"
    (app_dir / "Dockerfile").write_bytes(outcome.rendered())
    return outcome.output


def _probe(tmp_path: Path, base: str, target: str, script: str) -> str:
    """Build a throwaway image that mounts the same cache (same target = same cache id) and runs `script`."""
    probe = tmp_path / "probe"
    probe.mkdir()
    marker = uuid.uuid4().hex  # defeats the layer cache so the RUN really runs
    (probe / "Dockerfile").write_text(
        f"FROM {base}\nRUN --mount=type=cache,target={target} echo {marker} && {script}\n")
    tag = f"refactor-e2e/probe:{marker[:8]}"
    result = build(probe / "Dockerfile", probe, tag).check()
    remove_image(tag)
    return result.output


def _smoke(name: str, tag: str) -> None:
    for check in load_app(APPS_DIR / name).smoke:
        _, output = run(tag, check.args, entrypoint=check.entrypoint)
        assert check.expect in output, f"{name}: smoke check failed: {output}"


def _app(tmp_path: Path, name: str) -> Path:
    """A copy of the app with a unique file, so `COPY . .` and the install RUN miss the layer cache.

    (Not `--no-cache`: BuildKit then also starts every cache mount empty.)
    """
    app_dir = tmp_path / name
    shutil.copytree(load_app(APPS_DIR / name).path, app_dir)
    (app_dir / ".e2e-run").write_text(uuid.uuid4().hex)
    return app_dir


def _largest_count(listing: str) -> int:
    """The largest number ending a line of a probe's output (`... | wc -l` amid build noise)."""
    counts = [int(line.split()[-1]) for line in listing.splitlines() if line.split() and line.split()[-1].isdigit()]
    return max(counts, default=-1)


def _assert_not_in_image(tag: str, cache_dir: str) -> None:
    code, listing = run(tag, ["sh", "-c", f"ls -A {cache_dir} 2>/dev/null | wc -l"])
    assert code == 0 and listing.strip() == "0", f"the cache {cache_dir} must not be in the image"


def test_pip_reuses_its_download_cache_after_requirements_change(tmp_path: Path, docker_engine: None,
                                                                 record_timing) -> None:  # type: ignore[no-untyped-def]
    app_dir = _app(tmp_path, "python-requirements")
    text = _rewrite(app_dir)
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt" in text
    # docopt is published as an sdist only: pip builds its wheel and keeps it in the wheel cache
    # (this network's proxy strips Cache-Control, so pip's HTTP cache stores no downloads).
    requirements = app_dir / "requirements.txt"
    requirements.write_text(requirements.read_text() + "docopt==0.6.2\n")
    tag = f"refactor-e2e/python-requirements:cache-{uuid.uuid4().hex[:8]}"
    try:
        first = build(app_dir / "Dockerfile", app_dir, tag).check()
        requirements.write_text(requirements.read_text() + "certifi==2024.2.2\n")
        second = build(app_dir / "Dockerfile", app_dir, tag).check()
        record_timing("python-requirements: first build with the pip cache mount", first.duration)
        record_timing("python-requirements: rebuild after adding a requirement", second.duration)
        assert any("pip install" in step for step in second.executed_steps), "pip install must re-run"
        assert "Using cached docopt-0.6.2-py2.py3-none-any.whl" in second.output, second.output
        _assert_not_in_image(tag, "/root/.cache/pip")
        _smoke("python-requirements", tag)
    finally:
        remove_image(tag)


def test_npm_reuses_its_cache_after_package_json_change(tmp_path: Path, docker_engine: None,
                                                        record_timing) -> None:  # type: ignore[no-untyped-def]
    app_dir = _app(tmp_path, "node-lockfile")
    text = _rewrite(app_dir)
    assert "RUN --mount=type=cache,target=/root/.npm npm ci" in text
    tag = f"refactor-e2e/node-lockfile:cache-{uuid.uuid4().hex[:8]}"
    try:
        first = build(app_dir / "Dockerfile", app_dir, tag).check()
        manifest = app_dir / "package.json"
        manifest.write_text(manifest.read_text().replace("over HTTP.", "over HTTP, cached."))
        second = build(app_dir / "Dockerfile", app_dir, tag).check()
        record_timing("node-lockfile: first build with the npm cache mount", first.duration)
        record_timing("node-lockfile: rebuild after a package.json change", second.duration)
        assert any("npm ci" in step for step in second.executed_steps), "npm ci must re-run"
        listing = _probe(tmp_path, "node:18", "/root/.npm",
                         "grep -rl is-number /root/.npm/_cacache/index-v5 | wc -l")
        assert _largest_count(listing) > 0, listing
        _assert_not_in_image(tag, "/root/.npm")
        _smoke("node-lockfile", tag)
    finally:
        remove_image(tag)


def test_go_build_cache_survives_a_go_mod_change(tmp_path: Path, docker_engine: None,
                                                 record_timing) -> None:  # type: ignore[no-untyped-def]
    app_dir = _app(tmp_path, "go-http")
    text = _rewrite(app_dir)
    assert ("RUN --mount=type=cache,target=/go/pkg/mod \\\n"
            "    --mount=type=cache,target=/root/.cache/go-build \\\n    go build") in text
    tag = f"refactor-e2e/go-http:cache-{uuid.uuid4().hex[:8]}"
    try:
        first = build(app_dir / "Dockerfile", app_dir, tag).check()
        with (app_dir / "go.mod").open("a") as handle:
            handle.write("// manifest change\n")
        second = build(app_dir / "Dockerfile", app_dir, tag).check()
        record_timing("go-http: first build with the Go cache mounts", first.duration)
        record_timing("go-http: rebuild after a go.mod change", second.duration)
        assert any("go build" in step for step in second.executed_steps), "go build must re-run"
        listing = _probe(tmp_path, "golang:1.19", "/root/.cache/go-build",
                         "find /root/.cache/go-build -type f | wc -l")
        assert _largest_count(listing) > 10, listing
        _smoke("go-http", tag)
    finally:
        remove_image(tag)
