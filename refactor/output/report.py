"""Rendering results (diff, JSON, Markdown for pull requests) and owning the exit code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from refactor.engine.batch import Failed, FileResult, Rewritten, Unchanged
from refactor.engine.changes import Change, Safety
from refactor.output.diff import rationale_block, unified_diff
from refactor.text.document import BOM

EXIT_OK = 0
EXIT_CHANGES = 1  # --check found something to rewrite
EXIT_ERROR = 2  # usage error, or a file could not be read or parsed


@dataclass
class Report:
    """Counts what happened; black-style wording ("would rewrite") in dry runs."""

    results: list[FileResult] = field(default_factory=list)
    interrupted: bool = False
    not_reached: int = 0  # files an interrupt left unprocessed (untouched)

    def add(self, result: FileResult) -> None:
        self.results.append(result)

    @property
    def changed(self) -> list[Rewritten]:
        return [r for r in self.results if isinstance(r, Rewritten)]

    @property
    def failed(self) -> list[Failed]:
        return [r for r in self.results if isinstance(r, Failed)]

    @property
    def unchanged(self) -> list[Unchanged]:
        return [r for r in self.results if isinstance(r, Unchanged)]

    def exit_code(self, check: bool) -> int:
        if self.failed or self.interrupted:
            return EXIT_ERROR
        if check and self.changed:
            return EXIT_CHANGES
        return EXIT_OK

    def summary(self, dry_run: bool) -> str:
        verb = "would be rewritten" if dry_run else "rewritten"
        keep = "would be left unchanged" if dry_run else "left unchanged"
        parts = []
        if self.changed:
            review = sum(1 for r in self.changed for c in r.changes if c.safety is not Safety.SAFE)
            total = sum(len(r.changes) for r in self.changed)
            needs = (f" ({review} of {total} changes need review)" if review
                     else f" ({total} safe change{'' if total == 1 else 's'})")
            parts.append(f"{len(self.changed)} file{_s(self.changed)} {verb}{needs}")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} file{_s(self.unchanged)} {keep}")
        if self.failed:
            parts.append(f"{len(self.failed)} file{_s(self.failed)} failed")
        if self.not_reached:
            parts.append(f"{self.not_reached} file{'' if self.not_reached == 1 else 's'} not reached")
        if not parts:
            parts.append("no Dockerfiles found")
        text = ", ".join(parts) + "."
        if self.interrupted:
            text = "interrupted: " + text
        return text


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"


def _text(data: bytes) -> str:
    """The text a diff shows: the bytes decoded as `Document.parse` does, without the BOM."""
    return data.decode("utf-8", "surrogateescape").removeprefix(BOM)


def _diff(result: Rewritten) -> str:
    return unified_diff(_text(result.original), _text(result.output), result.display)


def file_diff(result: Rewritten, explain: bool = True) -> str:
    """The rationale block (as `# ` lines) then the unified diff of one file."""
    diff = _diff(result)
    if not diff:
        return ""
    return (rationale_block(result.changes) if explain else "") + diff


def skip_lines(result: FileResult) -> list[str]:
    return [f"{result.display}:{s.line}: {s.transform}: left alone: {s.reason}" for s in result.skips]


def _file_json(r: FileResult) -> dict[str, Any]:
    error: str | None = None
    changes: tuple[Change, ...] = ()
    match r:
        case Rewritten():
            status, written, changes, diff = "changed", r.written, r.changes, _diff(r)
        case Unchanged():
            status, written, diff = "unchanged", False, ""
        case Failed():  # a failed write still lists the changes it would have made
            status, written, changes, diff, error = "error", False, r.changes, "", r.error_message()
    return {
        "path": r.display,
        "status": status,
        "error": error,
        "written": written,
        "changes": [
            {"transform": c.transform, "safety": c.safety.value, "line": c.line, "rationale": c.rationale}
            for c in changes
        ],
        "skipped": [{"transform": s.transform, "line": s.line, "reason": s.reason} for s in r.skips],
        "diff": diff,
    }


def as_json(report: Report) -> str:
    """Machine-readable results for bots: one object per file with changes, skips and diff."""
    files = [_file_json(r) for r in report.results]
    summary = {
        "changed": len(report.changed),
        "unchanged": len(report.unchanged),
        "failed": len(report.failed),
        "interrupted": report.interrupted,
    }
    return json.dumps({"files": files, "summary": summary}, indent=2)


def as_markdown(report: Report) -> str:
    """A pull-request body: what changed and why, per file, with the diff folded in."""
    lines = ["## dockerfile-refactor", ""]
    if not report.changed:
        lines.append("No Dockerfile needs changes.")
    for r in report.changed:
        lines.append(f"### `{r.display}`")
        lines.append("")
        for c in r.changes:
            badge = "" if c.safety.value == "safe" else " **(needs review)**"
            lines.append(f"- `{c.transform}`{badge}: {c.rationale}")
        lines += ["", "<details><summary>diff</summary>", "", "```diff",
                  _diff(r).rstrip("\n"), "```", "", "</details>", ""]
    for failure in report.failed:
        lines.append(f"- :warning: {failure.error_message()}")
    return "\n".join(lines) + "\n"
