"""split-runtime (+ parallel-targets) with a real engine: the slim image runs the same program, much smaller.

For the Go fixture apps: rewrite a temp copy of the Dockerfile, build before and after,
run every smoke check from smoke.toml against the rewritten image (client/server: each
check against the target that holds its binary), compare image sizes, and run
`refactor verify`: Env differs by design (the runtime base's), but the runtime closure
must be complete and the smoke output equal.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import transforms
from refactor.analysis.stages import StageGraph
from refactor.engine.pipeline import run as run_pipeline
from refactor.facts.context import BuildContext, TransformContext
from refactor.testing.harness import APPS_DIR, build, image_size, inspect_config, load_app, remove_image, run
from refactor.text.document import Document
from refactor.verify.command import compare_configs

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def _rewrite(app: str, tmp_path: Path, names: list[str]) -> tuple[Path, Path, str]:
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    shutil.copytree(APPS_DIR / app, before_dir)
    shutil.copytree(APPS_DIR / app, after_dir)
    source = Document.parse((after_dir / "Dockerfile").read_bytes())
    outcome = run_pipeline(source, transforms.select(names), TransformContext(BuildContext.at(after_dir)))
    assert outcome.changed, f"{app}: nothing was rewritten; skips: {outcome.skips}"
    (after_dir / "Dockerfile").write_bytes(outcome.rendered())
    return before_dir, after_dir, outcome.output


def _sizes(app: str, before: str, after: str, record_timing) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    b, a = image_size(before), image_size(after)
    record_timing(f"{app}: image size before {b / 1e6:.1f} MB, after {a / 1e6:.1f} MB (seconds column unused)", 0)
    return b, a


# The goals: compiled binaries at most 5% of the toolchain image, a jar on the JRE at most 80%,
# Python with build-only compilers at most 60%, Node without its devDependencies smaller.
@pytest.mark.parametrize(("app", "runtime", "max_ratio"), [
    ("go-http", "gcr.io/distroless/base-debian12", 0.05),  # golang:1.19 builds with cgo on: glibc runtime
    ("rust-binary", "gcr.io/distroless/cc-debian12", 0.05),  # a Rust binary needs glibc and libgcc_s
    ("java-javac", "eclipse-temurin:17-jre", 0.80),  # the jar runs on the JRE of the JDK's major
    ("python-requirements", "python:3.11-slim", 0.60),  # a venv on the slim variant; gcc stays behind
    ("node-typescript", "node:18-slim", 0.99),  # devDependencies (typescript) pruned, on the slim variant
])
def test_single_artifact_runs_from_a_slim_runtime(app: str, runtime: str, max_ratio: float, tmp_path: Path,
                                                  docker_engine: None, record_timing) -> None:  # type: ignore[no-untyped-def]
    spec = load_app(APPS_DIR / app)
    before_dir, after_dir, text = _rewrite(app, tmp_path, ["split-runtime"])
    assert f"FROM {runtime}\n" in text
    tag = f"refactor-e2e/{app}:split-{uuid.uuid4().hex[:8]}"
    try:
        build(before_dir / "Dockerfile", before_dir, tag + "-before").check()
        build(after_dir / "Dockerfile", after_dir, tag + "-after").check()
        for check in spec.smoke:
            code, output = run(tag + "-after", check.args, entrypoint=check.entrypoint)
            assert code == 0 and check.expect in output, output
        old, new = inspect_config(tag + "-before"), inspect_config(tag + "-after")
        assert compare_configs(old, new) == [] or all(d.startswith("Env ") for d in compare_configs(old, new))
        before, after = _sizes(app, tag + "-before", tag + "-after", record_timing)
        assert after <= before * max_ratio, (before, after)
    finally:
        remove_image(tag + "-before")
        remove_image(tag + "-after")


def test_go_client_server_gets_parallel_targets(tmp_path: Path, docker_engine: None, record_timing) -> None:  # type: ignore[no-untyped-def]
    spec = load_app(APPS_DIR / "go-client-server")
    before_dir, after_dir, text = _rewrite("go-client-server", tmp_path,
                                           ["split-runtime", "parallel-targets", "name-stages"])
    names = [s.name for s in StageGraph.build(Document.parse(text)).stages]
    assert names == ["base", "build-client", "build-server", "client", "server"], text
    tag = f"refactor-e2e/go-client-server:split-{uuid.uuid4().hex[:8]}"
    tags = {"before": tag + "-before", "server": tag + "-server", "client": tag + "-client"}
    try:
        build(before_dir / "Dockerfile", before_dir, tags["before"]).check()
        build(after_dir / "Dockerfile", after_dir, tags["server"]).check()  # no --target: the default
        build(after_dir / "Dockerfile", after_dir, tags["client"], target="client").check()
        for check in spec.smoke:
            image = tags["client"] if check.entrypoint == "/bin/client" else tags["server"]
            code, output = run(image, check.args, entrypoint=check.entrypoint)
            assert code == 0 and check.expect in output, output
        old, new = inspect_config(tags["before"]), inspect_config(tags["server"])
        assert all(d.startswith("Env ") for d in compare_configs(old, new)), compare_configs(old, new)
        assert inspect_config(tags["client"]).get("Entrypoint") == ["/bin/client"]
        before, after = _sizes("go-client-server", tags["before"], tags["server"], record_timing)
        client = image_size(tags["client"])
        record_timing(f"go-client-server: client target {client / 1e6:.1f} MB (seconds column unused)", 0)
        assert after * 5 < before and client * 5 < before, (before, after, client)
    finally:
        for t in tags.values():
            remove_image(t)


def test_refactor_verify_reports_a_complete_closure_and_equal_smoke(tmp_path: Path, docker_engine: None) -> None:
    before_dir, after_dir, _ = _rewrite("go-http", tmp_path, ["split-runtime"])
    proc = subprocess.run(
        [sys.executable, "-m", "refactor", "verify", str(after_dir / "Dockerfile"), "--format", "json",
         "--against", str(before_dir / "Dockerfile"), "--no-timings",
         "--smoke", "hello-http -self-check"],
        capture_output=True, text=True, cwd=REPO, timeout=1800,
    )
    assert proc.returncode in (0, 1), proc.stderr
    verdict = json.loads(proc.stdout)
    assert verdict["build_failure"] is None
    assert verdict["closure_problems"] in (None, []), verdict["closure_problems"]
    assert verdict["smoke_difference"] is None, verdict
    assert verdict["after"]["smoke"]["exit_code"] == 0
    assert all(d.startswith("Env") for d in verdict["config_differences"]), verdict["config_differences"]
    assert verdict["after"]["size_bytes"] * 5 < verdict["before"]["size_bytes"]
