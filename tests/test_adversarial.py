"""Bad input: one clear `path[:line]: error: ...` line, exit 2, the file untouched, the batch going on.

Content cases live in tests/adversarial/ (one file each, the table below says what must
happen); cases that are filesystem objects or too big to commit are built in tmp_path.
Every case runs next to a Dockerfile that does need rewriting, in write mode, so each
test also shows that the batch carries on and still writes the good file.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dockerfile
import pytest

import transforms as registry
from refactor.engine.batch import Failed, FileResult, Rewritten, Settings, Unchanged, process_many
from refactor.engine.files import discover_with_roots

ADVERSARIAL = Path(__file__).resolve().parent / "adversarial"
GOOD = b"FROM golang:1.22\nRUN go build -o /app .\nFROM scratch\nCOPY --from=0 /app /app\n"


def rewritten(path: Path) -> bool:
    """The good file was rewritten (other transforms may add more than the stage name)."""
    data = path.read_bytes()
    return data != GOOD and b"COPY --from=builder /app /app\n" in data


# file -> (error substring, line) for a refusal, or None: the file is processed and stays lossless.
EXPECTED: dict[str, tuple[str, int | None] | None] = {
    "empty.Dockerfile": ("file with no instructions", None),
    "only_comments.Dockerfile": ("file with no instructions", None),
    "binary_content.Dockerfile": ("binary content (NUL byte)", 1),
    "unknown_instruction.Dockerfile": ("unknown instruction: FORM", 3),
    "unterminated_heredoc.Dockerfile": ("unterminated heredoc", 2),
    "invalid_escape_directive.Dockerfile": ("invalid escape token", 1),
    # Not errors: BuildKit accepts these, so the tool must too, byte for byte.
    "invalid_utf8_latin1_comment.Dockerfile": None,  # rewritten; the latin-1 bytes survive
    "unterminated_json_array.Dockerfile": None,  # BuildKit runs `["sh", ...` as a shell command
    "trailing_backslash_at_eof.Dockerfile": None,  # BuildKit keeps the instruction
    "crlf_no_final_newline.Dockerfile": None,
    "bom.Dockerfile": None,
}


def settings(write: bool = True) -> Settings:
    return Settings(transforms=registry.select(), write=write)


def written(result: FileResult) -> bool:
    return isinstance(result, Rewritten) and result.written


def run_batch(tmp_path: Path, write: bool = True) -> dict[str, FileResult]:
    found = discover_with_roots([tmp_path])
    batch = process_many(((p, p.relative_to(tmp_path).as_posix(), r) for p, r in found), settings(write))
    return {r.display: r for r in batch.results}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def test_every_adversarial_file_has_an_expectation() -> None:
    assert sorted(p.name for p in ADVERSARIAL.iterdir() if p.suffix == ".Dockerfile") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_adversarial_file_is_refused_clearly_or_rewritten_losslessly(name: str, tmp_path: Path) -> None:
    source = (ADVERSARIAL / name).read_bytes()
    (tmp_path / name).write_bytes(source)
    (tmp_path / "good.Dockerfile").write_bytes(GOOD)
    results = run_batch(tmp_path)
    assert rewritten(tmp_path / "good.Dockerfile"), "the batch must go on"
    result, expected = results[name], EXPECTED[name]
    if expected is None:
        assert not isinstance(result, Failed), result.error_message()
        after = (tmp_path / name).read_bytes()
        assert dockerfile.parse_string(after.decode("utf-8", "replace"))
        if isinstance(result, Unchanged):
            assert after == source
        assert after.startswith(b"\xef\xbb\xbf") == source.startswith(b"\xef\xbb\xbf")
        assert after.endswith(b"\n") == source.endswith(b"\n")
        assert (b"\r\n" in after) == (b"\r\n" in source)
    else:
        message, line = expected
        assert isinstance(result, Failed) and message in result.error
        assert result.line == line
        where = f"{name}:{line}" if line else name
        assert result.error_message().startswith(f"{where}: error: ")
        assert "\n" not in result.error_message()
        assert (tmp_path / name).read_bytes() == source


def test_latin1_comment_survives_a_rewrite_elsewhere_in_the_file(tmp_path: Path) -> None:
    name = "invalid_utf8_latin1_comment.Dockerfile"
    source = (ADVERSARIAL / name).read_bytes()
    (tmp_path / name).write_bytes(source)
    only_names = Settings(transforms=registry.select(["name-stages"]), write=True)
    result = process_many([(tmp_path / name, name)], only_names).results[0]
    assert written(result)
    after = (tmp_path / name).read_bytes()
    assert b"# Auteur: Ren\xe9 M\xfcller (latin-1, not UTF-8)\n" in after
    assert after == source.replace(b"FROM golang:1.22\n", b"FROM golang:1.22 AS builder\n").replace(
        b"--from=0", b"--from=builder")


def test_cli_prints_one_error_line_per_bad_file_and_exits_2(tmp_path: Path) -> None:
    shutil.copytree(ADVERSARIAL, tmp_path / "repo")
    (tmp_path / "repo" / "good.Dockerfile").write_bytes(GOOD)
    before = snapshot(tmp_path / "repo")
    proc = subprocess.run([sys.executable, "-m", "refactor", "."], cwd=tmp_path / "repo", capture_output=True,
                          timeout=120)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.decode().splitlines() if ": error: " in line]
    refused = sorted(name for name, expected in EXPECTED.items() if expected)
    assert sorted(line.split(":")[0] for line in errors) == refused
    after = snapshot(tmp_path / "repo")
    for name in refused:
        assert after[name] == before[name]
    assert rewritten(tmp_path / "repo" / "good.Dockerfile")


# ---------------------------------------------------------------------------
# Filesystem objects and sizes that are built at test time.

def _directory(tmp: Path) -> Path:
    (tmp / "Dockerfile").mkdir()
    return tmp / "Dockerfile"


def _dangling_symlink(tmp: Path) -> Path:
    (tmp / "Dockerfile").symlink_to(tmp / "nowhere")
    return tmp / "Dockerfile"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "Dockerfile")
    return tmp / "Dockerfile"


def _device(tmp: Path) -> Path:
    try:
        os.mknod(tmp / "Dockerfile", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("mknod needs CAP_MKNOD; test_device_named_directly_is_refused covers the read")
    return tmp / "Dockerfile"


SPECIAL: dict[str, tuple[Callable[[Path], Path], str]] = {
    "directory_named_dockerfile": (_directory, "is a directory"),
    "dangling_symlink": (_dangling_symlink, "dangling symlink"),
    "fifo": (_fifo, "not a regular file (a FIFO)"),
    "device_file": (_device, "not a regular file (a character device)"),
}


@pytest.mark.parametrize("case", sorted(SPECIAL))
def test_special_file_is_refused_in_a_walk_without_blocking(case: str, tmp_path: Path) -> None:
    make, message = SPECIAL[case]
    (tmp_path / "tree").mkdir()
    make(tmp_path / "tree")
    (tmp_path / "tree" / "good.Dockerfile").write_bytes(GOOD)
    results = run_batch(tmp_path / "tree")
    bad = results["Dockerfile"]
    assert isinstance(bad, Failed) and message in bad.error
    assert bad.error_message().startswith("Dockerfile: error: ")
    assert rewritten(tmp_path / "tree" / "good.Dockerfile")


def test_device_named_directly_is_refused() -> None:
    result = process_many([(Path("/dev/null"), "/dev/null")], settings()).results[0]
    assert isinstance(result, Failed)
    assert result.error_message() == "/dev/null: error: not a regular file (a character device)"


def test_symlink_leading_out_of_the_tree_is_not_followed_by_default(tmp_path: Path) -> None:
    outside = tmp_path / "outside.Dockerfile"
    outside.write_bytes(GOOD)
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "Dockerfile").symlink_to(outside)
    result = run_batch(tmp_path / "tree")["Dockerfile"]
    assert isinstance(result, Failed) and "outside" in result.error and "--follow-symlinks" in result.error
    assert outside.read_bytes() == GOOD
    found = list(discover_with_roots([tmp_path / "tree"], follow_symlinks=True))
    batch = process_many([(p, "x", r) for p, r in found], Settings(registry.select(), write=True,
                                                                   follow_symlinks=True))
    assert written(batch.results[0]) and rewritten(outside)
    assert (tmp_path / "tree" / "Dockerfile").is_symlink(), "the link stays a link; its target is rewritten"


def test_symlink_named_on_the_command_line_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.Dockerfile"
    target.write_bytes(GOOD)
    (tmp_path / "link").symlink_to(target)
    batch = process_many([(tmp_path / "link", "link")], settings())
    assert written(batch.results[0])
    assert (tmp_path / "link").is_symlink() and rewritten(target)


def test_symlink_to_another_dockerfile_of_the_tree_is_processed_once_under_its_real_name(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(GOOD)
    (tmp_path / "Dockerfile.alias").symlink_to("Dockerfile")
    assert [p.name for p, _ in discover_with_roots([tmp_path])] == ["Dockerfile"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(GOOD)
    (tmp_path / "Dockerfile").chmod(0)
    result = run_batch(tmp_path)["Dockerfile"]
    assert isinstance(result, Failed) and "Permission denied" in result.error


def test_read_only_file_is_not_rewritten_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(GOOD)
    (tmp_path / "Dockerfile").chmod(0o444)
    result = run_batch(tmp_path)["Dockerfile"]
    assert isinstance(result, Failed) and "read-only" in result.error
    assert (tmp_path / "Dockerfile").read_bytes() == GOOD
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o444


def test_rewrite_keeps_the_file_mode(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(GOOD)
    (tmp_path / "Dockerfile").chmod(0o640)
    assert written(run_batch(tmp_path)["Dockerfile"])
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"], "no temp file is left behind"


def test_file_changed_between_read_and_write_is_not_overwritten(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import refactor.engine.batch as batch_module

    path = tmp_path / "Dockerfile"
    path.write_bytes(GOOD)
    real_run = batch_module.run

    def run_then_edit(*args: object, **kwargs: object) -> object:
        outcome = real_run(*args, **kwargs)  # type: ignore[arg-type]
        path.write_bytes(GOOD + b"# edited meanwhile\n")
        return outcome

    monkeypatch.setattr(batch_module, "run", run_then_edit)
    result = run_batch(tmp_path)["Dockerfile"]
    assert isinstance(result, Failed) and "changed on disk" in result.error
    assert path.read_bytes() == GOOD + b"# edited meanwhile\n"


def test_a_one_megabyte_line_finishes_in_seconds(tmp_path: Path) -> None:
    words = " ".join(f"w{i}" for i in range(150_000))
    source = ("FROM golang:1.22\nRUN echo " + words + "\nFROM scratch\nCOPY --from=0 /a /b\n").encode()
    assert len(source) > 1_000_000
    (tmp_path / "Dockerfile").write_bytes(source)
    started = time.perf_counter()
    result = run_batch(tmp_path)["Dockerfile"]
    assert time.perf_counter() - started < 30
    assert written(result) and words.encode() in (tmp_path / "Dockerfile").read_bytes()


def test_a_hundred_thousand_line_file_finishes_in_seconds(tmp_path: Path) -> None:
    body = "".join(f"RUN echo {i} && \\\n    true\n" for i in range(50_000))
    source = ("FROM golang:1.22\n" + body + "FROM scratch\nCOPY --from=0 /a /b\n").encode()
    (tmp_path / "Dockerfile").write_bytes(source)
    started = time.perf_counter()
    result = run_batch(tmp_path)["Dockerfile"]
    assert time.perf_counter() - started < 90  # a guard against quadratic blow-ups; see fuzz/README.md
    assert written(result)


@pytest.mark.parametrize("script", [
    " && ".join(["true"] * 5000),
    "(" * 3000 + "true" + ")" * 3000,
    "if true; then " * 1000 + "x" + "; fi" * 1000,
])
def test_deeply_nested_shell_does_not_overflow_the_stack(script: str, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(f"FROM golang:1.22\nRUN {script}\nFROM scratch\nCOPY --from=0 /a /b\n"
                                          .encode())
    result = run_batch(tmp_path)["Dockerfile"]
    assert written(result)


@pytest.mark.parametrize("signum", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_batch_between_files_with_a_summary(signum: int, tmp_path: Path) -> None:
    files = [tmp_path / f"svc{i:03}" / "Dockerfile" for i in range(150)]
    for path in files:
        path.parent.mkdir()
        path.write_bytes(GOOD)
    proc = subprocess.Popen([sys.executable, "-m", "refactor", "."], cwd=tmp_path, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.read_bytes() != GOOD for p in files) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    summary = stderr.decode().strip().splitlines()[-1]
    done = [p for p in files if p.read_bytes() != GOOD]
    assert done and all(rewritten(p) for p in done), "every file is old or wholly new"
    assert sorted(q.name for p in files for q in p.parent.iterdir()) == ["Dockerfile"] * len(files)
    if len(done) < len(files):
        assert proc.returncode == 2
        assert summary.startswith("interrupted: ") and f"{len(done)} file" in summary and "not reached" in summary
