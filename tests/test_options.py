"""Typed transform options: parsing `--option KEY=VALUE`, errors for unknown keys and bad values, the CLI's exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

import transforms as registry
from refactor.analysis.semantic import SemanticModel
from refactor.engine.changes import Plan, Safety
from refactor.engine.options import NoOptions, OptionError, describe, option, resolve, split_assignment
from refactor.engine.pipeline import run
from refactor.engine.transform import Transform
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document
from tests.golden_cases import GOLDEN, load_cases
from transforms.cache_mounts import CacheMounts
from transforms.name_stages import NameStages

NUMERIC = "FROM golang:1.21\nRUN make /bin/app\nFROM scratch\nCOPY --from=0 /bin/app /app\n"


class Knobs(Transform):
    """A transform with one option of each supported type (never registered)."""

    name = "knobs"
    summary = "test"
    safety = Safety.SAFE

    @dataclass(frozen=True)
    class Options:
        flag: bool = option(False, "a bool")
        count: int = option(3, "an int")
        ratio: float = option(0.5, "a float")
        label: str = option("", "a string")
        mode: Literal["fast", "slow"] = option("fast", "a choice")
        tags: tuple[str, ...] = option((), "a list")

    def plan(self, model: SemanticModel, ctx: TransformContext) -> Plan:
        return Plan()


class OtherKnobs(Knobs):
    """Declares `flag` too, so a plain key sets both."""

    name = "other-knobs"

    @dataclass(frozen=True)
    class Options:
        flag: bool = option(True, "another bool")


def knobs(*assignments: str, transforms: tuple[Transform, ...] = (Knobs(),)) -> Knobs.Options:
    resolved = resolve([split_assignment(a) for a in assignments], transforms)
    return TransformContext(BuildContext(None), options=resolved).options_for(Knobs())


@pytest.mark.parametrize("text", ["true", "TRUE", "yes", "Yes", "on", "1", " true "])
def test_true_spellings_parse_as_true(text: str) -> None:
    assert knobs(f"flag={text}").flag is True


@pytest.mark.parametrize("text", ["false", "False", "no", "NO", "off", "0"])
def test_false_spellings_parse_as_false(text: str) -> None:
    assert knobs(f"flag={text}").flag is False


@pytest.mark.parametrize("text", ["maybe", "", "2", "y", "nope"])
def test_anything_else_is_not_a_bool(text: str) -> None:
    with pytest.raises(OptionError, match=re.escape("option knobs.flag: expected a bool")):
        knobs(f"flag={text}")


def test_numbers_parse_strictly() -> None:
    assert knobs("count=-12", "ratio=1e-3").count == -12
    assert knobs("ratio=2").ratio == 2.0
    for bad in ("count=1.5", "count=1_000", "count=", "count=0x10", "ratio=nan", "ratio=inf", "ratio=1,5"):
        with pytest.raises(OptionError, match="expected"):
            knobs(bad)


def test_strings_choices_and_lists() -> None:
    options = knobs("label=a=b", "mode=slow", "tags=a, b,,c")
    assert (options.label, options.mode, options.tags) == ("a=b", "slow", ("a", "b", "c"))
    with pytest.raises(OptionError, match=re.escape("expected one of fast, slow, got 'medium'")):
        knobs("mode=medium")


def test_defaults_when_nothing_is_given_or_the_context_has_no_options() -> None:
    assert knobs() == Knobs.Options()
    assert TransformContext(BuildContext(None)).options_for(NameStages()) == NameStages.Options(name_all=False)


def test_later_assignments_win() -> None:
    assert knobs("flag=yes", "knobs.flag=no").flag is False


def test_unknown_key_lists_the_known_keys_and_a_close_match() -> None:
    with pytest.raises(OptionError) as raised:
        resolve([("nme_all", "true")], registry.select())
    message = str(raised.value)
    assert message.startswith("unknown option 'nme_all'; did you mean 'name_all'?")
    assert "add_syntax_directive (cache-mounts)" in message and "name_all (name-stages)" in message


def test_a_plain_key_sets_every_selected_transform_that_declares_it() -> None:
    resolved = resolve([("flag", "no")], [Knobs(), OtherKnobs()])
    assert resolved["knobs"] == Knobs.Options(flag=False)
    assert resolved["other-knobs"] == OtherKnobs.Options(flag=False)


def test_a_plain_key_no_selected_transform_declares_is_an_error() -> None:
    with pytest.raises(OptionError, match="unknown option 'name_all'; known: add_syntax_directive"):
        resolve([("name_all", "true")], registry.select(ignore=["name-stages"]))
    with pytest.raises(OptionError, match="the selected transforms take no options"):
        resolve([("name_all", "true")], registry.select(["split-runtime"]))


def test_a_qualified_key_sets_only_that_transform() -> None:
    resolved = resolve([split_assignment("other-knobs.flag=no")], [Knobs(), OtherKnobs()])
    assert resolved["knobs"] == Knobs.Options()
    assert resolved["other-knobs"] == OtherKnobs.Options(flag=False)


def test_a_qualified_key_for_an_unselected_transform_or_unknown_option_is_an_error() -> None:
    with pytest.raises(OptionError, match="transform 'name-stages' is not selected"):
        resolve([("name-stages.name_all", "true")], registry.select(["cache-mounts"]))
    unknown = "unknown option 'name-stages.add_syntax_directive' for name-stages"
    with pytest.raises(OptionError, match=re.escape(unknown)):
        resolve([("name-stages.add_syntax_directive", "true")], registry.select())


def test_dashes_in_an_option_name_read_as_underscores() -> None:
    assert resolve([("name-stages.name-all", "on")], [NameStages()])["name-stages"] == NameStages.Options(True)


def test_typed_values_from_toml_are_accepted_when_they_have_the_fields_type() -> None:
    options = knobs_typed(flag=True, count=4, ratio=1, tags=["x"])
    assert (options.flag, options.count, options.ratio, options.tags) == (True, 4, 1.0, ("x",))
    for key, value in (("flag", 1), ("count", True), ("count", 1.0), ("label", 3)):
        with pytest.raises(OptionError, match=re.escape(f"option knobs.{key}: expected")):
            knobs_typed(**{key: value})


def knobs_typed(**values: object) -> Knobs.Options:
    resolved = resolve(values.items(), [Knobs()])["knobs"]
    assert isinstance(resolved, Knobs.Options)
    return resolved


def test_missing_equals_sign_is_an_error() -> None:
    with pytest.raises(OptionError, match="--option expects KEY=VALUE, got 'name_all'"):
        split_assignment("name_all")


def test_a_context_refuses_untyped_options() -> None:
    with pytest.raises(TypeError, match="not a transform's Options instance"):
        TransformContext(BuildContext(None), options={"name_all": True})


def test_bad_declarations_fail_when_the_transform_is_defined() -> None:
    @dataclass
    class Mutable:
        flag: bool = option(False, "help")

    @dataclass(frozen=True)
    class NoHelp:
        flag: bool = False

    @dataclass(frozen=True)
    class NoDefault:
        flag: bool

    @dataclass(frozen=True)
    class Unsupported:
        payload: bytes = option(b"", "help")

    for options, message in ((Mutable, "frozen dataclass"), (NoHelp, "one-line help"),
                             (NoDefault, "needs a default"), (Unsupported, "unsupported option type")):
        with pytest.raises(TypeError, match=message):
            type("Bad", (Knobs,), {"Options": options, "__module__": __name__})
    assert describe(NoOptions) == []


def test_name_all_reaches_name_stages_and_changes_the_output() -> None:
    chosen = registry.select(["name-stages"])

    def output(value: str) -> str:
        ctx = TransformContext(BuildContext(None), options=resolve([("name_all", value)], chosen))
        return run(Document.parse(NUMERIC), chosen, ctx).output

    assert "FROM scratch AS runtime" in output("yes")
    assert "FROM scratch\n" in output("no") and "AS builder" in output("no")


def test_golden_options_go_through_the_typed_parsing(tmp_path: Path) -> None:
    cases = {c.id: c for c in load_cases()}
    assert cases["name-stages/name_all_option_names_unreferenced_stages"].options["name-stages"] == NameStages.Options(
        name_all=True)
    assert cases["cache-mounts/add_syntax_directive_option_adds_the_syntax_line"].options["cache-mounts"] == (
        CacheMounts.Options(add_syntax_directive=True))
    assert GOLDEN.is_dir()


# --- the command line ---------------------------------------------------------------------------


def refactor(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=60)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(NUMERIC)
    return tmp_path


def test_cli_name_all_no_is_false_and_yes_is_true(project: Path) -> None:
    off = refactor("--option", "name_all=no", "-", cwd=project, stdin=NUMERIC.encode())
    on = refactor("--option", "name_all=yes", "-", cwd=project, stdin=NUMERIC.encode())
    assert off.returncode == 0 and on.returncode == 0, (off.stderr, on.stderr)
    assert b"AS builder" in off.stdout and b"AS runtime" not in off.stdout
    assert b"FROM scratch AS runtime" in on.stdout


def test_cli_qualified_option(project: Path) -> None:
    result = refactor("--option", "name-stages.name_all=true", "Dockerfile", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "FROM scratch AS runtime" in (project / "Dockerfile").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--option", "nme_all=true"], b"error: unknown option 'nme_all'; did you mean 'name_all'? known: "
                                   b"add_syntax_directive (cache-mounts), name_all (name-stages)"),
    (["--option", "name_all=maybe"], b"error: option name-stages.name_all: expected a bool"),
    (["--option", "name_all"], b"error: --option expects KEY=VALUE, got 'name_all'"),
    (["--ignore", "name-stages", "--option", "name_all=true"], b"error: unknown option 'name_all'"),
    (["--option", "name-stages.[bold]x=1"], b"error: unknown option 'name-stages.[bold]x'"),
])
def test_cli_bad_option_is_a_one_line_usage_error_and_writes_nothing(project: Path, args: list[str],
                                                                     message: bytes) -> None:
    result = refactor(*args, "Dockerfile", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count(b"\n") == 1 and result.stdout == b""
    assert (project / "Dockerfile").read_text() == NUMERIC
