"""The `refactor` command as users run it: dry runs, checks, writes, stdin, JSON, errors."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import transforms as registry
from refactor.cli import docgen

NUMERIC = "FROM golang:1.21\nRUN make /bin/app\nFROM scratch\nCOPY --from=0 /bin/app /app\n"
NAMED = "FROM golang:1.21 AS builder\nRUN make /bin/app\nFROM scratch\nCOPY --from=builder /bin/app /app\n"


def refactor(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=60)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(NUMERIC)
    (tmp_path / "svc" / "Dockerfile.dev").write_text(NAMED)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "Dockerfile").write_text(NUMERIC)
    return tmp_path


def test_dry_run_prints_an_applicable_diff_and_writes_nothing(project: Path) -> None:
    result = refactor("--dry-run", "svc/Dockerfile", cwd=project)
    assert result.returncode == 0
    diff = result.stdout.decode()
    assert "--- a/svc/Dockerfile" in diff and "+COPY --from=builder /bin/app /app" in diff
    assert "# name-stages [safe]" in diff
    assert (project / "svc" / "Dockerfile").read_text() == NUMERIC
    (project / "p.diff").write_text(diff)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply", "--check", "p.diff"], cwd=project, check=True)
    assert b"would be rewritten" in result.stderr


def test_check_exits_1_before_and_0_after_a_write(project: Path) -> None:
    assert refactor("--check", "svc", cwd=project).returncode == 1
    written = refactor("svc", cwd=project)
    assert written.returncode == 0
    assert (project / "svc" / "Dockerfile").read_text() == NUMERIC.replace(
        "FROM golang:1.21\n", "FROM golang:1.21 AS builder\n").replace("--from=0", "--from=builder")
    assert refactor("--check", "svc", cwd=project).returncode == 0


def test_directory_walk_finds_dockerfile_variants_and_skips_node_modules(project: Path) -> None:
    result = refactor("--format", "json", "--dry-run", ".", cwd=project)
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == ["svc/Dockerfile", "svc/Dockerfile.dev"]


def test_json_output_carries_each_change_with_its_rationale(project: Path) -> None:
    result = refactor("--format", "json", "--dry-run", "svc/Dockerfile", cwd=project)
    data = json.loads(result.stdout)
    change = data["files"][0]["changes"][0]
    assert change["transform"] == "name-stages" and change["safety"] == "safe" and change["rationale"]
    assert data["files"][0]["diff"].startswith("--- a/svc/Dockerfile")
    assert data["summary"] == {"changed": 1, "unchanged": 0, "failed": 0, "interrupted": False}


def test_markdown_output_is_a_pull_request_body(project: Path) -> None:
    result = refactor("--format", "markdown", "--dry-run", "svc", cwd=project)
    body = result.stdout.decode()
    assert "### `svc/Dockerfile`" in body and "```diff" in body and "`name-stages`" in body


def test_stdin_is_rewritten_to_stdout(project: Path) -> None:
    result = refactor("-", cwd=project, stdin=NUMERIC.encode())
    assert result.returncode == 0
    assert result.stdout.decode() == NAMED


def test_stdin_dry_run_prints_a_diff_named_after_stdin_filename(project: Path) -> None:
    result = refactor("--dry-run", "--stdin-filename", "api/Dockerfile", "-", cwd=project, stdin=NUMERIC.encode())
    assert "--- a/api/Dockerfile" in result.stdout.decode()


def test_unknown_transform_is_a_usage_error(project: Path) -> None:
    result = refactor("--select", "no-such-thing", "svc", cwd=project)
    assert result.returncode == 2
    assert b"unknown transform 'no-such-thing'" in result.stderr


def test_unparsable_file_is_reported_with_its_line_and_the_batch_continues(project: Path) -> None:
    bad = project / "svc" / "Containerfile"
    bad.write_text("FROM a\nRUN <<EOF\necho never closed\n")
    result = refactor("svc", cwd=project)
    assert result.returncode == 2
    assert b"svc/Containerfile:2: error: unterminated heredoc" in result.stderr
    assert bad.read_text() == "FROM a\nRUN <<EOF\necho never closed\n"
    assert "AS builder" in (project / "svc" / "Dockerfile").read_text()


def test_ignore_skips_a_transform(project: Path) -> None:
    result = refactor("--check", "--ignore", "name-stages", "svc", cwd=project)
    assert result.returncode == 0


def test_apply_subcommand_applies_a_dry_run_diff(project: Path) -> None:
    diff = refactor("--dry-run", "svc/Dockerfile", cwd=project).stdout
    (project / "p.diff").write_bytes(diff)
    result = refactor("apply", "p.diff", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "svc" / "Dockerfile").read_text() == NAMED


def test_transforms_subcommand_lists_every_transform_with_its_safety(project: Path) -> None:
    out = refactor("transforms", cwd=project).stdout.decode()
    for transform in registry.REGISTRY:
        assert transform.name in out and transform.safety.value in out


def test_every_transform_module_is_registered() -> None:
    package = Path(registry.__file__).parent
    modules = {m.name for m in pkgutil.iter_modules([str(package)])}
    registered = {t.__module__.rsplit(".", 1)[-1] for t in registry.REGISTRY}
    assert modules == registered


def test_every_transform_documents_itself_under_the_fixed_headings() -> None:
    for transform in registry.REGISTRY:
        doc = transform.__doc__ or ""
        for heading in ("## What it does", "## Why", "## Example", "## Left alone when", "## Fix safety"):
            assert heading in doc, f"{transform.name} lacks {heading}"


def test_generated_transform_docs_are_in_sync() -> None:
    assert docgen.DOCS.read_text() == docgen.render(), "run: python -m refactor.cli.docgen"
