"""Lossless Dockerfile model: items that join back to the input byte for byte.

The splitter follows BuildKit's line rules (moby/buildkit frontend/dockerfile/parser):
parser directives only at the very top, a continuation is the escape character
followed by optional spaces/tabs at the end of a line, comment and blank lines
inside a continuation belong to the instruction (BuildKit drops them from the
logical line; we keep them in the instruction's span), and heredoc bodies
(`RUN <<EOF`, `COPY <<EOF /path`) follow the instruction's last line.

Every item records its character span in `Document.text`; transforms edit those
spans and never re-print the file.  The text is decoded with `surrogateescape`
so that bytes which are not UTF-8 survive a rewrite elsewhere in the file.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

BOM = "\ufeff"
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
# The instructions BuildKit knows; anything else is a parse error there too.
INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)

_DIRECTIVE_RE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_HEREDOC_WORD_RE = re.compile(r"^(\d*)<<(-?)([^<]*)$")


class ParseError(ValueError):
    """The text is not a Dockerfile BuildKit would build; `line` is 1-based, None for the whole file."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Line:
    """One physical line: `body` without its line ending, `end` the ending itself."""

    start: int  # offset of the first character in Document.text
    body: str
    end: str  # "\n", "\r\n" or "" for a last line without newline

    @property
    def stop(self) -> int:
        return self.start + len(self.body) + len(self.end)


@dataclass(frozen=True)
class Heredoc:
    name: str
    chomp: bool  # `<<-`: leading tabs are stripped
    expand: bool  # unquoted name: variables are expanded
    content: str  # body lines joined with "\n", each ending in "\n"
    start: int  # offset of the body's first line
    stop: int  # offset just after the terminator line


@dataclass(frozen=True)
class Flag:
    """A `--name=value` (or bare `--name`) flag, with its span in the logical line."""

    name: str
    value: str | None
    start: int  # logical-line offsets
    stop: int


class ItemKind(StrEnum):
    DIRECTIVE = "directive"
    COMMENT = "comment"
    BLANK = "blank"
    INSTRUCTION = "instruction"


class KeywordCase(StrEnum):
    """How a file writes its instruction keywords."""

    UPPER = "upper"
    LOWER = "lower"

    def apply(self, keyword: str) -> str:
        return keyword.lower() if self is KeywordCase.LOWER else keyword.upper()


@dataclass(frozen=True, eq=False)
class Item:
    """A run of whole lines: a directive, a comment, a blank line or an instruction.

    Items are identity objects (`eq=False`): two blank lines are different items, and
    sets and dicts of items hold the very items of one `Document`.
    """

    kind: ItemKind
    start: int
    stop: int
    first_line: int  # 1-based
    last_line: int


@dataclass(frozen=True, eq=False)
class Instruction(Item):
    keyword: str  # upper case
    keyword_text: str  # as written (`from`, `From`, `FROM`)
    logical: str  # BuildKit's joined line: continuations removed, inner comments dropped
    offsets: tuple[int, ...]  # Document.text offset of each logical character
    flags: tuple[Flag, ...]
    args_start: int  # logical offset where the arguments after the flags begin
    heredocs: tuple[Heredoc, ...] = ()
    escape: str = "\\"  # the file's escape character (`# escape=` directive), for `words.unquote`

    @property
    def args(self) -> str:
        return self.logical[self.args_start :].strip()

    @property
    def is_json(self) -> bool:
        return parse_json_array(self.args) is not None

    def flag(self, name: str) -> Flag | None:
        return next((f for f in self.flags if f.name == name), None)

    def flag_values(self, name: str) -> list[str]:
        return [f.value for f in self.flags if f.name == name and f.value is not None]

    def span(self, logical_start: int, logical_stop: int) -> tuple[int, int]:
        """Document span of a logical substring; it must not straddle a continuation."""
        if logical_stop <= logical_start:
            pos = self.offsets[logical_start] if logical_start < len(self.offsets) else self.text_stop
            return pos, pos
        first = self.offsets[logical_start]
        last = self.offsets[logical_stop - 1] + 1
        if last - first != logical_stop - logical_start:
            raise ValueError("span crosses a line continuation")
        return first, last

    def is_contiguous(self, logical_start: int, logical_stop: int) -> bool:
        if logical_stop <= logical_start:
            return True
        return self.offsets[logical_stop - 1] + 1 - self.offsets[logical_start] == logical_stop - logical_start

    @property
    def text_stop(self) -> int:
        """Offset just after the instruction's last logical character."""
        return self.offsets[-1] + 1 if self.offsets else self.start

    @property
    def multiline(self) -> bool:
        return self.last_line > self.first_line

    def words(self) -> list[str]:
        return split_words(self.args)


@dataclass
class Document:
    """A parsed Dockerfile; `str(doc)` (with `bom`) gives back the input exactly."""

    text: str  # without the BOM
    bom: bool
    lines: list[Line]
    items: list[Item]
    escape: str
    directives: dict[str, str] = field(default_factory=dict)
    _line_starts: list[int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, source: str | bytes) -> Document:
        if isinstance(source, bytes):
            source = source.decode("utf-8", "surrogateescape")
        return _Splitter(source).run()

    def check_buildable(self) -> None:
        """Raise ParseError for what BuildKit's parser keeps but its build rejects.

        `parse` (and so `pipeline.run`) accepts every instruction word, as BuildKit's
        parser does (a heredoc terminator after an exec-form `RUN ["<<EOF"]` is an
        instruction there too); the build then fails with "unknown instruction", so
        `batch` refuses such a file before rewriting it.
        """
        for instr in self.instructions:
            if instr.keyword not in INSTRUCTIONS:
                raise ParseError(f"unknown instruction: {_shorten(instr.keyword_text)}", instr.first_line)

    def render(self) -> str:
        return (BOM if self.bom else "") + self.text

    def to_bytes(self) -> bytes:
        return self.render().encode("utf-8", "surrogateescape")

    @property
    def instructions(self) -> list[Instruction]:
        return [i for i in self.items if isinstance(i, Instruction)]

    @property
    def newline(self) -> str:
        """The file's line ending: the most common one, "\n" when there is none."""
        crlf = sum(1 for line in self.lines if line.end == "\r\n")
        lf = sum(1 for line in self.lines if line.end == "\n")
        return "\r\n" if crlf > lf else "\n"

    @property
    def ends_with_newline(self) -> bool:
        return not self.lines or self.lines[-1].end != ""

    def line_of(self, offset: int) -> int:
        """1-based line number of a text offset (a binary search: transforms ask per RUN)."""
        if self._line_starts is None:
            ends_with_newline = self.text.endswith("\n")
            self._line_starts = [line.start for line in self.lines] + ([len(self.text)] if ends_with_newline else [])
        return max(bisect.bisect_right(self._line_starts, offset), 1)

    def line_indent(self, item: Item) -> str:
        body = self.text[item.start : item.stop]
        return body[: len(body) - len(body.lstrip(" \t"))]

    def keyword_case(self, near: Item | None = None) -> KeywordCase:
        """How instructions are written (by `near` when it is an instruction, else by most of them)."""
        sample = [near] if isinstance(near, Instruction) else self.instructions
        lower = sum(1 for i in sample if i.keyword_text.islower())
        return KeywordCase.LOWER if sample and lower * 2 > len(sample) else KeywordCase.UPPER

    def keyword(self, name: str, near: Item | None = None) -> str:
        return self.keyword_case(near).apply(name)


class _Splitter:
    """Walks the lines exactly as BuildKit's parser does, recording spans."""

    def __init__(self, source: str) -> None:
        self.bom = source.startswith(BOM)
        self.text = source[1:] if self.bom else source
        self.lines = list(_split_lines(self.text))
        self.escape = "\\"
        self.directives: dict[str, str] = {}
        self.items: list[Item] = []

    def run(self) -> Document:
        i = self._directives()
        while i < len(self.lines):
            line = self.lines[i]
            stripped = line.body.lstrip()
            if stripped.startswith("#"):
                self.items.append(Item(ItemKind.COMMENT, line.start, line.stop, i + 1, i + 1))
                i += 1
            elif not stripped:
                self.items.append(Item(ItemKind.BLANK, line.start, line.stop, i + 1, i + 1))
                i += 1
            else:
                i = self._instruction(i)
        if not any(isinstance(item, Instruction) for item in self.items):
            # BuildKit: "file with no instructions" (empty, only comments, only directives).
            raise ParseError("file with no instructions", None)
        return Document(self.text, self.bom, self.lines, self.items, self.escape, self.directives)

    def _directives(self) -> int:
        """Parser directives: known `# name=value` lines before anything else."""
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            match = _DIRECTIVE_RE.match(line.body.lstrip())
            name = match.group(1).lower() if match else ""
            if not match or name not in KNOWN_DIRECTIVES:
                break
            if name in self.directives:
                raise ParseError(f"only one {name} parser directive can be used", i + 1)
            value = match.group(2)
            if name == "escape":
                if value not in ("\\", "`"):
                    raise ParseError(f"invalid escape token {value!r} does not match ` or \\", i + 1)
                self.escape = value
            self.directives[name] = value
            self.items.append(Item(ItemKind.DIRECTIVE, line.start, line.stop, i + 1, i + 1))
            i += 1
        return i

    def _instruction(self, i: int) -> int:
        first = i
        logical: list[str] = []
        offsets: list[int] = []
        line = self.lines[i]
        lead = len(line.body) - len(line.body.lstrip())
        part, ended = self._trim_continuation(line.body[lead:])
        _append(logical, offsets, part, line.start + lead)
        i += 1
        while not ended and i < len(self.lines):
            line = self.lines[i]
            i += 1
            stripped = line.body.lstrip()
            if stripped.startswith("#") or not stripped:
                continue  # BuildKit drops comment and empty lines inside a continuation
            part, ended = self._trim_continuation(line.body)
            _append(logical, offsets, part, line.start)
        text = "".join(logical)
        keyword_text, flags, args_start = split_command(text)
        keyword = keyword_text.upper()
        heredocs: list[Heredoc] = []
        if (
            keyword in HEREDOC_INSTRUCTIONS
            and "<<" in text
            and parse_json_array(text[args_start:]) is None
        ):
            for name, chomp, expand in _heredoc_names(text):
                i, heredoc = self._heredoc_body(i, name, chomp, expand, first)
                heredocs.append(heredoc)
        last = i - 1
        self.items.append(
            Instruction(
                kind=ItemKind.INSTRUCTION,
                start=self.lines[first].start,
                stop=self.lines[last].stop,
                first_line=first + 1,
                last_line=last + 1,
                keyword=keyword,
                keyword_text=keyword_text,
                logical=text,
                offsets=tuple(offsets),
                flags=tuple(flags),
                args_start=args_start,
                heredocs=tuple(heredocs),
                escape=self.escape,
            )
        )
        return i

    def _heredoc_body(self, i: int, name: str, chomp: bool, expand: bool, first: int) -> tuple[int, Heredoc]:
        body_start = self.lines[i].start if i < len(self.lines) else len(self.text)
        content: list[str] = []
        while i < len(self.lines):
            body = self.lines[i].body.rstrip("\r")
            i += 1
            if (body.lstrip("\t") if chomp else body) == name:
                return i, Heredoc(name, chomp, expand, "".join(content), body_start, self.lines[i - 1].stop)
            content.append(body + "\n")
        raise ParseError("unterminated heredoc", first + 1)

    def _trim_continuation(self, body: str) -> tuple[str, bool]:
        """(text before the escape, True when the line does not continue)."""
        trimmed = body.rstrip("\r")
        stripped = trimmed.rstrip(" \t")
        # BuildKit: `([^\\])\\[ \t]*$|^\\[ \t]*$`: an escaped escape (`a\\`) does not continue.
        if stripped.endswith(self.escape) and (len(stripped) == 1 or stripped[-2] != self.escape):
            return stripped[:-1], False
        return trimmed, True


def _shorten(text: str, limit: int = 40) -> str:
    """A word for an error message: printable, one line, not a megabyte."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "..."


def _append(logical: list[str], offsets: list[int], part: str, start: int) -> None:
    logical.append(part)
    offsets.extend(range(start, start + len(part)))


def _split_lines(text: str) -> Iterator[Line]:
    """Split on "\n" only: form feeds and Unicode separators are ordinary characters."""
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        if nl == -1:
            yield Line(pos, text[pos:], "")
            return
        if nl > pos and text[nl - 1] == "\r":
            yield Line(pos, text[pos : nl - 1], "\r\n")
        else:
            yield Line(pos, text[pos:nl], "\n")
        pos = nl + 1


def split_command(text: str) -> tuple[str, list[Flag], int]:
    """Keyword, leading `--flags` and where the arguments start (BuildKit's extractBuilderFlags)."""
    match = re.match(r"\s*(\S+)", text)
    if not match:
        return "", [], len(text)
    keyword = match.group(1)
    pos = match.end()
    flags: list[Flag] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith("--", pos):
            return keyword, flags, pos
        start = pos
        value, pos = _flag_word(text, pos)
        if value == "--":
            return keyword, flags, pos
        name, eq, val = value[2:].partition("=")
        flags.append(Flag(name.lower(), val if eq else None, start, pos))


def _flag_word(text: str, pos: int) -> tuple[str, int]:
    """One flag word from `pos`: quotes removed, backslash escapes applied."""
    word: list[str] = []
    quote = ""
    while pos < len(text):
        ch = text[pos]
        if not quote and ch.isspace():
            break
        if quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
        elif ch == "\\" and pos + 1 < len(text):
            pos += 1
            word.append(text[pos])
        elif ch != "\\":
            word.append(ch)
        pos += 1
    return "".join(word), pos


def split_words(text: str) -> list[str]:
    """Whitespace-separated words with quotes kept raw, as BuildKit's heredoc scan sees them."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    in_word = False
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
        elif ch in " \t":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            in_word = True
            current.append(ch)
            if ch in "\"'":
                quote = ch
            elif ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
        i += 1
    if in_word:
        words.append("".join(current))
    return words


def _heredoc_names(text: str) -> Iterator[tuple[str, bool, bool]]:
    for word in split_words(text):
        match = _HEREDOC_WORD_RE.match(word)
        if not match:
            continue
        rest = match.group(3)
        inner = split_words(rest)
        if len(inner) != 1 or not rest:
            continue
        name = inner[0]
        expand = rest[0] not in "\"'"
        if not expand:
            name = name.replace('"', "").replace("'", "")
        yield name, match.group(2) == "-", expand


def parse_json_array(args: str) -> list[str] | None:
    """The exec form's list of strings, or None when `args` is shell form."""
    stripped = args.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None
