"""Inputs the property tests, the mutation corpus and the atheris target found; each was a bug."""

from __future__ import annotations

import pytest

import transforms as registry
from refactor.engine.options import resolve
from refactor.engine.pipeline import run
from refactor.facts.context import BuildContext, TransformContext
from refactor.testing.strategies import buildkit_parses
from refactor.text.document import Document

FOUND = {
    # Mutation corpus (name_all golden case, a line cut to `FROM scratch["`): the stage graph
    # split FROM's arguments quote-aware, so the `AS runtime` name-stages added was never seen
    # and it was added again every round ("did not reach a fixpoint").  BuildKit splits FROM on
    # whitespace only.
    "quote_in_a_from_image_does_not_hide_the_stage_name": (
        b'FROM golang:1.21\nRUN go build -o /bin/app .\nFROM scratch["\nCOPY --from=0 /bin/app /app\n',
        {"name_all": True},
    ),
    # Adversarial sizes: shell analysis recursed once per `&&` / subshell / `if` level
    # (RecursionError at ~1000); now iterative.
    "five_thousand_commands_joined_by_and": (
        ("FROM golang:1.22\nRUN " + " && ".join(["true"] * 5000) + "\nFROM scratch\nCOPY --from=0 /a /b\n").encode(),
        {},
    ),
    "three_thousand_nested_subshells": (
        ("FROM golang:1.22\nRUN " + "(" * 3000 + "go build" + ")" * 3000 + "\nFROM scratch\nCOPY --from=0 /a /b\n")
        .encode(),
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_fuzz_finding_now_rewrites_to_a_parsable_fixpoint(name: str) -> None:
    source, options = FOUND[name]
    ctx = TransformContext(BuildContext.at(None), options=resolve(options.items(), registry.select()))
    outcome = run(Document.parse(source), registry.select(), ctx)
    assert buildkit_parses(outcome.rendered())
    assert not run(Document.parse(outcome.rendered()), registry.select(), ctx).changed


def test_from_arguments_split_on_whitespace_only_like_buildkit() -> None:
    from refactor.analysis.stages import StageGraph
    from refactor.text.document import Document

    graph = StageGraph.build(Document.parse('FROM scratch[" AS runtime\nFROM "a b" as x\n'))
    assert [(s.base, s.name) for s in graph.stages] == [('scratch["', "runtime"), ('"a', None)]
