"""Shell analysis of RUN commands with tree-sitter-bash: simple commands, their words and spans.

Transforms recognise tools (`go build -o X ./cmd/y`, `npm ci`, `pip install -r f`)
from parsed commands, never from regexes over the raw line, and edit them through
the spans recorded here.  Offsets are character offsets into the script text, which
for a shell-form RUN is the instruction's logical line (see `Instruction.span`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from refactor.text.document import Instruction, parse_json_array
from refactor.text.words import unquote

_PARSER = Parser(Language(tree_sitter_bash.language()))
# Node types whose commands still run unconditionally, in order, in the RUN's own shell.
_SEQUENCE_TYPES = frozenset({"program", "list"})
_OPERATORS = frozenset({"&&", "||", ";", "&", "|", "|&", "\n"})


@dataclass(frozen=True)
class Word:
    raw: str  # as written, quotes included
    value: str  # quotes removed; equal to raw for words with expansions
    start: int
    stop: int
    literal: bool  # no `$`, backquote or glob: `value` is what the program receives


@dataclass(frozen=True)
class Command:
    """A simple command: `FOO=1 npm ci --omit=dev`."""

    words: tuple[Word, ...]  # the command name first
    assignments: tuple[tuple[str, str], ...]
    start: int
    stop: int
    top_level: bool  # runs in the RUN's own shell, unconditionally, as part of a plain chain

    @property
    def name(self) -> str:
        return self.words[0].value if self.words else ""

    @property
    def args(self) -> list[str]:
        return [w.value for w in self.words[1:]]

    @property
    def argv(self) -> list[str]:
        return [w.value for w in self.words]

    def program(self) -> str:
        """The command name without a directory (`/usr/bin/pip3` -> `pip3`)."""
        return self.name.rsplit("/", 1)[-1]

    def positional(self) -> list[str]:
        """Arguments that are not options (a crude but useful view for sub-commands)."""
        return [a for a in self.args if not a.startswith("-")]

    def has_option(self, *options: str) -> bool:
        for arg in self.args:
            for option in options:
                if arg == option or (option.startswith("--") and arg.startswith(option + "=")):
                    return True
        return False


@dataclass(frozen=True)
class ChainLink:
    """One element of a top-level chain and the operator that joins it to the previous one."""

    operator: str | None  # None for the first element
    start: int
    stop: int
    command: Command | None  # None when the element is a compound (subshell, if, pipeline)


@dataclass(frozen=True)
class Script:
    text: str
    commands: tuple[Command, ...]
    chain: tuple[ChainLink, ...]  # top-level elements in order
    has_error: bool  # tree-sitter could not parse part of it: edit nothing

    def find(self, program: str, *subcommand: str) -> list[Command]:
        """Commands running `program` with the given leading positional arguments."""
        found: list[Command] = []
        for command in self.commands:
            if command.program() != program:
                continue
            if list(subcommand) == command.positional()[: len(subcommand)]:
                found.append(command)
        return found


@lru_cache(maxsize=65536)  # a 100,000-line file has ~50k RUNs; every transform asks again
def parse(text: str) -> Script:
    """Parse a shell script; results are cached since transforms ask about the same RUN."""
    data = text.encode("utf-8", "surrogateescape")
    to_char = _byte_to_char(text, data)
    tree = _PARSER.parse(data)
    commands: list[Command] = []
    _collect(tree.root_node, to_char, commands, top_level=True)
    chain = tuple(_chain(tree.root_node, to_char, {(c.start, c.stop): c for c in commands}))
    return Script(text, tuple(commands), chain, tree.root_node.has_error)


def run_script(instr: Instruction) -> tuple[Script, bool] | None:
    """The shell script a RUN executes and whether its offsets are logical-line offsets.

    Shell form: the arguments after the flags (editable through `Instruction.span`).
    A RUN whose only argument is a heredoc: the heredoc body (not editable by offset).
    Exec form has no shell: None.
    """
    if instr.keyword != "RUN":
        return None
    args_text = instr.logical[instr.args_start :]
    if parse_json_array(args_text) is not None:
        return None
    if instr.heredocs and args_text.strip().startswith("<<") and len(args_text.split()) == 1:
        return parse(instr.heredocs[0].content), False
    padded = " " * instr.args_start + args_text
    return parse(padded), True


def _byte_to_char(text: str, data: bytes) -> list[int] | None:
    if len(data) == len(text):
        return None  # ASCII: offsets agree
    mapping = [0] * (len(data) + 1)
    pos = 0
    for index, ch in enumerate(text):
        width = len(ch.encode("utf-8", "surrogateescape"))
        for k in range(width):
            mapping[pos + k] = index
        pos += width
    mapping[len(data)] = len(text)
    return mapping


def _char(to_char: list[int] | None, byte: int) -> int:
    return byte if to_char is None else to_char[byte]


def _collect(root: Node, to_char: list[int] | None, out: list[Command], top_level: bool) -> None:
    """Commands in source order; iterative, since `a && b && ...` nests one level per operator."""
    stack = [(root, top_level)]
    while stack:
        node, top = stack.pop()
        if node.type == "command":
            out.append(_command(node, to_char, top))
            continue
        nested = top and node.type in _SEQUENCE_TYPES and not _has_or(node)
        stack.extend((child, nested) for child in reversed(node.children))


def _has_or(node: Node) -> bool:
    return any(child.type in ("||", "&") for child in node.children)


def _command(node: Node, to_char: list[int] | None, top_level: bool) -> Command:
    words: list[Word] = []
    assignments: list[tuple[str, str]] = []
    for child in node.children:
        if child.type == "variable_assignment":
            text = _text(child)
            name, _, value = text.partition("=")
            assignments.append((name, unquote(value)))  # bash quotes as BuildKit reads them, `\` escapes
        elif child.type == "command_name":
            inner = child.children[0] if child.children else child
            words.append(_word(inner, to_char))
        elif child.type in ("word", "string", "raw_string", "concatenation", "number",
                            "simple_expansion", "expansion", "command_substitution", "ansi_c_string"):
            words.append(_word(child, to_char))
    return Command(
        tuple(words), tuple(assignments), _char(to_char, node.start_byte), _char(to_char, node.end_byte),
        top_level,
    )


def _word(node: Node, to_char: list[int] | None) -> Word:
    raw = _text(node)
    literal = _is_literal(node)
    value = _unquote_word(node) if literal else raw
    return Word(raw, value, _char(to_char, node.start_byte), _char(to_char, node.end_byte), literal)


def _is_literal(node: Node) -> bool:
    if node.type in ("simple_expansion", "expansion", "command_substitution", "arithmetic_expansion"):
        return False
    if node.type == "word":
        text = _text(node)
        return not any(ch in text for ch in "*?[`$")
    return all(_is_literal(c) for c in node.children if c.type not in ('"', "'"))


def _unquote_word(node: Node) -> str:
    if node.type == "raw_string":
        return _text(node)[1:-1]
    if node.type == "string":
        return "".join(_text(c) for c in node.children if c.type not in ('"',))
    if node.type == "concatenation":
        return "".join(_unquote_word(c) for c in node.children)
    text = _text(node)
    return text.replace("\\", "") if "\\" in text else text


def _chain(root: Node, to_char: list[int] | None, known: dict[tuple[int, int], Command]) -> list[ChainLink]:
    """Flatten the top level into elements and the operators between them."""
    links: list[ChainLink] = []
    pending: str | None = None
    stack = [iter(root.children)]  # iterative: a long `&&` chain nests one `list` per operator
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.type in _OPERATORS:
            pending = child.type
        elif child.type == "list":
            stack.append(iter(child.children))
        elif child.type != "comment":
            start, stop = _char(to_char, child.start_byte), _char(to_char, child.end_byte)
            command = None
            if child.type == "command":  # reuse the one `_collect` built: a huge RUN is one command
                command = known.get((start, stop)) or _command(child, to_char, True)
                command = command if command.top_level else replace(command, top_level=True)
            links.append(ChainLink(pending if links else None, start, stop, command))
            pending = ";"
    return links


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogateescape")
