"""Unattended runs (`--check` in CI, the PR bot) say how many changes need review."""

from __future__ import annotations

from pathlib import Path

from refactor.engine.batch import Rewritten
from refactor.engine.changes import Change, Safety
from refactor.output.report import Report


def _rewritten(*safeties: Safety) -> Rewritten:
    changes = tuple(Change("t", "why", (), safety, 1) for safety in safeties)
    return Rewritten(Path("Dockerfile"), "Dockerfile", b"a", b"b", changes)


def test_summary_counts_changes_that_need_review() -> None:
    report = Report([_rewritten(Safety.SAFE, Safety.REVIEW), _rewritten(Safety.REVIEW)])
    assert report.summary(dry_run=True) == "2 files would be rewritten (2 of 3 changes need review)."


def test_summary_says_when_every_change_is_safe() -> None:
    assert Report([_rewritten(Safety.SAFE)]).summary(dry_run=False) == "1 file rewritten (1 safe change)."
