"""split-runtime: artifact detection, runtime-base choice and the command the image runs."""

from __future__ import annotations

import pytest

import transforms
from refactor.engine.pipeline import run
from refactor.facts import ecosystems
from refactor.facts.context import BuildContext, TransformContext
from refactor.text import shell
from refactor.text.document import Document
from refactor.facts.gobuild import go_build_output

CTX = TransformContext(BuildContext.at(None))


def _output(run_line: str) -> str | None:
    instr = Document.parse(f"FROM golang:1.21\n{run_line}\n").instructions[1]
    script = shell.run_script(instr)
    assert script is not None
    return go_build_output(script[0].find("go", "build")[0]).path


@pytest.mark.parametrize(("line", "expected"), [
    ("RUN go build -o /bin/server ./cmd/server", "/bin/server"),
    ("RUN go build -o=/bin/server ./cmd/server", "/bin/server"),
    ("RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o main .", "main"),
    ('RUN go build -ldflags "-X main.version=${VERSION}" -o /out/app .', "/out/app"),
    ("RUN go mod download && go build -v -tags netgo -o /app/bin/x ./cmd/x", "/app/bin/x"),
])
def test_go_build_output_is_the_literal_o_path(line: str, expected: str) -> None:
    assert _output(line) == expected


@pytest.mark.parametrize("line", [
    "RUN go build ./cmd/server",  # no -o: the name comes from the package
    "RUN go build -o /bin/ ./cmd/...",  # an output directory
    "RUN go build -o /bin ./cmd/a ./cmd/b",  # several packages: -o is a directory
    "RUN go build -o $OUT ./cmd/server",
    "RUN go build $GOFLAGS ./cmd/server",  # may expand to -o
    "RUN go build -C sub -o /bin/x .",
])
def test_go_build_output_declines_what_it_cannot_know(line: str) -> None:
    assert _output(line) is None


@pytest.mark.parametrize(("builder", "static", "expected"), [
    ("golang:1.21-alpine", False, "alpine:latest"),
    ("golang:1.21-alpine3.18", True, "alpine:3.18"),
    ("golang:1.19", False, "debian:bookworm-slim"),
    ("golang:1.22-bookworm", True, "gcr.io/distroless/static-debian12"),
    ("docker.io/library/golang:1.22", True, "gcr.io/distroless/static-debian12"),
    ("rust:1.63", False, "debian:bookworm-slim"),
    ("golang:1.25", False, None),  # default variant is trixie: glibc newer than bookworm's
    ("golang:1.22-trixie", False, None),
    ("node:18", False, None),
])
def test_runtime_base_follows_the_builder_family(builder: str, static: bool, expected: str | None) -> None:
    entry = ecosystems.runtime_base(builder, static)
    assert (entry and ecosystems.runtime_image(entry, builder)) == expected


def _plan(text: str) -> tuple[str, list[str]]:
    outcome = run(text, transforms.select(["split-runtime"]), CTX)
    return outcome.output, [s.reason for s in outcome.skips]


@pytest.mark.parametrize(("command", "ok"), [
    ('ENTRYPOINT ["/bin/app"]', True),
    ('CMD ["app", "--serve"]', True),  # found through the runtime's PATH
    ('ENTRYPOINT ["./app"]', False),  # /src/app is not the artifact
    ("ENTRYPOINT /bin/app --flag", True),  # shell form on alpine: it has /bin/sh
    ('ENTRYPOINT ["/bin/sh", "-c", "/bin/app"]', False),
    ('CMD ["go", "run", "."]', False),
])
def test_the_command_must_run_a_built_binary(command: str, ok: bool) -> None:
    source = f"FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\n{command}\n"
    output, skips = _plan(source)
    assert (output != source) is ok, skips


def test_workdir_relative_output_and_command_resolve_together() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /app\nWORKDIR src\nCOPY . .\n"
              "RUN go build -o bin/x .\nCMD [\"./bin/x\"]\n")
    output, _ = _plan(source)
    assert "COPY --from=builder /app/src/bin/x /app/src/bin/x\n" in output
    assert "WORKDIR /app/src\nCOPY" in output


def test_the_last_build_of_a_path_wins_and_is_copied_once() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app ./v1\n"
              "RUN go build -o /bin/app ./v2\nENTRYPOINT [\"/bin/app\"]\n")
    output, _ = _plan(source)
    assert output.count("COPY --from=builder /bin/app /bin/app") == 1


def test_user_after_the_build_moves_with_the_config() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\n"
              "USER nobody\nENTRYPOINT [\"/bin/app\"]\n")
    output, _ = _plan(source)
    assert output.endswith("COPY --from=builder /bin/app /bin/app\nUSER nobody\nENTRYPOINT [\"/bin/app\"]\n")


def test_unknown_user_declines() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\n"
              "USER app\nENTRYPOINT [\"/bin/app\"]\n")
    output, skips = _plan(source)
    assert output == source and "USER app" in skips[0]
