"""The pipeline's edit bookkeeping: overlapping changes wait for the next round, others apply together."""

from __future__ import annotations

from refactor.engine.changes import Change, Edit, Safety
from refactor.engine.pipeline import _apply_compatible


def change(*edits: tuple[int, int, str]) -> Change:
    return Change("t", "why", tuple(Edit(a, b, r) for a, b, r in edits), Safety.SAFE, 1)


def test_disjoint_changes_apply_together_and_an_overlapping_one_waits() -> None:
    applied: list[Change] = []
    first, clash, other = change((0, 3, "ABC")), change((2, 5, "x")), change((6, 6, "!"))
    assert _apply_compatible("abcdefgh", [first, clash, other], applied) == "ABCdef!gh"
    assert applied == [first, other]


def test_insertions_at_the_same_point_keep_their_order() -> None:
    applied: list[Change] = []
    assert _apply_compatible("ab", [change((1, 1, "1")), change((1, 1, "2"))], applied) == "a12b"


def test_an_insertion_inside_a_replaced_span_conflicts() -> None:
    applied: list[Change] = []
    replace, inside = change((1, 4, "X")), change((2, 2, "!"))
    assert _apply_compatible("abcdef", [replace, inside], applied) == "aXef"
    assert applied == [replace]


def test_a_change_whose_own_edits_overlap_is_not_applied() -> None:
    applied: list[Change] = []
    assert _apply_compatible("abcdef", [change((0, 3, "x"), (2, 4, "y"))], applied) == "abcdef"
    assert applied == []
