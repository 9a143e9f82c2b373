"""Fixtures for the end-to-end tests that build and run real images.

The ``docker_engine`` fixture (session scope) makes sure a Docker engine with BuildKit
and the local base images exist, installing/building them when this machine allows it
(root on Debian; see scripts/engine-up and scripts/base-images). When there is no
engine and none can be installed here, e2e tests are skipped -- unless the ``CI``
environment variable is set: then they fail, so CI cannot go green without running them.
"""

from __future__ import annotations

import os
import time

import pytest

from refactor.testing import harness

# (what, seconds) pairs shown at the end of the run: setup and build timings.
TIMINGS: list[tuple[str, float]] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: builds and runs real images with Docker (slow; needs an engine)"
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"e2e tests cannot run and CI is set: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """Ensure the engine and every base image exist; skip (or fail under CI) if impossible."""
    unavailable = failed = None
    try:
        start = time.monotonic()
        harness.ensure_engine()
        TIMINGS.append(("engine ready", time.monotonic() - start))
        start = time.monotonic()
        harness.ensure_base_images()
        TIMINGS.append(("base images ready", time.monotonic() - start))
    except harness.EngineUnavailable as exc:
        unavailable = str(exc)
    except harness.SetupError as exc:
        failed = str(exc)
    # Outside the except blocks, so pytest shows the message and not a chained traceback.
    if unavailable:
        _unavailable(unavailable)
    if failed:
        pytest.fail(failed, pytrace=False)


@pytest.fixture
def record_timing():
    """record_timing(label, seconds): report a duration in the summary at the end."""
    return lambda label, seconds: TIMINGS.append((label, seconds))


def pytest_terminal_summary(terminalreporter) -> None:
    if TIMINGS:
        terminalreporter.section("e2e timings")
        for label, seconds in TIMINGS:
            terminalreporter.write_line(f"{seconds:8.1f}s  {label}")
