"""Process one Dockerfile or many: results as values, never exceptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refactor.changes import Change, Skip
from refactor.context import BuildContext, TransformContext
from refactor.document import ParseError
from refactor.files import FileError, digest, read_source, write_atomic
from refactor.pipeline import Outcome, PipelineError, run
from refactor.transform import Transform


@dataclass
class FileResult:
    """What happened to one file: `error` set means nothing was written."""

    path: Path
    display: str  # the path as shown in diffs and messages
    original: str = ""
    output: str = ""
    changes: list[Change] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    error: str | None = None
    error_line: int | None = None
    written: bool = False
    outcome: Outcome | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.output != self.original

    def error_message(self) -> str:
        where = f"{self.display}:{self.error_line}" if self.error_line else self.display
        return f"{where}: error: {self.error}"


@dataclass(frozen=True)
class Settings:
    transforms: Sequence[Transform]
    context_dir: Path | None = None  # None: each Dockerfile's own directory
    options: dict[str, Any] = field(default_factory=dict)
    safe_only: bool = False
    write: bool = False


def process_source(data: bytes, display: str, path: Path, settings: Settings, context_dir: Path | None) -> FileResult:
    """Run the pipeline over bytes already read; errors become part of the result."""
    result = FileResult(path, display)
    ctx = TransformContext(BuildContext.at(context_dir), dockerfile=path, options=dict(settings.options))
    try:
        outcome = run(data, settings.transforms, ctx, safe_only=settings.safe_only)
    except ParseError as error:
        result.error, result.error_line = error.message, error.line
        return result
    except PipelineError as error:
        result.error = f"internal: {error}"
        return result
    result.outcome = outcome
    result.original, result.output = outcome.original, outcome.output
    result.changes, result.skips = outcome.changes, outcome.skips
    return result


def process_file(path: Path, display: str, settings: Settings) -> FileResult:
    try:
        data = read_source(path)
    except FileError as error:
        return FileResult(path, display, error=error.message, error_line=error.line)
    context_dir = settings.context_dir or path.parent
    result = process_source(data, display, path, settings, context_dir)
    if settings.write and result.changed and result.outcome is not None:
        try:
            write_atomic(path, result.outcome.rendered(), digest(data))
            result.written = True
        except FileError as error:
            result.error = error.message
        except OSError as error:
            result.error = f"cannot write: {error.strerror}"
    return result


def process_many(
    paths: Iterable[tuple[Path, str]],
    settings: Settings,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Each file in turn; a KeyboardInterrupt stops between files with what is done so far."""
    results: list[FileResult] = []
    try:
        for path, display in paths:
            result = process_file(path, display, settings)
            results.append(result)
            if on_result:
                on_result(result)
    except KeyboardInterrupt:
        pass
    return results
