"""Reports use the input file's line numbers, even for what later pipeline rounds find."""

from __future__ import annotations

import transforms
from refactor.engine.changes import Edit
from refactor.engine.lines import LineMap
from refactor.engine.pipeline import run
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document


def test_insertions_and_replacements_map_back() -> None:
    text = "a\nb\nc\nd\n"
    lines = LineMap()
    lines.record(text, [Edit(2, 2, "x\ny\n"), Edit(4, 5, "C1\nC2")])  # 2 lines before b; c -> 2 lines
    # new text: a x y b C1 C2 d
    assert [lines.to_input(n) for n in range(1, 8)] == [1, 2, 2, 2, 3, 3, 4]


def test_maps_compose_over_rounds() -> None:
    lines = LineMap()
    lines.record("a\nb\n", [Edit(0, 0, "top\n")])  # top a b
    lines.record("top\na\nb\n", [Edit(4, 4, "mid\n")])  # top mid a b
    assert [lines.to_input(n) for n in (1, 2, 3, 4)] == [1, 1, 1, 2]


def test_later_rounds_report_in_input_lines_once() -> None:
    source = ("FROM golang:1.22 AS linux\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n"
              "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN pip install flask\n")
    outcome = run(Document.parse(source), transforms.select(["cache-mounts"]), TransformContext(BuildContext(None)))
    assert outcome.changed
    assert [(s.line, s.transform) for s in outcome.skips] == [(6, "cache-mounts")]
    assert [c.line for c in outcome.changes] == [4]
