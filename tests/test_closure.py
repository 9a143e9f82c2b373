"""Runtime-closure checks on synthetic image filesystems built from this machine's own files."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from refactor.verify.closure import ImageFiles, check_closure

TRUE = Path(shutil.which("true") or "/bin/true").resolve()


def _ldd(binary: Path) -> list[Path]:
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    paths = []
    for line in out.splitlines():
        for word in line.split():
            if word.startswith("/"):
                paths.append(Path(word))
    return paths


def _image(tmp_path: Path, files: dict[str, Path | bytes], links: dict[str, str] | None = None) -> ImageFiles:
    tar_path = tmp_path / "image.tar"
    with tarfile.open(tar_path, "w") as archive:
        for name, source in files.items():
            data = source.read_bytes() if isinstance(source, Path) else source
            info = tarfile.TarInfo(name.lstrip("/"))
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name.lstrip("/"))
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return ImageFiles(tar_path)


needs_ldd = pytest.mark.skipif(shutil.which("ldd") is None, reason="ldd is not installed")


@needs_ldd
def test_dynamic_binary_with_its_libraries_is_complete(tmp_path: Path) -> None:
    files: dict[str, Path | bytes] = {"/app/true": TRUE}
    for library in _ldd(TRUE):
        files[str(library)] = library.resolve()
    closure = check_closure(_image(tmp_path, files), {"Entrypoint": ["/app/true"]})
    assert closure.ok, closure.problems


@needs_ldd
def test_dynamic_binary_on_scratch_lacks_interpreter_and_libc(tmp_path: Path) -> None:
    closure = check_closure(_image(tmp_path, {"/app/true": TRUE}), {"Cmd": ["/app/true"]})
    assert any("program interpreter" in p for p in closure.problems)
    assert any("libc.so.6" in p for p in closure.problems)


def test_missing_entrypoint_is_reported(tmp_path: Path) -> None:
    closure = check_closure(_image(tmp_path, {"/etc/hostname": b"x\n"}), {"Entrypoint": ["/bin/server"]})
    assert closure.problems == ["the command needs /bin/server, which is not in the image"]


def test_command_is_found_on_the_images_path_through_a_symlink(tmp_path: Path) -> None:
    files: dict[str, Path | bytes] = {"/usr/bin/tool": b"#!/usr/bin/tool\n", "/srv/app.py": b"print()\n"}
    image = _image(tmp_path, files, links={"/bin": "usr/bin"})
    closure = check_closure(image, {"Cmd": ["tool"], "Env": ["PATH=/bin"]})
    assert closure.ok, closure.problems


def test_shell_healthcheck_needs_a_shell(tmp_path: Path) -> None:
    image = _image(tmp_path, {"/server": b"#!/server\n"})
    config = {"Entrypoint": ["/server"], "Healthcheck": {"Test": ["CMD-SHELL", "curl -f localhost"]}}
    assert "HEALTHCHECK's shell needs /bin/sh, which is not in the image" in check_closure(image, config).problems


def test_interpreter_script_argument_must_exist(tmp_path: Path) -> None:
    image = _image(tmp_path, {"/usr/bin/python3": b"#!/usr/bin/python3\n"})
    config = {"Cmd": ["python3", "app.py"], "WorkingDir": "/srv"}
    assert check_closure(image, config).problems == ["the command runs python3 on app.py, which is not in the image"]
