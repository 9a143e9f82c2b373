"""Properties of the whole pipeline on generated Dockerfiles (every registered transform).

Bounded for CI (profile `ci`, ~120 examples per property); for a long local run:
`REFACTOR_FUZZ_LONG=1 .venv/bin/python -m pytest tests/test_properties.py` (5000 examples
each, or REFACTOR_FUZZ_EXAMPLES=N).  See fuzz/README.md for the atheris target.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from refactor.testing.strategies import buildkit_parses, dockerfiles, pipeline
from refactor.text.document import Document


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@given(dockerfiles())
def test_generated_dockerfile_round_trips_through_the_parser(text: str) -> None:
    assert Document.parse(_bytes(text)).to_bytes() == _bytes(text)


@given(dockerfiles())
@example("FROM a\nRUN echo hi \\")  # trailing backslash at end of file
@example('FROM a\nCMD ["sh", "-c"')  # unterminated JSON array: shell form
def test_pipeline_output_parses_with_buildkit_when_the_input_did(text: str) -> None:
    body = text.removeprefix("\ufeff")
    if not buildkit_parses(body):
        return
    outcome = pipeline(_bytes(text))
    assert buildkit_parses(outcome.output), f"output no longer parses:\n{outcome.output}"
    assert outcome.rendered().startswith(b"\xef\xbb\xbf") == text.startswith("\ufeff")
    assert outcome.output.endswith("\n") == body.endswith("\n") or not body


@given(dockerfiles())
def test_pipeline_is_idempotent(text: str) -> None:
    first = pipeline(_bytes(text))
    second = pipeline(first.rendered())
    assert not second.changed, f"second run changed:\n{first.output}\n---\n{second.output}"


@given(dockerfiles())
def test_output_without_changes_is_byte_identical(text: str) -> None:
    outcome = pipeline(_bytes(text))
    if not outcome.changes:
        assert outcome.rendered() == _bytes(text)


@given(dockerfiles(), st.sampled_from(["\r\n", "\n"]))
def test_line_endings_are_kept(text: str, newline: str) -> None:
    source = text.replace("\r\n", "\n").replace("\n", newline)
    outcome = pipeline(_bytes(source))
    if newline == "\n":
        assert "\r\n" not in outcome.output
    else:
        assert outcome.output.count("\n") == outcome.output.count("\r\n")


@given(st.text(max_size=300))
def test_arbitrary_text_parses_or_raises_parse_error(text: str) -> None:
    from refactor.text.document import ParseError

    try:
        doc = Document.parse(text)
    except ParseError:
        return
    assert doc.render() == text
