"""Diffs that `git apply`, `patch -p1`, unidiff and `refactor apply` all accept, for awkward files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from unidiff import PatchSet

from refactor.output.diff import split_keep_ends, unified_diff
from refactor.output.patch import PatchError, apply_patch

PAIRS = {
    "plain": ("FROM a\nRUN b\nCOPY --from=0 x y\n", "FROM a AS builder\nRUN b\nCOPY --from=builder x y\n"),
    "crlf": ("FROM a\r\nRUN b\r\n", "FROM a AS builder\r\nRUN b\r\n"),
    "no_final_newline_both": ("FROM a\nCOPY --from=0 x y", "FROM a\nCOPY --from=builder x y"),
    "final_newline_added": ("FROM a\nRUN b", "FROM a\nRUN b\nRUN c\n"),
    "final_newline_removed": ("FROM a\nRUN b\n", "FROM a\nRUN c"),
    "form_feed_and_unicode_separators": ("FROM a\nRUN echo \x0c\u2028\x85 x\nRUN b\n", "FROM a\nRUN echo \x0c\u2028\x85 x\nRUN c\n"),
    "insertion_at_top": ("RUN b\n", "FROM a\nRUN b\n"),
    "long_file_two_hunks": (
        "".join(f"RUN {i}\n" for i in range(30)),
        "".join(f"RUN {i}\n" if i not in (2, 25) else f"RUN x{i}\n" for i in range(30)),
    ),
}


def test_split_keeps_carriage_returns_and_separators_inside_lines() -> None:
    assert split_keep_ends("a\r\nb\x0cc\u2028d\ne") == ["a\r\n", "b\x0cc\u2028d\n", "e"]


def test_equal_texts_give_an_empty_diff() -> None:
    assert unified_diff("FROM a\n", "FROM a\n", "Dockerfile") == ""


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_diff_is_a_valid_unidiff_patch(name: str) -> None:
    old, new = PAIRS[name]
    patch = PatchSet(split_keep_ends(unified_diff(old, new, "Dockerfile")))
    assert len(patch) == 1
    assert patch[0].path == "Dockerfile"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_git_apply_reproduces_the_new_text(name: str, tmp_path: Path) -> None:
    old, new = PAIRS[name]
    target = tmp_path / "Dockerfile"
    target.write_bytes(old.encode())
    patch = tmp_path / "change.diff"
    patch.write_bytes(unified_diff(old, new, "Dockerfile").encode())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, check=True)
    assert target.read_bytes() == new.encode()


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch(1) is not installed")
@pytest.mark.parametrize("name", ["plain", "crlf", "no_final_newline_both"])
def test_patch_p1_reproduces_the_new_text(name: str, tmp_path: Path) -> None:
    old, new = PAIRS[name]
    (tmp_path / "Dockerfile").write_bytes(old.encode())
    diff = unified_diff(old, new, "Dockerfile").encode()
    subprocess.run(["patch", "-p1", "-s", "--binary"], cwd=tmp_path, input=diff, check=True)
    assert (tmp_path / "Dockerfile").read_bytes() == new.encode()


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_refactor_apply_reproduces_the_new_text(name: str, tmp_path: Path) -> None:
    old, new = PAIRS[name]
    (tmp_path / "Dockerfile").write_bytes(old.encode())
    applied = apply_patch(unified_diff(old, new, "Dockerfile"), tmp_path)
    assert [a.path.name for a in applied] == ["Dockerfile"]
    assert (tmp_path / "Dockerfile").read_bytes() == new.encode()


def test_refactor_apply_refuses_on_context_mismatch_and_writes_nothing(tmp_path: Path) -> None:
    old, new = PAIRS["plain"]
    drifted = old.replace("RUN b", "RUN changed")
    (tmp_path / "Dockerfile").write_text(drifted)
    with pytest.raises(PatchError, match="does not match"):
        apply_patch(unified_diff(old, new, "Dockerfile"), tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == drifted


def test_rationale_preamble_does_not_disturb_git_apply(tmp_path: Path) -> None:
    old, new = PAIRS["plain"]
    (tmp_path / "Dockerfile").write_text(old)
    text = "# name-stages [safe] line 1: why\n" + unified_diff(old, new, "Dockerfile")
    (tmp_path / "p.diff").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True)
    assert (tmp_path / "Dockerfile").read_text() == new
