"""The stage graph: names, bases, references by index and name, and what a --target builds."""

from __future__ import annotations

from refactor.analysis.stages import ReferenceKind, StageGraph, parse_mount
from refactor.facts.images import image_name
from refactor.text.document import Document

FILE = """ARG BASE=golang:1.22
FROM ${BASE} AS Build
RUN go build -o /out/app .
FROM debian:bookworm-slim AS tools
RUN apt-get update
FROM build AS test
RUN go test ./...
FROM scratch
COPY --from=0 /out/app /app
RUN --mount=type=bind,from=tools,source=/usr/bin,target=/t true
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/
"""


def graph() -> StageGraph:
    return StageGraph.build(Document.parse(FILE))


def test_stage_names_are_lower_cased_and_bases_resolve_to_earlier_stages() -> None:
    stages = graph().stages
    assert [s.name for s in stages] == ["build", "tools", "test", None]
    assert stages[2].base_stage is stages[0]
    assert stages[0].base_stage is None and graph().expand(stages[0].base) == "golang:1.22"


def test_references_by_index_name_and_image_are_told_apart() -> None:
    g = graph()
    refs = {(r.kind, r.value): r.stage.index if r.stage else None
            for r in g.references if r.kind is not ReferenceKind.FROM or r.stage}
    assert refs == {("from", "build"): 0, ("copy", "0"): 0, ("mount", "tools"): 1, ("copy", "nginx:alpine"): None}


def test_target_needs_only_the_stages_it_copies_or_starts_from() -> None:
    g = graph()
    assert [s.index for s in g.needed_for(g.stages[2])] == [0, 2]
    assert [s.index for s in g.needed_for(g.stages[3])] == [0, 1, 3]


def test_images_exclude_stages_and_drop_tags() -> None:
    assert {"golang:1.22", "golang", "debian:bookworm-slim", "debian", "scratch"} <= graph().images()
    assert image_name("docker.io/library/golang:1.21@sha256:abc") == "golang"


def test_mount_options_parse_with_quotes_and_bare_keys() -> None:
    assert parse_mount('type=cache,target="/a,b",ro') == {"type": "cache", "target": "/a,b", "ro": "true"}
