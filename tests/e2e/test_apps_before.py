"""Every fixture app's single-stage "before" Dockerfile builds and passes its smoke test.

This checks the fixtures themselves (and the base images) before any refactoring: a
refactored Dockerfile must later pass the same smoke checks.
"""

from __future__ import annotations

import pytest

from refactor.testing.harness import build, list_apps, run

APPS = list_apps()

pytestmark = pytest.mark.e2e


@pytest.fixture(params=APPS, ids=[app.name for app in APPS])
def built_app(request, docker_engine, record_timing):
    app = request.param
    tag = f"refactor-e2e/{app.name}:before"
    result = build(app.dockerfile, app.path, tag).check()
    record_timing(f"build {app.name} (before)", result.duration)
    return app, tag  # the image is kept: handy to inspect, and cheap to rebuild


def test_before_image_builds_and_passes_smoke(built_app):
    app, tag = built_app
    assert app.smoke, f"{app.name}/smoke.toml declares no [[smoke]] check"
    for check in app.smoke:
        code, output = run(tag, check.args, entrypoint=check.entrypoint, timeout=120)
        assert code == 0, f"{app.name}: {check} exited {code}:\n{output}"
        assert check.expect in output, f"{app.name}: {check.expect!r} not in output:\n{output}"


def test_every_app_declares_its_rebuild_inputs():
    for app in APPS:
        assert app.dockerfile.is_file(), app.name
        assert app.source_file and (app.path / app.source_file).is_file(), app.name
        if app.dependency_manifest:
            assert (app.path / app.dependency_manifest).is_file(), app.name
        if app.lockfile:
            assert (app.path / app.lockfile).is_file(), app.name
