"""Typed transform options: each transform declares a frozen dataclass; `--option KEY=VALUE` is checked against it.

A transform's `Options` class lists what it can be told, with a type, a default and a
one-line help per field (`option(default, help)`).  `resolve` turns the user's
`KEY=VALUE` strings (or TOML's typed values) into one instance per selected transform,
so `--option name_all=no` is False rather than a truthy string, and a misspelt key is an
error instead of being ignored.  A key is plain (`name_all`: every selected transform
that declares it) or qualified by the transform (`name-stages.name_all`).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from refactor.facts.context import HasOptions

T = TypeVar("T")

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_SCALARS: tuple[type, ...] = (bool, int, float, str)


class OptionError(ValueError):
    """A `--option` no selected transform takes, or a value that is not of the option's type (a usage error)."""


def option(default: T, help: str) -> T:
    """A field of an `Options` dataclass: its default and the one line docs/transforms.md shows for it."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class NoOptions:
    """The options of a transform that takes none."""


@dataclass(frozen=True)
class OptionInfo:
    """One declared option, as the docs and error messages describe it."""

    name: str
    kind: Any  # the field's resolved annotation: bool, int, float, str, a Literal or tuple[X, ...]
    default: object
    help: str

    @property
    def type_name(self) -> str:
        return _type_name(self.kind)

    @property
    def default_text(self) -> str:
        """The default as it would be written after `KEY=`."""
        return _render(self.default)


def describe(options_type: type) -> list[OptionInfo]:
    """The options a class declares, checked: a frozen dataclass whose fields have a supported type, default, help.

    Checked when a transform class is defined, so a bad declaration fails at import, not on a user's command line.
    """
    if not dataclasses.is_dataclass(options_type) or not options_type.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise TypeError(f"{options_type.__qualname__} must be a frozen dataclass")
    hints = typing.get_type_hints(options_type)
    infos: list[OptionInfo] = []
    for spec in dataclasses.fields(options_type):
        kind = hints[spec.name]
        where = f"{options_type.__qualname__}.{spec.name}"
        if not _supported(kind):
            raise TypeError(f"{where}: unsupported option type {kind!r} (bool, int, float, str, Literal, tuple)")
        if spec.default is dataclasses.MISSING:
            raise TypeError(f"{where}: an option needs a default (declare it with option(default, help))")
        help_text = spec.metadata.get("help", "")
        if not help_text:
            raise TypeError(f"{where}: an option needs a one-line help (declare it with option(default, help))")
        infos.append(OptionInfo(spec.name, kind, spec.default, help_text))
    return infos


def split_assignment(text: str) -> tuple[str, str]:
    """`KEY=VALUE` from the command line as (KEY, VALUE); OptionError without `=`."""
    key, eq, value = text.partition("=")
    if not eq or not key.strip():
        raise OptionError(f"--option expects KEY=VALUE, got {text!r}")
    return key.strip(), value


def resolve(assignments: Iterable[tuple[str, object]], transforms: Sequence[HasOptions[object]]) -> dict[str, object]:
    """Each transform's `Options` instance (by transform name) with the assignments applied, in order.

    Values are CLI strings or already typed (TOML); OptionError names an unknown key with the known ones,
    or a value that does not parse as the option's type.
    """
    declared = {t.name: {info.name: info for info in describe(t.Options)} for t in transforms}
    values: dict[str, dict[str, object]] = {t.name: {} for t in transforms}
    for raw_key, raw_value in assignments:
        targets = _targets(raw_key, declared)
        for transform, name in targets:
            info = declared[transform][name]
            values[transform][name] = convert(raw_value, info.kind, f"{transform}.{name}")
    return {t.name: t.Options(**values[t.name]) for t in transforms}


def _targets(raw_key: str, declared: Mapping[str, Mapping[str, OptionInfo]]) -> list[tuple[str, str]]:
    """(transform, option) pairs a key sets; `-` in an option name reads as `_` (`name-all` is `name_all`)."""
    transform, dot, name = raw_key.strip().rpartition(".")
    name = name.strip().replace("-", "_")
    if dot:
        transform = transform.strip()
        if transform not in declared:
            raise OptionError(f"option {raw_key!r}: transform {transform!r} is not selected; {_known(declared)}")
        if name not in declared[transform]:
            raise OptionError(f"unknown option {raw_key!r} for {transform}; {_known(declared, name)}")
        return [(transform, name)]
    found = [(t, name) for t, infos in declared.items() if name in infos]
    if not found:
        raise OptionError(f"unknown option {raw_key!r}; {_known(declared, name)}")
    return found


def _known(declared: Mapping[str, Mapping[str, OptionInfo]], near: str | None = None) -> str:
    """The keys the selected transforms take (with a close match for a misspelling), for an error message."""
    pairs = sorted((name, t) for t, infos in declared.items() for name in infos)
    if not pairs:
        return "the selected transforms take no options"
    text = "known: " + ", ".join(f"{name} ({t})" for name, t in pairs)
    close = difflib.get_close_matches(near, sorted({n for n, _ in pairs}), n=1) if near else []
    return f"did you mean {close[0]!r}? {text}" if close else text


def convert(value: object, kind: Any, key: str) -> object:
    """`value` (a CLI string, or a TOML value that may already be typed) as `kind`; OptionError when it is not one."""
    origin = typing.get_origin(kind)
    if origin is Literal:
        for choice in typing.get_args(kind):
            try:
                if convert(value, type(choice), key) == choice:
                    return choice
            except OptionError:
                continue
        raise OptionError(f"option {key}: expected one of {_type_name(kind)[len('one of '):]}, got {value!r}")
    if origin is tuple:
        element = typing.get_args(kind)[0]
        if isinstance(value, str):
            items: list[object] = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            raise OptionError(f"option {key}: expected a comma-separated list, got {value!r}")
        return tuple(convert(item, element, key) for item in items)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise OptionError(f"option {key}: expected a bool (true/false, yes/no, on/off, 1/0), got {value!r}")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value.strip()):
            return int(value.strip())
        raise OptionError(f"option {key}: expected an integer, got {value!r}")
    if kind is float:
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
            number = float(value.strip())
        if number is None or not math.isfinite(number):
            raise OptionError(f"option {key}: expected a number, got {value!r}")
        return number
    if kind is str:
        if isinstance(value, str):
            return value
        raise OptionError(f"option {key}: expected a string, got {value!r}")
    raise TypeError(f"option {key}: unsupported option type {kind!r}")  # describe() rejects these earlier


def _supported(kind: Any) -> bool:
    origin = typing.get_origin(kind)
    if origin is Literal:
        return all(type(choice) in _SCALARS for choice in typing.get_args(kind))
    if origin is tuple:
        args = typing.get_args(kind)
        return len(args) == 2 and args[1] is Ellipsis and args[0] in _SCALARS
    return kind in _SCALARS


def _type_name(kind: Any) -> str:
    origin = typing.get_origin(kind)
    if origin is Literal:
        return "one of " + ", ".join(_render(choice) for choice in typing.get_args(kind))
    if origin is tuple:
        return f"list of {typing.get_args(kind)[0].__name__} (comma-separated)"
    return str(kind.__name__)


def _render(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(_render(item) for item in value)
    return str(value)

