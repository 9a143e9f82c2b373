"""Dockerfile words as BuildKit reads them: quote removal, ENV and ARG pairs.

The splitting into pairs is compared with BuildKit's own parser (the `dockerfile`
package wraps it); the quote removal follows BuildKit's shell lexer (shell/lex.go).
"""

from __future__ import annotations

import dockerfile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refactor.text.words import arg_pairs, env_pairs, parse_words, unquote


@pytest.mark.parametrize(("word", "expected"), [
    ("plain", "plain"),
    ('"a b"', "a b"),
    ("'a b'", "a b"),
    ('""', ""),
    # quotes anywhere in the word, not only around it
    ('a"b c"d', "ab cd"),
    ("pre'x'\"y\"", "prexy"),
    # double quotes: the escape character escapes only ", $ and itself
    ('"a\\"b"', 'a"b'),
    ('"a\\$b"', "a$b"),
    ('"a\\\\b"', "a\\b"),
    ('"a\\nb"', "a\\nb"),
    # single quotes: nothing is special
    ("'a\\b'", "a\\b"),
    ("'a\"b'", 'a"b'),
    # unquoted: the escape character makes the next character literal, and is dropped at the end
    ("a\\ b", "a b"),
    ("a\\'b", "a'b"),
    ("a\\", "a"),
    # variables are not expanded
    ("$HOME/x", "$HOME/x"),
    ('"${A:-b}"', "${A:-b}"),
    # an unterminated quote (BuildKit's error) keeps the rest as written
    ('"abc', '"abc'),
    ("x'abc", "x'abc"),
])
def test_unquote_follows_buildkits_lexer(word: str, expected: str) -> None:
    assert unquote(word) == expected


def test_unquote_uses_the_files_escape_character() -> None:
    assert unquote("C:\\app") == "C:app"
    assert unquote("C:\\app", "`") == "C:\\app"
    assert unquote('"a`"b"', "`") == 'a"b'
    assert unquote("a` b", "`") == "a b"


def test_parse_words_keeps_quotes_and_escapes() -> None:
    assert parse_words('a="x y" b=\'1 2\' c\\ d') == ['a="x y"', "b='1 2'", "c\\ d"]
    assert parse_words('""  x') == ['""', "x"]
    assert parse_words("a \\") == ["a"]
    assert parse_words("a`  b", "`") == ["a` ", "b"]


@pytest.mark.parametrize(("args", "expected"), [
    ("A=1", [("A", "1")]),
    ('A=1 B="x y" C=\'$D\'', [("A", "1"), ("B", "x y"), ("C", "$D")]),
    ("A= B=", [("A", ""), ("B", "")]),
    ("A=a\\ b", [("A", "a b")]),
    ("A=x=y", [("A", "x=y")]),
    # legacy `ENV name value`: everything after the first whitespace, quotes removed
    ("PATH /usr/local/bin:$PATH", [("PATH", "/usr/local/bin:$PATH")]),
    ('MSG "hello world"  again', [("MSG", "hello world  again")]),
    ("A\tb c", [("A", "b c")]),
    # what BuildKit rejects, read leniently
    ("A", [("A", "")]),
    ("A=1 B", [("A", "1")]),
    ("", []),
])
def test_env_pairs(args: str, expected: list[tuple[str, str]]) -> None:
    assert env_pairs(args) == expected


def test_env_pairs_with_a_backtick_escape() -> None:
    assert env_pairs("PATH=C:\\bin;C:\\tools", "`") == [("PATH", "C:\\bin;C:\\tools")]
    assert env_pairs("A=a` b", "`") == [("A", "a b")]


def test_arg_pairs() -> None:
    assert arg_pairs('A B=1 C="x y" D=') == [("A", None), ("B", "1"), ("C", "x y"), ("D", "")]


def _buildkit(line: str) -> tuple[str, ...] | None:
    try:
        (command,) = dockerfile.parse_string(line + "\n")
    except dockerfile.GoParseError:
        return None
    return command.value


# (a trailing backslash would continue the line: not an argument)
_ENV_ARGS = st.text(alphabet="ab=\"' \\$", min_size=1, max_size=14).filter(
    lambda s: s.strip() != "" and not s.rstrip().endswith("\\"))


@settings(max_examples=400, deadline=None)
@given(_ENV_ARGS)
def test_env_pairs_split_as_buildkit_does(args: str) -> None:
    value = _buildkit(f"ENV {args}")
    if value is None:  # BuildKit rejects it (e.g. `ENV a=1 b`)
        return
    expected = [(unquote(value[i]), unquote(value[i + 1])) for i in range(0, len(value), 2)]
    assert env_pairs(args) == expected


@settings(max_examples=300, deadline=None)
@given(_ENV_ARGS)
def test_arg_pairs_split_as_buildkit_does(args: str) -> None:
    value = _buildkit(f"ARG {args}")
    if value is None:
        return
    expected = []
    for word in value:
        name, eq, default = word.partition("=")
        expected.append((unquote(name), unquote(default) if eq else None))
    assert arg_pairs(args) == expected
