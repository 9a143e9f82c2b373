"""Hypothesis strategies that build Dockerfiles from a grammar, and the checks every output must pass.

Used by the property tests (tests/test_properties.py), the mutation corpus and the
atheris target (fuzz/); needs the test extras (`hypothesis`, `dockerfile`).

The grammar covers what makes Dockerfiles hard to edit losslessly: stages (named,
numbered, referenced by `COPY --from`/`--mount from=`), instructions with flags,
continuations (with comments and blank lines inside them), comments in odd places,
heredocs, the escape directive, CRLF, a BOM, a missing final newline, lower-case
keywords, and package-manager commands the transforms look for.
"""

from __future__ import annotations

import os
import tempfile

import dockerfile
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import transforms as registry
from refactor.engine.pipeline import Outcome, run
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document

settings.register_profile(
    "ci", max_examples=int(os.environ.get("REFACTOR_FUZZ_EXAMPLES", "120")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=int(os.environ.get("REFACTOR_FUZZ_EXAMPLES", "5000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = bool(os.environ.get("REFACTOR_FUZZ_LONG"))
settings.load_profile("long" if LONG else os.environ.get("HYPOTHESIS_PROFILE", "ci"))

IMAGES = ["golang:1.22", "node:20", "python:3.12-slim", "alpine:3.19", "scratch", "debian:bookworm", "builder",
          "rust:1.77", "maven:3-eclipse-temurin-21", "base-${VARIANT}"]
COMMANDS = [
    "go mod download", "go build -o /out/app ./cmd/app", "npm ci", "npm install", "npm run build",
    "pip install -r requirements.txt", "pip install --no-cache-dir .", "apt-get update && apt-get install -y curl",
    "apk add --no-cache git", "yarn install --frozen-lockfile", "cargo build --release", "mvn -B package",
    "echo hello", "make", "true", "cd /src && go build ./...", "python -m pip install poetry",
    "poetry install --no-root", "pnpm install", "bundle install", "composer install", "dotnet restore",
]
PATHS = ["go.mod", "go.sum", "package.json", "package-lock.json", "requirements.txt", "pyproject.toml", ".",
         "src/", "Cargo.toml", "pom.xml", "/out/app", "*.json", "\"a b\""]
WORD = st.sampled_from(["a", "b", "x1", "$HOME", "${X:-y}", "'q w'", "\"d q\"", "é", "--", "-v"])


@st.composite
def flags(draw: st.DrawFn, keyword: str, stages: int) -> str:
    choices = ["--chown=1000:1000", "--link", "--chmod=755"]
    if stages and keyword == "COPY":
        ref = draw(st.sampled_from([str(draw(st.integers(0, stages - 1))), "s0", "golang:1.22"]))
        choices.append(f"--from={ref}")
    if keyword == "RUN":
        choices = ["--mount=type=cache,target=/root/.cache", "--network=none",
                   "--mount=type=bind,from=0,source=/a,target=/b" if stages else "--network=host",
                   "--mount=type=secret,id=npmrc,target=/root/.npmrc"]
    picked = draw(st.lists(st.sampled_from(choices), max_size=2, unique=True))
    return "".join(f + " " for f in picked)


@st.composite
def instruction(draw: st.DrawFn, stages: int, escape: str) -> list[str]:
    """One instruction as physical lines (without endings); may span lines and carry a heredoc."""
    keyword = draw(st.sampled_from(["RUN", "RUN", "RUN", "COPY", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER",
                                    "CMD", "ENTRYPOINT", "EXPOSE", "LABEL", "HEALTHCHECK", "SHELL", "ONBUILD",
                                    "STOPSIGNAL", "VOLUME"]))
    flag_text = draw(flags(keyword, stages)) if keyword in ("RUN", "COPY", "ADD") else ""
    if keyword == "RUN":
        parts = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=4))
        if draw(st.booleans()) and len(parts) > 1:  # continuation lines, maybe with comments/blanks inside
            lines = [f"RUN {flag_text}{parts[0]} && {escape}"]
            for i, part in enumerate(parts[1:]):
                if draw(st.integers(0, 4)) == 0:
                    lines.append(draw(st.sampled_from(["# inner comment", "", "  #", "\t"])))
                end = f" && {escape}" if i < len(parts) - 2 else draw(st.sampled_from(["", f" {escape}  "]))
                lines.append("    " + part + end)
            if lines[-1].rstrip().endswith(escape):
                lines.append("")
            return lines
        if draw(st.integers(0, 5)) == 0:  # heredoc
            name = draw(st.sampled_from(["EOF", "'EOF'", "\"END\"", "-EOT"]))
            bare = name.strip("'\"-")
            body = [draw(st.sampled_from(COMMANDS)) for _ in range(draw(st.integers(0, 3)))]
            return [f"RUN {flag_text}<<{name}", *(("\t" + b) if name.startswith("-") else b for b in body), bare]
        if draw(st.integers(0, 6)) == 0:
            return [f'RUN {flag_text}["sh", "-c", "{parts[0]}"]']
        return [f"RUN {flag_text}{' && '.join(parts)}"]
    if keyword in ("COPY", "ADD"):
        srcs = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3))
        if draw(st.integers(0, 6)) == 0:
            return [f"{keyword} {flag_text}<<EOF /etc/conf", "key=value", "EOF"]
        if draw(st.booleans()):
            return [f"{keyword} {flag_text}{' '.join(srcs)} {escape}", "    /app/"]
        return [f"{keyword} {flag_text}{' '.join(srcs)} /app/"]
    if keyword in ("CMD", "ENTRYPOINT"):
        return [draw(st.sampled_from([f'{keyword} ["/out/app", "--port", "80"]', f"{keyword} /out/app --port 80",
                                      f'{keyword} ["a"', f"{keyword} []"]))]
    if keyword == "ONBUILD":
        return ["ONBUILD RUN echo later"]
    words = draw(st.lists(WORD, min_size=1, max_size=3))
    if keyword in ("ENV", "LABEL"):
        return [f"{keyword} K{draw(st.integers(0, 3))}={words[0]} other=\"v w\""]
    if keyword == "ARG":
        return [f"ARG {draw(st.sampled_from(['VARIANT', 'X', 'Y=1']))}"]
    return [f"{keyword} {' '.join(words)}"]


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    """A whole Dockerfile as text (BOM included when drawn)."""
    escape = draw(st.sampled_from(["\\", "\\", "\\", "`"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    if escape == "`" or draw(st.integers(0, 8)) == 0:
        lines.append(f"# escape={escape}")
    if draw(st.integers(0, 3)) == 0:
        lines.append("ARG VARIANT=alpine")
    n_stages = draw(st.integers(1, 4))
    for index in range(n_stages):
        image = draw(st.sampled_from(IMAGES))
        name = draw(st.sampled_from(["", "", f" AS s{index}", f" as S{index}"]))
        platform = draw(st.sampled_from(["", "", "--platform=$BUILDPLATFORM "]))
        kw = draw(st.sampled_from(["FROM", "FROM", "from"]))
        lines.append(f"{kw} {platform}{image}{name}")
        for _ in range(draw(st.integers(0, 5))):
            if draw(st.integers(0, 5)) == 0:
                lines.append(draw(st.sampled_from(["# a comment", "", "   # indented comment", "#", "  "])))
            body = draw(instruction(index, escape))
            if draw(st.integers(0, 6)) == 0:
                body = [body[0].lower().split(" ", 1)[0] + body[0][len(body[0].split(" ", 1)[0]):], *body[1:]]
            lines.extend(body)
        if index and draw(st.booleans()):
            lines.append(f"COPY --from={draw(st.integers(0, index - 1))} /out/app /usr/local/bin/app")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = newline.join(lines)
    if draw(st.integers(0, 4)):
        text += newline
    if draw(st.integers(0, 8)) == 0:
        text = "\ufeff" + text
    return text


CTX = TransformContext(BuildContext.at(None))


def pipeline(source: bytes | str) -> Outcome:
    """Every registered transform, in pipeline order (new transforms are exercised as they land)."""
    return run(Document.parse(source), registry.select(), CTX)


def _buildkit(source: bytes | str) -> list[dockerfile.Command]:
    """BuildKit's parser on the bytes, with each non-UTF-8 byte replaced by U+FFFD.

    The cgo binding cannot take them as they are: `parse_string` crashes the interpreter
    (SIGSEGV) on a str with lone surrogates, and `parse_file` raises UnicodeDecodeError
    returning them.  A replacement keeps every line and word boundary.  Through a file
    because `parse_string` stops at a NUL (a C string).
    """
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    data = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").encode("utf-8")
    fd, name = tempfile.mkstemp(prefix="buildkit-oracle-", suffix=".Dockerfile")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return list(dockerfile.parse_file(name))
    finally:
        os.unlink(name)


def buildkit_parses(source: bytes | str) -> bool:
    try:
        _buildkit(source)
    except dockerfile.GoParseError:
        return False
    return True


def buildkit_shape(source: bytes | str) -> list[tuple[str, int]]:
    return [(c.cmd, c.start_line) for c in _buildkit(source)]
