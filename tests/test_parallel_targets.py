"""parallel-targets: which build stages split into per-binary targets, and which default stays last."""

from __future__ import annotations

import pytest

import transforms
from refactor.analysis.stages import StageGraph
from refactor.engine.pipeline import run
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document

CTX = TransformContext(BuildContext.at(None))

BUILDS = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\n"
          "RUN go build -o /bin/client ./cmd/client\nRUN go build -o /bin/server ./cmd/server\n")


def _run(text: str) -> tuple[str, list[str]]:
    outcome = run(Document.parse(text), transforms.select(["parallel-targets"]), CTX)
    return outcome.output, [s.reason for s in outcome.skips]


@pytest.mark.parametrize("runs", ["/bin/client", "/bin/server"])
def test_the_last_stage_runs_what_the_original_ran(runs: str) -> None:
    source = BUILDS + f'FROM scratch\nCOPY --from=0 /bin/client /bin/server /bin/\nENTRYPOINT ["{runs}"]\n'
    output, _ = _run(source)
    graph = StageGraph.build(Document.parse(output))
    final = graph.stages[-1]
    assert final.name == runs.rsplit("/", 1)[1]
    assert final.body[-1].args == f'["{runs}"]'
    copies = [i for i in final.body if i.keyword == "COPY"]
    assert [c.args for c in copies] == [f"{runs} /bin/"]


def test_relative_outputs_resolve_against_the_workdir() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o out/a ./cmd/a\n"
              "RUN go build -o out/b ./cmd/b\nFROM scratch\nCOPY --from=0 /src/out/a /src/out/b /\n"
              'ENTRYPOINT ["/a"]\n')
    output, skips = _run(source)
    assert "FROM scratch AS b\nCOPY --from=build-b /src/out/b /\nENTRYPOINT [\"/b\"]\n" in output, skips


@pytest.mark.parametrize(("final", "reason"), [
    ('FROM scratch\nCOPY --from=0 /bin/server /bin/\nENTRYPOINT ["/bin/server"]\n', "does not copy /bin/client"),
    ('FROM scratch\nCOPY --from=0 /bin/client /bin/server /bin/\nCMD /bin/server\n', "shell-form"),
    ('FROM alpine\nCOPY --from=0 /bin/client /bin/server /bin/\nRUN true\nCMD ["/bin/server"]\n', "RUN"),
])
def test_declines_with_a_reason(final: str, reason: str) -> None:
    source = BUILDS + final
    output, skips = _run(source)
    assert output == source
    assert any(reason in s for s in skips), skips


def test_a_binary_named_like_an_image_is_not_a_stage_name() -> None:
    source = ("FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/scratch ./a\n"
              "RUN go build -o /bin/server ./b\nFROM scratch\nCOPY --from=0 /bin/scratch /bin/server /bin/\n"
              'ENTRYPOINT ["/bin/server"]\n')
    output, skips = _run(source)
    assert output == source and "cannot name a stage" in skips[0]
