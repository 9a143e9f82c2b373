"""Dockerfile words as BuildKit reads them: quote removal and the ENV/ARG `name=value` forms.

BuildKit splits the arguments of ENV, ARG and LABEL with `parseWords`
(frontend/dockerfile/parser/line_parsers.go: quotes and escapes stay in the word) and
removes the quotes later, when its shell lexer expands variables in each key and value
(frontend/dockerfile/shell/lex.go `ProcessWord`).  `unquote` is that quote removal
without the expansion; `env_pairs` and `arg_pairs` are `parseNameVal` and
`parseNameOrNameVal` followed by it.

`escape` is the file's escape character (`# escape=` directive, `Document.escape`).
"""

from __future__ import annotations

import re

# BuildKit's reWhitespace: what separates the name from the value in a legacy `ENV name value`.
_WHITESPACE_RE = re.compile(r"[\t\v\f\r ]+")


def unquote(word: str, escape: str = "\\") -> str:
    """`word` with its quotes removed and escapes applied, as BuildKit's shell lexer does.

    - `'...'`: every character is literal up to the next `'`;
    - `"..."`: the escape character escapes only `"`, `$` and itself, else it stays;
    - unquoted: the escape character makes the next character literal (and is dropped
      at the end of the word);
    - quotes may appear anywhere: `a"b c"d` is `ab cd`.

    Variables are not expanded: `$X` and `${X}` stay as written (so do the `$` of an
    escaped `\\$X` and of a single-quoted `'$X'`).  An unterminated quote, which BuildKit
    rejects, leaves the rest of the word as written.
    """
    if not any(ch in word for ch in ("'", '"', escape)):
        return word
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if ch == "'":
            end = word.find("'", i + 1)
            if end < 0:
                out.append(word[i:])
                break
            out.append(word[i + 1 : end])
            i = end + 1
        elif ch == '"':
            end, text = _double_quoted(word, i + 1, escape)
            if end < 0:
                out.append(word[i:])
                break
            out.append(text)
            i = end + 1
        elif ch == escape:
            if i + 1 < n:
                out.append(word[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _double_quoted(word: str, i: int, escape: str) -> tuple[int, str]:
    """(offset of the closing `"`, or -1 when there is none; the text inside, unescaped)."""
    out: list[str] = []
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == '"':
            return i, "".join(out)
        if ch == escape and i + 1 < n and word[i + 1] in ('"', "$", escape):
            i += 1
            ch = word[i]
        out.append(ch)
        i += 1
    return -1, ""


def parse_words(text: str, escape: str = "\\") -> list[str]:
    """BuildKit's `parseWords`: words split on whitespace, quotes and escapes kept in them.

    A quoted part (`"a b"`, `'a b'`) does not end a word; the escape character keeps the
    next character in the word (inside `'...'` it is an ordinary character).  A word that
    is only quotes (`""`) is kept.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    blank_ok = False  # the word had quotes: kept even when empty (`""`)
    quote = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    break  # an escape at the very end is dropped
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
        elif _is_space(ch):
            if word or blank_ok:
                words.append("".join(word))
            word, in_word, blank_ok = [], False, False
        else:
            in_word = True
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
            elif ch == escape:
                if i + 1 == n:
                    break  # an escape at the very end is dropped
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
        i += 1
    if in_word and (word or blank_ok):
        words.append("".join(word))
    return words


def env_pairs(args: str, escape: str = "\\") -> list[tuple[str, str]]:
    """ENV's `(name, value)` pairs as BuildKit reads them: quotes removed, variables not expanded.

    When the first word has an `=`, every word is a `name=value` pair (`ENV A=1 B="x y"`);
    otherwise it is the legacy `ENV name value`, and the value is everything after the
    first run of whitespace (`ENV PATH "/opt/bin:$PATH"`).  What BuildKit rejects is
    read leniently: a word without `=` among pairs is skipped, a lone `ENV name` gives
    `(name, "")`.
    """
    rest = args.strip()
    words = parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _WHITESPACE_RE.split(rest, maxsplit=1)
        return [(unquote(parts[0], escape), unquote(parts[1] if len(parts) > 1 else "", escape))]
    pairs: list[tuple[str, str]] = []
    for word in words:
        name, eq, value = word.partition("=")
        if eq:
            pairs.append((unquote(name, escape), unquote(value, escape)))
    return pairs


def arg_pairs(args: str, escape: str = "\\") -> list[tuple[str, str | None]]:
    """ARG's `(name, default)` pairs as BuildKit reads them; the default is None when not given.

    `ARG A B=1 C="x y" D=` gives `A` no default, `C` the default `x y` and `D` the empty one.
    """
    pairs: list[tuple[str, str | None]] = []
    for word in parse_words(args.strip(), escape):
        name, eq, value = word.partition("=")
        pairs.append((unquote(name, escape), unquote(value, escape) if eq else None))
    return pairs


def _is_space(ch: str) -> bool:
    """Go's unicode.IsSpace (Python's str.isspace also counts the ASCII separators 0x1c-0x1f)."""
    return ch in "\t\n\v\f\r \x85\xa0" or (ch > "\xff" and ch.isspace())
