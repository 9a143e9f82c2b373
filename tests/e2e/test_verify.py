"""`refactor verify` against real BuildKit builds: equivalent, different (broken rewrite), build failure."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refactor.testing.harness import APPS_DIR

pytestmark = pytest.mark.e2e

BROKEN_RUNTIME = """FROM golang:1.19 AS builder
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/hello-http .

FROM debian:bookworm-slim
EXPOSE 8080
CMD ["hello-http"]
"""


@pytest.fixture()
def go_http(tmp_path: Path) -> Path:
    app = tmp_path / "go-http"
    shutil.copytree(APPS_DIR / "go-http", app)
    return app


def verify(app: Path, *args: str) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "refactor", "verify", "Dockerfile", "--format", "json", *args],
        cwd=app, capture_output=True, text=True, timeout=1200,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_unchanged_file_is_equivalent(go_http: Path, docker_engine: None) -> None:
    shutil.copy(go_http / "Dockerfile", go_http / "before.Dockerfile")
    code, report = verify(go_http, "--against", "before.Dockerfile", "--smoke", "hello-http -self-check")
    assert code == 0, report
    assert report["equivalent"] and report["closure_problems"] == []
    assert "self-check: status=ok" in report["after"]["smoke"]["output"]
    assert report["edited"] == {"source": "main.go", "manifest": "go.mod"}
    assert report["after"]["rebuilds"]["source"]["total_steps"] >= 3


def test_runtime_stage_missing_the_binary_is_reported_as_different(go_http: Path, docker_engine: None) -> None:
    shutil.copy(go_http / "Dockerfile", go_http / "before.Dockerfile")
    (go_http / "Dockerfile").write_text(BROKEN_RUNTIME)
    code, report = verify(go_http, "--against", "before.Dockerfile", "--no-timings")
    assert code == 1
    assert not report["equivalent"]
    assert "the command needs hello-http, which is not in the image" in report["closure_problems"]
    assert report["smoke_difference"]
    assert any(d.startswith("Env GOPATH") for d in report["env_differences"])  # golang's GOPATH is gone


def test_a_rewrite_that_does_not_build_exits_2_with_the_log_tail(go_http: Path, docker_engine: None) -> None:
    shutil.copy(go_http / "Dockerfile", go_http / "before.Dockerfile")
    (go_http / "Dockerfile").write_text("FROM golang:1.19\nCOPY missing-file /x\n")
    code, report = verify(go_http, "--against", "before.Dockerfile", "--no-timings")
    assert code == 2
    assert "after failed to build" in report["build_failure"] and "missing-file" in report["build_failure"]


def test_env_differences_are_listed_and_fail_only_with_strict_env(go_http: Path, docker_engine: None) -> None:
    shutil.copy(go_http / "Dockerfile", go_http / "before.Dockerfile")
    (go_http / "Dockerfile").write_text("FROM golang:1.19\nENV EXTRA=1\n" + (go_http / "before.Dockerfile").read_text()
                                        .removeprefix("FROM golang:1.19\n"))
    code, report = verify(go_http, "--against", "before.Dockerfile", "--no-timings", "--smoke", "hello-http -self-check")
    assert code == 0 and report["env_differences"] == ["Env EXTRA: None -> '1'"]
    code, report = verify(go_http, "--against", "before.Dockerfile", "--no-timings", "--strict-env",
                          "--smoke", "hello-http -self-check")
    assert code == 1 and not report["equivalent"]
