"""Every golden case: the pipeline's output equals expected.Dockerfile, byte for byte.

Regenerate expected files for review with `REFACTOR_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
(then read `git diff golden/` before committing).
"""

from __future__ import annotations

import os

import pytest

from tests.golden_cases import GoldenCase, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_output_matches_expected(case: GoldenCase) -> None:
    outcome = case.run()
    output = outcome.rendered()
    if os.environ.get("REFACTOR_UPDATE_GOLDEN"):
        if output != case.source:
            case.expected_path.write_bytes(output)
        elif case.expected_path.exists():
            case.expected_path.unlink()
    assert output == case.expected
    for change in outcome.changes:
        assert change.rationale and "\n" not in change.rationale


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_output_is_a_fixpoint(case: GoldenCase) -> None:
    again = case.run(case.expected)
    assert not again.changed, "running the pipeline on its own output changed it again"
