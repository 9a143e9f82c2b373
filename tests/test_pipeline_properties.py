"""Pipeline properties over every golden input and the tricky files, checked with BuildKit's parser.

- the output is a fixpoint (a second run changes nothing);
- the output parses with BuildKit's own parser;
- every instruction on lines the diff did not touch parses exactly as before
  (an edit never changes how BuildKit reads a line it did not mean to change);
- a file no transform applies to comes out byte-identical.
"""

from __future__ import annotations

import difflib

import dockerfile
import pytest

import transforms as registry
from refactor.engine.pipeline import run
from refactor.facts.context import BuildContext, TransformContext
from refactor.output.diff import split_keep_ends
from refactor.text.document import Document
from tests.golden_cases import GoldenCase, load_cases
from tests.test_document import TRICKY

CASES = load_cases()


def _parsed_by_line(text: str) -> dict[int, tuple[object, ...]]:
    return {
        c.start_line: (c.cmd.lower(), c.flags, c.value, c.heredocs, c.end_line - c.start_line)
        for c in dockerfile.parse_string(text)
    }


def _untouched_line_map(old: str, new: str) -> dict[int, int]:
    """1-based new line -> old line for lines inside unchanged blocks."""
    matcher = difflib.SequenceMatcher(None, split_keep_ends(old), split_keep_ends(new), autojunk=False)
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[j1 + k + 1] = i1 + k + 1
    return mapping


def _assert_untouched_instructions_parse_the_same(old: str, new: str) -> None:
    before, after = _parsed_by_line(old), _parsed_by_line(new)
    mapping = _untouched_line_map(old, new)
    for line, parsed in after.items():
        span = parsed[-1]
        assert isinstance(span, int)
        if all(line + k in mapping for k in range(span + 1)):
            old_line = mapping[line]
            assert before.get(old_line) == parsed, f"line {line} parses differently than old line {old_line}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_all_transforms_on_golden_input_keep_buildkit_parse_and_reach_a_fixpoint(case: GoldenCase) -> None:
    ctx = case.context()
    outcome = run(Document.parse(case.source), registry.select(), ctx)
    assert not run(Document.parse(outcome.output), registry.select(), ctx).changed
    _assert_untouched_instructions_parse_the_same(outcome.original, outcome.output)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_file_without_applicable_transform_is_byte_identical(name: str) -> None:
    text = TRICKY[name]
    outcome = run(Document.parse(text.encode()), registry.select(), TransformContext(BuildContext.at(None)))
    if outcome.changes:
        _assert_untouched_instructions_parse_the_same(outcome.original, outcome.output)
    else:
        assert outcome.rendered() == text.encode()
