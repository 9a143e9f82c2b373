"""reorder-manifests with a real engine: after the rewrite a one-line source edit keeps the install CACHED.

For each fixture app: rewrite its Dockerfile with the pipeline (only reorder-manifests)
into a temp copy, build before and after, edit one source line, rebuild, and compare
which steps re-ran.  The rewritten image must still pass the app's smoke checks.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

import transforms
from refactor.engine.pipeline import run as run_pipeline
from refactor.facts.context import BuildContext, TransformContext
from refactor.testing.harness import APPS_DIR, BuildResult, build, load_app, remove_image, run
from refactor.text.document import Document

pytestmark = pytest.mark.e2e

# app -> (install step before the rewrite or None when there was none, install step after)
APPS = {
    "go-http": (None, "RUN go mod download"),
    "node-lockfile": ("RUN npm ci", "RUN npm ci"),
    "python-requirements": ("RUN pip install -r requirements.txt", "RUN pip install -r requirements.txt"),
    "python-pyproject": ("RUN pip install .", "RUN pip install idna==3.7"),
}
_COMMENT = {".go": "//", ".js": "//", ".py": "#", ".ts": "//"}


def _step(result: BuildResult, text: str) -> int | None:
    return next((vid for vid, step in result.steps.items() if step.endswith(text)), None)


def _edit_one_line(path: Path) -> None:
    with path.open("a") as handle:
        handle.write(f"{_COMMENT.get(path.suffix, '#')} edit {uuid.uuid4().hex}\n")


def _build_and_rebuild(app_dir: Path, tag: str, source_file: str) -> tuple[BuildResult, BuildResult]:
    first = build(app_dir / "Dockerfile", app_dir, tag).check()
    _edit_one_line(app_dir / source_file)
    second = build(app_dir / "Dockerfile", app_dir, tag).check()
    return first, second


@pytest.mark.parametrize("name", list(APPS))
def test_install_step_stays_cached_after_a_source_edit(name: str, tmp_path: Path, docker_engine: None,
                                                         record_timing) -> None:  # type: ignore[no-untyped-def]
    spec = load_app(APPS_DIR / name)
    assert spec.source_file
    before_step, after_step = APPS[name]

    before_dir = tmp_path / "before"
    shutil.copytree(spec.path, before_dir)
    after_dir = tmp_path / "after"
    shutil.copytree(spec.path, after_dir)
    source = Document.parse((after_dir / "Dockerfile").read_bytes())
    outcome = run_pipeline(source, transforms.select(["reorder-manifests"]),
                           TransformContext(BuildContext.at(after_dir)))
    assert outcome.changed, f"{name}: nothing was rewritten; skips: {outcome.skips}"
    (after_dir / "Dockerfile").write_bytes(outcome.rendered())

    tag = f"refactor-e2e/{name}:reorder-{uuid.uuid4().hex[:8]}"
    try:
        _, before = _build_and_rebuild(before_dir, tag + "-before", spec.source_file)
        _, after = _build_and_rebuild(after_dir, tag + "-after", spec.source_file)
        record_timing(f"{name}: rebuild after a source edit, original Dockerfile", before.duration)
        record_timing(f"{name}: rebuild after a source edit, reorder-manifests", after.duration)

        if before_step is not None:
            step = _step(before, before_step)
            assert step is not None, before.steps
            assert step not in before.cached_step_ids, f"{name}: the install was cached before the rewrite?"
        step = _step(after, after_step)
        assert step is not None, f"{name}: {after_step!r} not among {after.steps}"
        assert step in after.cached_step_ids, f"{name}: {after_step} re-ran after a source edit:\n{after.output}"

        for check in spec.smoke:
            code, output = run(tag + "-after", check.args, entrypoint=check.entrypoint, timeout=120)
            assert code == 0 and check.expect in output, f"{name}: smoke {check} failed:\n{output}"
    finally:
        remove_image(tag + "-before")
        remove_image(tag + "-after")
