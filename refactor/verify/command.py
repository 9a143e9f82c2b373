"""`refactor verify`: build the Dockerfile before and after a rewrite with BuildKit and compare.

Reports whether the final images are equivalent (config, runtime closure, smoke run) and
what the rewrite bought: image size, cold build time and rebuild time after a one-line
source edit and after a dependency-manifest edit, with the number of cached steps.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

import transforms as registry
from refactor.engine.pipeline import run as run_pipeline
from refactor.facts.context import BuildContext, TransformContext
from refactor.facts.ecosystems import ECOSYSTEMS
from refactor.text.document import Document, ItemKind
from refactor.verify import buildkit
from refactor.verify.closure import Closure, ImageFiles, check_closure

CONFIG_KEYS = ("Entrypoint", "Cmd", "Env", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels",
               "StopSignal", "Healthcheck")
SOURCE_SUFFIXES = (".go", ".py", ".js", ".ts", ".mjs", ".rs", ".java", ".kt", ".rb", ".php", ".cs", ".c", ".cpp")
EXIT_EQUIVALENT, EXIT_DIFFERENT, EXIT_BUILD_FAILED = 0, 1, 2


@dataclass
class Side:
    """One of the two Dockerfiles and what building it produced."""

    label: str  # "before" | "after"
    text: bytes
    tag: str
    cold: buildkit.BuildResult | None = None
    size: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    smoke: tuple[int, str] | None = None
    rebuilds: dict[str, buildkit.BuildResult] = field(default_factory=dict)  # "source"/"manifest" -> result


@dataclass
class Verdict:
    before: Side
    after: Side
    config_differences: list[str] = field(default_factory=list)  # Entrypoint, Cmd, User, ports, ...
    env_differences: list[str] = field(default_factory=list)  # listed; fatal only with strict_env
    strict_env: bool = False
    closure: Closure | None = None
    smoke_difference: str | None = None
    build_failure: str | None = None
    edited: dict[str, str] = field(default_factory=dict)  # "source"/"manifest" -> path edited

    @property
    def equivalent(self) -> bool:
        return (self.build_failure is None and not self.config_differences and self.smoke_difference is None
                and not (self.strict_env and self.env_differences) and (self.closure is None or self.closure.ok))

    @property
    def exit_code(self) -> int:
        if self.build_failure:
            return EXIT_BUILD_FAILED
        return EXIT_EQUIVALENT if self.equivalent else EXIT_DIFFERENT


@dataclass(frozen=True)
class Options:
    context: Path
    target: str | None = None
    smoke: list[str] | None = None  # None: the image's default command
    smoke_timeout: float = 30
    builder: str | None = None
    timings: bool = True
    edit_source: str | None = None
    edit_manifest: str | None = None
    keep_images: bool = False
    drop_syntax_directive: bool = False
    strict_env: bool = False  # treat Env differences (a runtime stage drops GOPATH) as not equivalent


def verify(before: bytes, after: bytes, options: Options, progress: Callable[[str], None] = lambda _: None) -> Verdict:
    """Build both Dockerfiles in a scratch copy of the context and compare the results."""
    digest = hashlib.sha256(before + b"\0" + after).hexdigest()[:12]
    verdict = Verdict(Side("before", before, f"refactor-verify:{digest}-before"),
                      Side("after", after, f"refactor-verify:{digest}-after"), strict_env=options.strict_env)
    with tempfile.TemporaryDirectory(prefix="refactor-verify-") as scratch:
        root = Path(scratch)
        # Each side builds from its own copy of the context, and later edits differ per side, so
        # neither side's rebuild can reuse a layer the other side built.
        contexts: dict[str, Path] = {}
        files: dict[str, Path] = {}
        for side in (verdict.before, verdict.after):
            contexts[side.label] = root / side.label / "context"
            shutil.copytree(options.context, contexts[side.label], symlinks=True,
                            ignore=shutil.ignore_patterns(".git"))
            files[side.label] = root / side.label / "Dockerfile"
            files[side.label].write_bytes(_buildable(side.text, options))
        try:
            for side in (verdict.before, verdict.after):
                progress(f"building {side.label} (cold)")
                side.cold = buildkit.build(files[side.label], contexts[side.label], side.tag, options.target,
                                           options.builder, no_cache=True)
                if not side.cold.ok:
                    verdict.build_failure = f"{side.label} failed to build:\n{side.cold.tail()}"
                    return verdict
                side.size = buildkit.image_size(side.tag)
                side.config = buildkit.inspect_config(side.tag)
            differences = compare_configs(verdict.before.config, verdict.after.config)
            verdict.env_differences = [d for d in differences if d.startswith("Env ")]
            verdict.config_differences = [d for d in differences if not d.startswith("Env ")]
            progress("checking the runtime closure of the rewritten image")
            verdict.closure = _closure(verdict.after.tag, verdict.after.config, root)
            progress("smoke-running both images")
            _smoke(verdict, options)
            if options.timings:
                _rebuilds(verdict, files, contexts, options, progress)
        finally:
            if not options.keep_images:
                for side in (verdict.before, verdict.after):
                    buildkit.remove_image(side.tag)
    return verdict


def _buildable(text: bytes, options: Options) -> bytes:
    """Optionally blank a `# syntax=` line (keeping line numbers) to use BuildKit's built-in frontend."""
    if not options.drop_syntax_directive:
        return text
    doc = Document.parse(text)
    if "syntax" not in doc.directives:
        return text
    out = doc.text
    for item in doc.items:
        line = doc.text[item.start : item.stop]
        if item.kind is ItemKind.DIRECTIVE and line.lstrip("# \t").lower().startswith("syntax"):
            ending = line[len(line.rstrip("\r\n")) :]
            out = out[: item.start] + "#" + ending + out[item.stop :]
            break
    return (("\ufeff" if doc.bom else "") + out).encode("utf-8", "surrogateescape")


def compare_configs(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    differences: list[str] = []
    for key in CONFIG_KEYS:
        old, new = before.get(key), after.get(key)
        if key == "Env":
            differences += _env_differences(old or [], new or [])
        elif key == "User" and same_user(old, new):
            continue
        elif (old or None) != (new or None):
            differences.append(f"{key}: {json.dumps(old)} -> {json.dumps(new)}")
    return differences


_ROOT_USERS = frozenset({"", "0", "root", "0:0", "root:root", "root:0", "0:root"})


def same_user(old: str | None, new: str | None) -> bool:
    """Equal, or both root: an image without USER runs as root, as `USER 0` (distroless) does."""
    return (old or "") == (new or "") or ((old or "") in _ROOT_USERS and (new or "") in _ROOT_USERS)


def _env_differences(old: list[str], new: list[str]) -> list[str]:
    def as_dict(items: list[str]) -> dict[str, str]:
        return dict(item.partition("=")[::2] for item in items)

    a, b = as_dict(old), as_dict(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(f"Env {key}: {a.get(key)!r} -> {b.get(key)!r}")
    return out


def _closure(tag: str, config: dict[str, Any], root: Path) -> Closure:
    tar_path = buildkit.export_filesystem(tag, root / "after.tar")
    files = ImageFiles(tar_path)
    try:
        return check_closure(files, config)
    finally:
        files.close()
        tar_path.unlink()


def _smoke(verdict: Verdict, options: Options) -> None:
    for side in (verdict.before, verdict.after):
        side.smoke = buildkit.run(side.tag, options.smoke, timeout=options.smoke_timeout)
    assert verdict.before.smoke is not None and verdict.after.smoke is not None
    (code_a, out_a), (code_b, out_b) = verdict.before.smoke, verdict.after.smoke
    if code_a == code_b == -1:
        return  # both still running at the timeout (a server): equal as far as a smoke run can tell
    if code_a != code_b:
        verdict.smoke_difference = f"exit code {code_a} -> {code_b}; after: {out_b.strip()[-300:]!r}"
    elif out_a != out_b:
        verdict.smoke_difference = f"output differs: {out_a.strip()[-200:]!r} -> {out_b.strip()[-200:]!r}"


def _rebuilds(verdict: Verdict, files: dict[str, Path], contexts: dict[str, Path], options: Options,
              progress: Callable[[str], None]) -> None:
    """Edit one line of a source file, rebuild each side; then a manifest, rebuild each side."""
    context = contexts[verdict.before.label]
    edits = {"source": options.edit_source or find_source_file(context),
             "manifest": options.edit_manifest or find_manifest(context)}
    for kind, relpath in edits.items():
        if relpath is None or not (context / relpath).is_file():
            continue
        verdict.edited[kind] = relpath
        for side in (verdict.before, verdict.after):
            one_line_edit(contexts[side.label] / relpath)
            progress(f"rebuilding {side.label} after a {kind} edit ({relpath})")
            side.rebuilds[kind] = buildkit.build(files[side.label], contexts[side.label], side.tag, options.target,
                                                 options.builder)


# How a line comment starts, by file suffix or name: the edit must keep the file valid.
_COMMENT_PREFIXES = {
    "//": (".go", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".rs", ".java", ".kt", ".kts", ".gradle", ".c", ".h",
           ".cc", ".cpp", ".cs", ".php", ".swift", ".scala", "go.mod", "go.work"),
    "#": (".py", ".rb", ".sh", ".txt", ".toml", ".lock", ".yaml", ".yml", ".cfg", ".ini", ".properties",
          "Pipfile", "Gemfile", "Makefile", ".npmrc", "go.sum"),
}


def one_line_edit(path: Path) -> None:
    """Append a line that is new on every call and valid in the file's format.

    A repeated edit would hit BuildKit's cache from an earlier run and hide the rebuild.
    Formats without comments (JSON) get a unique run of trailing blanks, which they allow.
    """
    nonce = uuid.uuid4().int & 0xFFFFFFFF
    name = path.name
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    for prefix, suffixes in _COMMENT_PREFIXES.items():
        if name.endswith(suffixes):
            path.write_bytes(data + f"{prefix} refactor-verify edit {nonce:08x}\n".encode())
            return
    if name.endswith(".xml"):
        path.write_bytes(data + f"<!-- refactor-verify edit {nonce:08x} -->\n".encode())
        return
    blanks = "".join(" \t"[(nonce >> bit) & 1] for bit in range(32))
    path.write_bytes(data + blanks.encode() + b"\n")


def find_manifest(context: Path) -> str | None:
    build = BuildContext.at(context)
    for ecosystem in ECOSYSTEMS:
        for pattern in ecosystem.manifests:
            found = build.glob(pattern)
            if found:
                return found[0]
    return None


def find_source_file(context: Path) -> str | None:
    build = BuildContext.at(context)
    manifests = {p for e in ECOSYSTEMS for pattern in e.manifests for p in build.glob(pattern)}
    candidates = [p for p in build.glob("**/*") if p.endswith(SOURCE_SUFFIXES) and p not in manifests
                  and "node_modules/" not in p]
    candidates.sort(key=lambda p: (p.count("/"), p))
    return candidates[0] if candidates else None


# --- presentation ------------------------------------------------------------------------------


def as_dict(verdict: Verdict) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {
            "size_bytes": s.size,
            "cold_build_seconds": round(s.cold.duration, 2) if s.cold else None,
            "smoke": {"exit_code": s.smoke[0], "output": s.smoke[1][-2000:]} if s.smoke else None,
            "rebuilds": {k: {"seconds": round(r.duration, 2), "cached_steps": r.cached_steps,
                             "total_steps": r.total_steps, "executed": r.executed_steps}
                         for k, r in s.rebuilds.items()},
        }

    return {
        "equivalent": verdict.equivalent,
        "exit_code": verdict.exit_code,
        "build_failure": verdict.build_failure,
        "config_differences": verdict.config_differences,
        "env_differences": verdict.env_differences,
        "closure_problems": verdict.closure.problems if verdict.closure else None,
        "smoke_difference": verdict.smoke_difference,
        "edited": verdict.edited,
        "before": side(verdict.before),
        "after": side(verdict.after),
    }


def as_table(verdict: Verdict) -> str:
    lines: list[str] = []
    if verdict.build_failure:
        return f"build failed: {verdict.build_failure}\n"
    lines.append("equivalent" if verdict.equivalent else "NOT equivalent")
    for difference in verdict.config_differences:
        lines.append(f"  config: {difference}")
    for difference in verdict.env_differences:
        lines.append(f"  {'config' if verdict.strict_env else 'note'}: {difference}")
    for problem in verdict.closure.problems if verdict.closure else []:
        lines.append(f"  closure: {problem}")
    if verdict.smoke_difference:
        lines.append(f"  smoke: {verdict.smoke_difference}")
    b, a = verdict.before, verdict.after
    lines.append(f"{'':28}{'before':>14}{'after':>14}{'ratio':>9}")
    if b.size and a.size:
        lines.append(_row("image size (MB)", b.size / 1e6, a.size / 1e6))
    if b.cold and a.cold:
        lines.append(_row("cold build (s)", b.cold.duration, a.cold.duration))
    for kind, path in verdict.edited.items():
        rb, ra = b.rebuilds.get(kind), a.rebuilds.get(kind)
        if rb and ra:
            lines.append(_row(f"rebuild after {kind} edit (s)", rb.duration, ra.duration))
            lines.append(f"{'  cached steps':28}{f'{rb.cached_steps}/{rb.total_steps}':>14}"
                         f"{f'{ra.cached_steps}/{ra.total_steps}':>14}     ({path})")
    return "\n".join(lines) + "\n"


def _row(label: str, before: float, after: float) -> str:
    ratio = f"{after / before:.2f}x" if before else "-"
    return f"{label:28}{before:>14.2f}{after:>14.2f}{ratio:>9}"


# --- command -----------------------------------------------------------------------------------


def _original_text(dockerfile: Path, against: str | None) -> tuple[bytes, bytes]:
    """(before, after): --against FILE or REV is `before`; without it, `after` is the rewrite."""
    current = dockerfile.read_bytes()
    if against is None:
        return current, b""
    if Path(against).is_file():
        return Path(against).read_bytes(), current
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=dockerfile.parent, capture_output=True,
                         text=True)
    if top.returncode != 0:
        raise typer.BadParameter(f"--against {against}: not a file, and {dockerfile} is not in a git repository")
    relpath = dockerfile.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = subprocess.run(["git", "show", f"{against}:{relpath}"], cwd=top.stdout.strip(), capture_output=True)
    if shown.returncode != 0:
        raise typer.BadParameter(f"--against {against}: {shown.stderr.decode(errors='replace').strip()}")
    return shown.stdout, current


def verify_command(
    dockerfile: Annotated[Path, typer.Argument(help="The Dockerfile to verify.")],
    context: Annotated[Path | None, typer.Option("--context", help="Build context (default: its dir).")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Build this stage of both files.")] = None,
    against: Annotated[str | None, typer.Option("--against", help="Compare with this FILE or git REV.")] = None,
    smoke: Annotated[str | None, typer.Option("--smoke", help="Command to smoke-run (default: image's).")] = None,
    smoke_timeout: Annotated[float, typer.Option("--smoke-timeout", help="Seconds per smoke run.")] = 30,
    builder: Annotated[str | None, typer.Option("--builder", help="A buildx builder to build with.")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="Transforms for the rewrite.")] = None,
    timings: Annotated[bool, typer.Option("--timings/--no-timings", help="Measure rebuilds too.")] = True,
    edit_source: Annotated[str | None, typer.Option("--edit-source", help="File to edit for a rebuild.")] = None,
    edit_manifest: Annotated[str | None, typer.Option("--edit-manifest", help="Manifest to edit.")] = None,
    drop_syntax: Annotated[bool, typer.Option("--builtin-frontend", help="Ignore `# syntax=` lines.")] = False,
    strict_env: Annotated[bool, typer.Option("--strict-env", help="Env differences are not equivalent.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Build before and after with BuildKit; exit 0 equivalent, 1 different, 2 a build failed."""
    if not buildkit.engine_available():
        typer.echo("error: no Docker engine answers (`docker info` failed)", err=True)
        raise typer.Exit(EXIT_BUILD_FAILED)
    before, after = _original_text(dockerfile, against)
    context_dir = context or dockerfile.parent
    if against is None:
        names = [n.strip() for value in select or [] for n in value.split(",") if n.strip()] or None
        ctx = TransformContext(BuildContext.at(context_dir), dockerfile=dockerfile)
        after = run_pipeline(Document.parse(before), registry.select(names), ctx).rendered()
    options = Options(context_dir, target, shlex.split(smoke) if smoke else None, smoke_timeout, builder, timings,
                      edit_source, edit_manifest, drop_syntax_directive=drop_syntax, strict_env=strict_env)
    verdict = verify(before, after, options, progress=lambda m: typer.echo(f"verify: {m}", err=True))
    if output_format == "json":
        typer.echo(json.dumps(as_dict(verdict), indent=2))
    else:
        typer.echo(as_table(verdict), nl=False)
    raise typer.Exit(verdict.exit_code)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)
