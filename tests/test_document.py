"""The lossless model: exact round trips, and the same instructions and line spans as BuildKit."""

from __future__ import annotations

import dockerfile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refactor.text.document import Document, ItemKind, KeywordCase, ParseError

TRICKY = {
    "comment_inside_continuation": "FROM a\nRUN echo 1 \\\n  # a comment\n  && echo 2\n",
    "blank_line_inside_continuation": "FROM a\nRUN echo 1 \\\n\n  echo 2\n",
    "escape_directive_backtick": "# escape=`\nFROM a\nRUN dir `\n  c:\\\n",
    "escape_after_other_directive": "# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN a `\n b\n",
    "escape_after_comment_is_a_comment": "# hello\n# escape=`\nFROM a\nRUN a \\\n b\n",
    "crlf": "FROM a\r\nRUN a \\\r\n  b\r\n",
    "bom": "\ufeffFROM a\nRUN b\n",
    "no_final_newline": "FROM a\nRUN b",
    "trailing_backslash_at_eof": "FROM a\nRUN b \\",
    "double_backslash_continues": "FROM a\nRUN echo a\\\\\nRUN b\n",
    "heredoc_with_from_inside": "FROM a\nRUN <<EOF\nFROM b\necho\nEOF\nRUN c\n",
    "heredoc_chomp_and_quoted": "FROM a\nRUN <<-'EOT' bash\n\techo $HOME\n\tEOT\n",
    "two_heredocs_in_copy": "FROM a\nCOPY <<A <<B /dst/\na\nA\nb\nB\n",
    "heredoc_in_json_form_is_not_a_heredoc": 'FROM a\nRUN ["sh", "-c", "cat <<EOF"]\nEOF\n',
    "lowercase_instructions": "from a as b\nrun echo\ncopy --from=b /a /b\n",
    "flags_with_quotes": 'FROM a\nRUN --mount=type=cache,target="/a b" echo\n',
    "indented_instruction_and_comment": "FROM a\n   RUN echo\n   # c\n",
    "whitespace_only_lines": "FROM a\n   \n\t\nRUN b\n",
}


def buildkit(text: str) -> list[tuple[str, int, int]]:
    return [(c.cmd.upper(), c.start_line, c.end_line) for c in dockerfile.parse_string(text)]


def ours(text: str) -> list[tuple[str, int, int]]:
    doc = Document.parse(text)
    return [(i.keyword, i.first_line, i.last_line) for i in doc.instructions]


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_file_round_trips_byte_for_byte(name: str) -> None:
    text = TRICKY[name]
    assert Document.parse(text).render() == text
    assert Document.parse(text.encode()).to_bytes() == text.encode()


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_file_has_buildkits_instructions_and_line_spans(name: str) -> None:
    text = TRICKY[name]
    assert ours(text) == buildkit(text)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_logical_line_matches_buildkits_original(name: str) -> None:
    text = TRICKY[name]
    theirs = [c.original.split("\n", 1)[0] for c in dockerfile.parse_string(text)]
    mine = [i.logical.strip() for i in Document.parse(text).instructions]
    assert [m.rstrip() for m in mine] == [t.rstrip() for t in theirs]


def test_items_tile_the_text_without_gaps() -> None:
    doc = Document.parse(TRICKY["heredoc_with_from_inside"] + "# tail\n\n")
    position = 0
    for item in doc.items:
        assert item.start == position
        position = item.stop
    assert position == len(doc.text)


def test_span_maps_logical_offsets_back_to_the_original() -> None:
    doc = Document.parse("FROM a\nCOPY \\\n  --from=0 \\\n  /x /y\n")
    copy = doc.instructions[1]
    flag = copy.flag("from")
    assert flag is not None and flag.value == "0"
    start, stop = copy.span(flag.start, flag.stop)
    assert doc.text[start:stop] == "--from=0"


def test_span_refuses_to_straddle_a_continuation() -> None:
    doc = Document.parse("FROM a\nRUN echo a \\\n  b\n")
    run = doc.instructions[1]
    with pytest.raises(ValueError, match="continuation"):
        run.span(run.args_start, len(run.logical))


def test_heredoc_body_is_recorded_with_its_span() -> None:
    doc = Document.parse("FROM a\nRUN <<EOF\necho hi\nEOF\nRUN b\n")
    heredoc = doc.instructions[1].heredocs[0]
    assert heredoc.name == "EOF" and heredoc.content == "echo hi\n"
    assert doc.text[heredoc.start : heredoc.stop] == "echo hi\nEOF\n"
    assert doc.instructions[2].first_line == 5


def test_unterminated_heredoc_is_a_parse_error_on_its_instruction() -> None:
    with pytest.raises(ParseError) as error:
        Document.parse("FROM a\nRUN <<EOF\necho\n")
    assert error.value.line == 2


def test_invalid_utf8_bytes_survive_a_round_trip() -> None:
    data = b"FROM a\n# caf\xe9 latin-1\nRUN b\n"
    assert Document.parse(data).to_bytes() == data


def test_newline_and_keyword_case_follow_the_file() -> None:
    doc = Document.parse("from a\r\nrun b\r\n")
    assert doc.newline == "\r\n"
    assert doc.keyword("COPY") == "copy"
    assert Document.parse("FROM a\nRUN b\n").keyword("copy") == "COPY"
    assert doc.keyword_case() is KeywordCase.LOWER
    assert Document.parse("FROM a\nrun b\n").keyword_case(near=None) is KeywordCase.UPPER  # a tie: upper


def test_item_kinds_are_enum_members() -> None:
    doc = Document.parse("# escape=\\\n# note\n\nFROM a\n")
    assert [item.kind for item in doc.items] == [ItemKind.DIRECTIVE, ItemKind.COMMENT, ItemKind.BLANK,
                                                ItemKind.INSTRUCTION]


def test_items_are_identity_objects() -> None:
    text = "FROM a\n\nRUN b\n"
    first, second = Document.parse(text), Document.parse(text)
    assert first.items[1] != second.items[1]  # the same line of two parses: two items
    assert len(set(first.items) | set(second.items)) == 6
    assert first.items[1] in set(first.items) and second.items[1] not in set(first.items)


def test_instructions_know_the_escape_character() -> None:
    assert Document.parse("FROM a\n").instructions[0].escape == "\\"
    assert Document.parse("# escape=`\nFROM a\n").instructions[0].escape == "`"


# --- generated files, compared with BuildKit's own parser -------------------------------------

_WORD = st.sampled_from(["a", "b", "x=1", "--flag", "'q q'", '"d"', "$V", "c\\", "#x", "<<", "&&", "."])
_INSTR = st.sampled_from(["FROM", "RUN", "COPY", "ENV", "CMD", "run", "Label", "WORKDIR"])
_NEWLINE = st.sampled_from(["\n", "\r\n"])


@st.composite
def _lines(draw: st.DrawFn) -> str:
    newline = draw(_NEWLINE)
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["# escape=`", "# syntax=x/y", "# check=skip=all", "#escape=\\"])))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["instr", "instr", "instr", "comment", "blank", "heredoc", "cont"]))
        if kind == "comment":
            lines.append(draw(st.sampled_from(["# c", "  # indented", "#"])))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))
        elif kind == "heredoc":
            name = draw(st.sampled_from(["EOF", "END"]))
            dash = draw(st.sampled_from(["", "-"]))
            lines += [f"RUN <<{dash}{name}", draw(st.sampled_from(["echo", "FROM x", "\tEOF", ""])), name]
        else:
            words = " ".join(draw(st.lists(_WORD, min_size=1, max_size=4)))
            line = f"{draw(_INSTR)} {words}"
            if kind == "cont":
                escape = draw(st.sampled_from(["\\", "`"]))
                lines += [line + " " + escape, draw(st.sampled_from(["# inner", "", "  more", "  end \\"])), "  tail"]
            else:
                lines.append(line)
    text = newline.join(lines)
    return text + (newline if draw(st.booleans()) else "")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines())
def test_generated_files_split_like_buildkit(text: str) -> None:
    try:
        theirs = buildkit(text)
    except Exception:
        theirs = None
    try:
        doc = Document.parse(text)
    except ParseError:
        assert theirs is None or theirs == [], "we rejected a file BuildKit accepts"
        return
    assert doc.render() == text
    if theirs is not None:
        assert ours(text) == theirs
