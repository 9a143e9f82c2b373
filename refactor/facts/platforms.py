"""Platform facts: which base images and settings mean a Windows container stage.

Windows containers are built by the classic builder, which rejects BuildKit-only syntax
(`RUN --mount`), and their paths are Windows paths: every BuildKit-only rewrite leaves
such stages alone.
"""

from __future__ import annotations

import fnmatch
import re

# fnmatch over the lower-cased image reference as written in FROM.
WINDOWS_IMAGES = (
    "mcr.microsoft.com/windows/*", "mcr.microsoft.com/windows:*", "mcr.microsoft.com/powershell:*nanoserver*",
    "*:*nanoserver*", "*:*windowsservercore*", "*:*ltsc20[0-9][0-9]*", "*/*-windows:*", "*/*-windows",
    "*/windows-*", "stefanscherer/*windows*", "*:windows*", "*:*-windows*",
)
WINDOWS_SHELLS = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe"})
_DRIVE_PATH_RE = re.compile(r"^[\"']?[A-Za-z]:[\\/]")


def windows_image(reference: str) -> bool:
    ref = reference.lower()
    return any(fnmatch.fnmatchcase(ref, pattern) for pattern in WINDOWS_IMAGES)


def windows_shell(program: str) -> bool:
    return program.lower().replace("\\", "/").rsplit("/", 1)[-1] in WINDOWS_SHELLS


def windows_path(path: str) -> bool:
    """`C:\\app` or `c:/app`: a WORKDIR only a Windows container has."""
    return bool(_DRIVE_PATH_RE.match(path.strip()))
