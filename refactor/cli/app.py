"""The `refactor` command line: rewrite, dry-run or check Dockerfiles; list transforms; apply patches."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

import transforms as registry
from refactor.engine.batch import Failed, FileResult, Rewritten, Settings, process_many, process_source
from refactor.engine.files import discover_with_roots
from refactor.engine.options import OptionError, resolve, split_assignment
from refactor.engine.transform import Transform
from refactor.output.patch import PatchError, apply_patch
from refactor.output.report import EXIT_ERROR, Report, as_json, as_markdown, file_diff, skip_lines

SUBCOMMANDS = ("transforms", "apply", "verify")


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Format(StrEnum):
    diff = "diff"
    json = "json"
    markdown = "markdown"


def _console(color: Color, stderr: bool = False) -> Console:
    force = {Color.always: True, Color.never: False, Color.auto: None}[color]
    return Console(stderr=stderr, force_terminal=force, no_color=color is Color.never, highlight=False,
                   soft_wrap=True)


def _print_diff(console: Console, text: str) -> None:
    """Print a diff; colour only decorates, the bytes are the diff itself."""
    if not console.is_terminal:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    for line in text.splitlines(keepends=True):
        style = ""
        if line.startswith("#"):
            style = "cyan"
        elif line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "magenta"
        console.print(Text(line.rstrip("\n"), style=style))


def _split_names(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _resolve_options(values: list[str] | None, chosen: list[Transform]) -> dict[str, object]:
    """Typed options for the chosen transforms; OptionError (a usage error) on a bad key or value."""
    return resolve((split_assignment(value) for value in values or []), chosen)


def rewrite(
    paths: Annotated[list[str], typer.Argument(help="Dockerfiles or directories (searched recursively); - for stdin.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print a unified diff; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when anything would change.")] = False,
    select: Annotated[list[str] | None, typer.Option("--select", help="Only these transforms.")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these transforms.")] = None,
    context: Annotated[Path | None, typer.Option("--context", help="Build context (default: the file's dir).")] = None,
    safe_only: Annotated[bool, typer.Option("--safe-only", help="Skip changes marked `review`.")] = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="Show each change's rationale.")] = True,
    output_format: Annotated[Format, typer.Option("--format", help="diff, json (bots), markdown (PR).")] = Format.diff,
    option: Annotated[list[str] | None, typer.Option(
        "--option", help="Transform option KEY=VALUE or TRANSFORM.KEY=VALUE (see docs/transforms.md).")] = None,
    stdin_filename: Annotated[str, typer.Option("--stdin-filename", help="Name shown for -.")] = "Dockerfile",
    color: Annotated[Color, typer.Option("--color", help="Colour the diff: auto, always, never.")] = Color.auto,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Follow symlinks found in directories that lead outside them.")] = False,
) -> None:
    """Rewrite Dockerfiles into cache-friendly multi-stage builds; show every change as a diff.

    Subcommands: `refactor transforms` lists the transforms, `refactor apply PATCH`
    applies a diff this tool printed, `refactor verify` builds before and after.
    """
    out, err = _console(color), _console(color, stderr=True)
    try:
        chosen = registry.select(_split_names(select), _split_names(ignore))
    except KeyError as error:
        err.print(f"error: {error.args[0]}")
        raise typer.Exit(EXIT_ERROR) from None
    try:
        options = _resolve_options(option, chosen)
    except OptionError as error:
        err.print(Text(f"error: {error}"))
        raise typer.Exit(EXIT_ERROR) from None
    settings = Settings(
        transforms=chosen, context_dir=context, options=options, safe_only=safe_only,
        write=not (dry_run or check), follow_symlinks=follow_symlinks,
    )
    report = Report()

    def show(result: FileResult) -> None:
        report.add(result)
        if isinstance(result, Failed):
            err.print(Text(result.error_message()))
            return
        if output_format is Format.diff and dry_run and isinstance(result, Rewritten):
            _print_diff(out, file_diff(result, explain))
        for line in skip_lines(result) if explain else []:
            err.print(Text(line), style="dim")

    if paths == ["-"]:
        data = sys.stdin.buffer.read()
        result = process_source(data, stdin_filename, Path("-"), settings, context)
        if settings.write and not isinstance(result, Failed):
            sys.stdout.buffer.write(result.output if isinstance(result, Rewritten) else data)
        show(result)
    else:
        # SIGINT/SIGTERM stop between files; the summary then says what was written.
        files = discover_with_roots((Path(p) for p in paths), follow_symlinks)
        batch = process_many(((path, _display(path), root) for path, root in files), settings, show)
        report.interrupted, report.not_reached = batch.stopped_by is not None, batch.not_reached
    if output_format is Format.json:
        sys.stdout.write(as_json(report) + "\n")
    elif output_format is Format.markdown:
        sys.stdout.write(as_markdown(report))
    if paths != ["-"] or dry_run or check:
        err.print(report.summary(dry_run=dry_run or check))
    raise typer.Exit(report.exit_code(check))


def _display(path: Path) -> str:
    """Paths relative to the current directory, so diffs apply with `git apply` from here."""
    try:  # resolve the directory only: a symlink is shown under its own name
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


tools = typer.Typer(add_completion=False, no_args_is_help=True, help="dockerfile-refactor tools.")


@tools.command("transforms")
def list_transforms() -> None:
    """List the transforms in pipeline order with their fix safety and summary."""
    for transform in registry.REGISTRY:
        typer.echo(f"{transform.name:<20} {transform.safety.value:<7} {transform.summary}")


@tools.command("apply")
def apply(
    patch_file: Annotated[Path, typer.Argument(help="A unified diff (as printed by --dry-run); - for stdin.")],
    directory: Annotated[Path, typer.Option("--directory", "-d", help="Apply relative to this directory.")] = Path("."),
    strip: Annotated[int, typer.Option("-p", help="Leading path components to strip.")] = 1,
    check: Annotated[bool, typer.Option("--check", help="Only check that the patch applies.")] = False,
) -> None:
    """Apply a patch, refusing (and writing nothing) when any hunk's context does not match."""
    if str(patch_file) == "-":
        text = sys.stdin.read()
    else:
        text = patch_file.read_text(encoding="utf-8", errors="surrogateescape")
    try:
        applied = apply_patch(text, directory, strip=strip, dry_run=check)
    except PatchError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    for item in applied:
        typer.echo(f"{'would apply' if check else 'applied'} {item.hunks} hunk(s) to {item.path}", err=True)


def _register_optional_commands() -> None:
    try:
        from refactor.verify.command import register
    except ImportError:
        return
    register(tools)


def main() -> None:
    """Entry point: `refactor PATH...` rewrites; `refactor transforms|apply|verify` are tools."""
    if len(sys.argv) > 1 and sys.argv[1] in SUBCOMMANDS:
        _register_optional_commands()
        tools()
    else:
        typer.run(rewrite)
