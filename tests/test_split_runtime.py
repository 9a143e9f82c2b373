"""split-runtime: artifact detection, runtime-base choice and the command the image runs."""

from __future__ import annotations

import pytest

import transforms
from refactor.engine.pipeline import run
from refactor.facts import runtimes
from refactor.facts.context import BuildContext, TransformContext
from refactor.facts.gobuild import go_build_output
from refactor.text import shell
from refactor.text.document import Document

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


@pytest.mark.parametrize(("builder", "static", "shell", "expected"), [
    ("golang:1.21-alpine", False, False, "alpine:3.20"),  # the table's Alpine release for Go 1.21
    ("golang:1.21-alpine3.18", True, False, "alpine:3.18"),  # named in the tag
    ("golang:1.19", False, False, "gcr.io/distroless/base-debian12"),  # cgo: glibc from bookworm
    ("golang:1.17", False, False, "gcr.io/distroless/base-debian11"),  # bullseye default
    ("golang:1.22-bookworm", True, False, "gcr.io/distroless/static-debian12"),
    ("docker.io/library/golang:1.22", True, False, "gcr.io/distroless/static-debian12"),
    ("golang:1.22", True, True, "debian:bookworm-slim"),  # a shell-form CMD needs /bin/sh
    ("golang:1.22-trixie", False, False, "gcr.io/distroless/base-debian13"),
    ("golang:1.25", False, False, None),  # the default variant's Debian release is not in the table
    ("golang:1.15-buster", False, False, None),  # distroless has no Debian 10 images
    ("golang:1.22-windowsservercore-ltsc2022", True, False, None),
])
def test_go_runtime_follows_the_builder_family(builder: str, static: bool, shell: bool,
                                               expected: str | None) -> None:
    runtime = runtimes.go_runtime(builder, static, shell)
    assert (None if isinstance(runtime, str) else runtime.image) == expected


def test_cgo_with_cxx_gets_distroless_cc() -> None:
    runtime = runtimes.go_runtime("golang:1.22", static=False, needs_shell=False, cxx=True)
    assert not isinstance(runtime, str) and runtime.image == "gcr.io/distroless/cc-debian12"


@pytest.mark.parametrize(("package", "build_only"), [
    ("git", True), ("build-base", True), ("libssl-dev", True), ("gcc=4:12.2.0-3", True),
    ("libvips", False), ("ffmpeg", False), ("tzdata", True),
])
def test_build_only_packages(package: str, build_only: bool) -> None:
    assert runtimes.package_is_build_only(package) is build_only


def _plan(text: str) -> tuple[str, list[str]]:
    outcome = run(Document.parse(text), transforms.select(["split-runtime"]), CTX)
    return outcome.output, [s.reason for s in outcome.skips]


@pytest.mark.parametrize(("command", "ok"), [
    ('ENTRYPOINT ["/bin/app"]', True),
    ('CMD ["app", "--serve"]', True),  # found through the runtime's PATH
    ('ENTRYPOINT ["./app"]', False),  # /src/app is not the artifact
    ("ENTRYPOINT /bin/app --flag", True),  # shell form on alpine: it has /bin/sh
    ('ENTRYPOINT ["/bin/sh", "-c", "/bin/app"]', True),  # alpine has /bin/sh
    ('ENTRYPOINT ["/bin/sh", "-c", "$APP"]', False),  # the program is a variable
    ("CMD exec /bin/app --port $PORT", True),  # variables in the arguments only
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


def _plan_in(tmp_path, text: str, files: dict[str, str]) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    outcome = run(Document.parse(text), transforms.select(["split-runtime"]), TransformContext(BuildContext.at(tmp_path)))
    return outcome.output, [s.reason for s in outcome.skips]


GO_APP = {"go.mod": "module example.com/hello/v2\n\ngo 1.21\n", "main.go": "package main\nfunc main() {}\n"}


def test_no_workdir_uses_the_golang_images_go_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    output, skips = _plan_in(tmp_path, "FROM golang:1.21-alpine\nCOPY . .\nRUN go build -o main .\n"
                             'CMD ["/go/main"]\n', GO_APP)
    assert "FROM alpine:3.20\nWORKDIR /go\nCOPY --from=builder /go/main /go/main\n" in output, skips


def test_go_build_without_o_writes_the_module_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    output, skips = _plan_in(tmp_path, "FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build\n"
                             'CMD ["./hello"]\n', GO_APP)  # module .../hello/v2: the binary is `hello`
    assert "COPY --from=builder /src/hello /src/hello\n" in output, skips


def test_go_install_writes_to_gopath_bin(tmp_path) -> None:  # type: ignore[no-untyped-def]
    output, skips = _plan_in(tmp_path, "FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\n"
                             "RUN go install ./cmd/api\nCMD [\"/go/bin/api\"]\n",
                             {**GO_APP, "cmd/api/main.go": "package main\nfunc main() {}\n"})
    assert "COPY --from=builder /go/bin/api /go/bin/api\n" in output, skips


def test_build_only_tools_stay_in_the_builder_and_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("FROM golang:1.22-alpine3.20\nRUN apk add --no-cache git make\nWORKDIR /src\nCOPY . .\n"
            "RUN make build && go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n")
    outcome = run(Document.parse(text), transforms.select(["split-runtime"]), TransformContext(BuildContext.at(None)))
    assert "FROM alpine:3.20\n" in outcome.output
    assert "apk add" in outcome.changes[0].rationale and "make" in outcome.changes[0].rationale


def test_a_runtime_package_keeps_the_file_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("FROM golang:1.22-alpine\nRUN apk add --no-cache vips\nWORKDIR /src\nCOPY . .\n"
            "RUN go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n")
    output, skips = _plan(text)
    assert output == text
    assert skips == ["apk installs vips, which the program may need at run time"]


def test_the_rationale_states_the_expected_saving() -> None:
    text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n"
    outcome = run(Document.parse(text), transforms.select(["split-runtime"]), CTX)
    assert outcome.changes[0].rationale.endswith(
        "expected size about 850 MB -> 2 MB plus the app for the official images (2026-11)")
