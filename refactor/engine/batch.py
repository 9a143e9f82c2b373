"""Process one Dockerfile or many: results as values, never exceptions."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import TypeAlias

from refactor.engine.changes import Change, Skip
from refactor.engine.files import FileError, check_text, digest, read_source, write_atomic
from refactor.engine.pipeline import PipelineError, run
from refactor.engine.transform import Transform
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document, ParseError


@dataclass(frozen=True)
class Rewritten:
    """The pipeline changed the file: `output` is what was written (`written`) or would be."""

    path: Path
    display: str  # the path as shown in diffs and messages
    original: bytes  # as read
    output: bytes
    changes: tuple[Change, ...]
    skips: tuple[Skip, ...] = ()
    written: bool = False


@dataclass(frozen=True)
class Unchanged:
    """The pipeline ran and left the file as it was (the skips say where and why)."""

    path: Path
    display: str
    skips: tuple[Skip, ...] = ()


@dataclass(frozen=True)
class Failed:
    """Nothing was written: the file could not be read, parsed, rewritten or written back.

    `changes` and `skips` are what the pipeline found when only the write failed."""

    path: Path
    display: str
    error: str
    line: int | None = None  # 1-based line of the input the error is about, when known
    changes: tuple[Change, ...] = ()
    skips: tuple[Skip, ...] = ()

    def error_message(self) -> str:
        """One line: `path[:line]: error: ...`."""
        where = f"{self.display}:{self.line}" if self.line else self.display
        return f"{where}: error: {self.error}"


FileResult: TypeAlias = Rewritten | Unchanged | Failed  # what happened to one file


@dataclass(frozen=True)
class Settings:
    transforms: Sequence[Transform]
    context_dir: Path | None = None  # None: each Dockerfile's own directory
    options: Mapping[str, object] = field(default_factory=dict)  # transform name -> Options (options.resolve)
    safe_only: bool = False
    write: bool = False
    follow_symlinks: bool = False  # follow symlinks found in a directory walk that lead out of it


def process_source(data: bytes, display: str, path: Path, settings: Settings, context_dir: Path | None) -> FileResult:
    """Run the pipeline over bytes already read; errors become part of the result."""
    try:
        check_text(data)
        doc = Document.parse(data)
        doc.check_buildable()
        ctx = TransformContext(BuildContext.at(context_dir), dockerfile=path, options=settings.options)
        outcome = run(doc, settings.transforms, ctx, safe_only=settings.safe_only)
    except (FileError, ParseError) as error:
        return Failed(path, display, error.message, error.line)
    except PipelineError as error:
        return Failed(path, display, f"internal: {error}")
    except OSError as error:  # the build context (.dockerignore, manifests) could not be read
        return Failed(path, display, f"cannot read the build context: {error.strerror or error}")
    except (RecursionError, MemoryError) as error:
        return Failed(path, display, f"too deeply nested or too large to analyse ({type(error).__name__}); "
                      "left unchanged")
    except Exception as error:  # a transform's bug must not end the batch or touch the file
        return Failed(path, display, f"internal error ({type(error).__name__}: {_first_line(error)}); "
                      "left unchanged, please report")
    if not outcome.changed:
        return Unchanged(path, display, outcome.skips)
    return Rewritten(path, display, data, outcome.rendered(), outcome.changes, outcome.skips)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "no message"


def process_file(path: Path, display: str, settings: Settings, root: Path | None = None) -> FileResult:
    """Read, run, and (with `settings.write`) replace one file; `root`: the directory it was found in."""
    try:
        data = read_source(path, root, settings.follow_symlinks)
    except FileError as error:
        return Failed(path, display, error.message, error.line)
    result = process_source(data, display, path, settings, settings.context_dir or path.parent)
    if not (settings.write and isinstance(result, Rewritten)):
        return result
    try:
        with _signals_held():  # the replace and the result saying so happen together, or not at all
            write_atomic(path, result.output, digest(result.original))
            return replace(result, written=True)
    except FileError as error:
        return Failed(path, display, error.message, changes=result.changes, skips=result.skips)
    except OSError as error:
        return Failed(path, display, f"cannot write: {error.strerror}", changes=result.changes, skips=result.skips)


@dataclass
class Batch:
    """What `process_many` did: results in order, and why it stopped early (if it did)."""

    results: list[FileResult] = field(default_factory=list)
    stopped_by: str | None = None  # "SIGINT" / "SIGTERM"
    not_reached: int = 0


def process_many(
    paths: Iterable[tuple[Path, str] | tuple[Path, str, Path | None]],
    settings: Settings,
    on_result: Callable[[FileResult], None] | None = None,
) -> Batch:
    """Each file in turn (path, display[, root]).  SIGINT/SIGTERM stop between files.

    A signal lets the current file finish (a write in progress completes); a second
    one interrupts the current file at once (its temp file is removed, the file on
    disk stays as it was).  Either way the files not reached are counted.
    """
    batch = Batch()
    items = list(paths)
    with graceful_stop() as stop:
        try:
            for index, item in enumerate(items):
                if stop.requested:
                    batch.stopped_by, batch.not_reached = stop.requested, len(items) - index
                    break
                path, display = item[0], item[1]
                root = item[2] if len(item) > 2 else None
                result = process_file(path, display, settings, root)
                batch.results.append(result)
                if on_result:
                    on_result(result)
            else:
                batch.stopped_by = stop.requested  # a signal during the last file
        except KeyboardInterrupt:
            batch.stopped_by = stop.requested or "SIGINT"
            batch.not_reached = len(items) - len(batch.results)
    return batch


@dataclass
class StopRequest:
    requested: str | None = None


@contextmanager
def graceful_stop() -> Iterator[StopRequest]:
    """While active, the first SIGINT/SIGTERM only sets `requested`; a second raises KeyboardInterrupt."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = signal.Signals(signum).name

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block SIGINT/SIGTERM (delivered on exit) so a rename and its bookkeeping are not split."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
