"""The ecosystem table: a package manager is one row, and the transforms read facts, never names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from refactor.analysis.semantic import SemanticModel
from refactor.engine.changes import apply_edits
from refactor.engine.transform import Transform
from refactor.facts import ecosystems
from refactor.facts.context import BuildContext, TransformContext
from refactor.facts.ecosystems import Cache, CacheFacts, Ecosystem, Invocation, ReorderFacts
from refactor.facts.manifests import Reader
from refactor.text.document import Document
from transforms import reorder_manifests
from transforms.cache_mounts import CacheMounts
from transforms.reorder_manifests import ReorderManifests

TRANSFORMS = Path(__file__).resolve().parent.parent / "transforms"
# The transforms that are driven by the ecosystem table: not even a program name is spelled out there.
TABLE_DRIVEN = ("cache_mounts.py", "reorder_manifests.py")


def _fake_problem(text: str) -> str | None:
    return "fake.json takes a package from a local path" if '"path"' in text else None


# A package manager the tool has never heard of: everything the transforms need is in the row.
FAKE = Ecosystem(
    name="fakepm",
    manifests=("fake.json", "fake.lock"),
    install=(Invocation("fakepm", ("install",)),),
    build=(Invocation("fakepm", ("build",)),),
    deps_only="fakepm fetch",
    cache=CacheFacts(
        dirs=(Cache("~/.cache/fakepm", ("FAKEPM_CACHE",)),),
        defeaters=("--no-cache",),
        cleaners=(Invocation("fakepm", ("cache", "purge")),),
        root_only=True,
    ),
    reorder=ReorderFacts(check=("fake.json", _fake_problem), install_outputs=("fake_modules",),
                         note="fakepm fetch was not run against a registry"),
)


@pytest.fixture
def with_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ecosystems, "ECOSYSTEMS", (*ecosystems.ECOSYSTEMS, FAKE))


def _run(transform: Transform, source: str, context: Path | None = None) -> tuple[str, list[str], list[str]]:
    """(rewritten text, change rationales, skip reasons) of one transform."""
    doc = Document.parse(source)
    plan = transform.run(SemanticModel(doc), TransformContext(BuildContext.at(context) if context else
                                                              BuildContext(None)))
    text = apply_edits(doc.text, [e for c in plan.changes for e in c.edits])
    return text, [c.rationale for c in plan.changes], [s.reason for s in plan.skips]


def _context(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


# --------------------------------------------------------------------------- a new row is enough


def test_an_unknown_package_manager_is_left_alone_without_its_row() -> None:
    source = "FROM debian:12\nRUN fakepm install\n"
    assert _run(CacheMounts(), source)[0] == source


@pytest.mark.usefixtures("with_fake")
def test_cache_mounts_handles_a_new_row() -> None:
    text, rationales, _ = _run(CacheMounts(), "FROM debian:12\nRUN fakepm install --no-cache && fakepm cache purge\n")
    assert text == "FROM debian:12\nRUN --mount=type=cache,target=/root/.cache/fakepm fakepm install\n"
    assert any("fakepm's cache" in r for r in rationales)


@pytest.mark.usefixtures("with_fake")
def test_cache_mounts_follows_the_rows_relocating_variable_and_root_only_fact() -> None:
    moved, _, _ = _run(CacheMounts(), "FROM debian:12\nENV FAKEPM_CACHE=/var/fake\nRUN fakepm install\n")
    assert "RUN --mount=type=cache,target=/var/fake fakepm install" in moved
    source = "FROM debian:12\nRUN useradd -u 1000 -m app\nUSER app\nRUN fakepm install\n"
    text, _, skips = _run(CacheMounts(), source)
    assert text == source and skips == ["fakepm runs as root, but this RUN runs as USER app"]


@pytest.mark.usefixtures("with_fake")
def test_reorder_manifests_moves_a_new_rows_install(tmp_path: Path) -> None:
    context = _context(tmp_path, {"fake.json": "{}", "fake.lock": "", "main.fk": ""})
    text, rationales, _ = _run(ReorderManifests(), "FROM debian:12\nWORKDIR /app\nCOPY . .\n"
                                                  "RUN fakepm install && fakepm build\n", context)
    assert text == ("FROM debian:12\nWORKDIR /app\nCOPY fake.json fake.lock ./\nRUN fakepm install\n"
                    "COPY . .\nRUN fakepm build\n")
    assert rationales and "review: fakepm fetch was not run against a registry" in rationales[0]


@pytest.mark.usefixtures("with_fake")
def test_reorder_manifests_primes_a_new_rows_build_with_its_deps_only_command(tmp_path: Path) -> None:
    context = _context(tmp_path, {"fake.json": "{}", "main.fk": ""})
    text, _, _ = _run(ReorderManifests(), "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN fakepm build\n", context)
    assert text == ("FROM debian:12\nWORKDIR /app\nCOPY fake.json ./\nRUN fakepm fetch\n"
                    "COPY . .\nRUN fakepm build\n")


@pytest.mark.usefixtures("with_fake")
@pytest.mark.parametrize(("files", "reason"), [
    ({"fake.json": '{"path": "../lib"}'}, "fake.json takes a package from a local path"),
    ({"fake.json": "{}", "fake_modules/x": ""}, "the build context contains fake_modules"),
    ({"main.fk": ""}, "no fakepm manifest (fake.json, fake.lock) found in the build context"),
])
def test_reorder_manifests_declines_by_the_new_rows_facts(tmp_path: Path, files: dict[str, str],
                                                          reason: str) -> None:
    source = "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN fakepm install\n"
    text, _, skips = _run(ReorderManifests(), source, _context(tmp_path, files))
    assert text == source and len(skips) == 1 and skips[0].startswith(reason)


# --------------------------------------------------------------------------- facts, not names


def test_every_reader_kind_a_row_may_name_has_a_reader() -> None:
    assert set(reorder_manifests._READERS) == set(Reader)


def _strings(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _strings(element)


def _name_tests(path: Path, forbidden: set[str], attribute_only: bool) -> list[str]:
    """`x.name == "pip"`, `eco.name in ("apt", "apk")` (or, with `attribute_only` false, any
    comparison with a forbidden string), `ecosystem("pip")` and `getattr(self, f"_read_{...}")`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if attribute_only and not any(isinstance(s, ast.Attribute) and s.attr == "name" for s in sides):
                continue
            if {text for side in sides for text in _strings(side)} & forbidden:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called == "ecosystem" and any(isinstance(a, ast.Constant) for a in node.args):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
            if called == "getattr" and any(isinstance(a, ast.JoinedStr) for a in node.args):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", sorted(TRANSFORMS.glob("*.py")), ids=lambda p: p.name)
def test_no_transform_tests_an_ecosystem_name(path: Path) -> None:
    names = {e.name for e in ecosystems.ECOSYSTEMS}
    assert _name_tests(path, names, attribute_only=True) == []


@pytest.mark.parametrize("name", TABLE_DRIVEN)
def test_table_driven_transforms_spell_out_no_ecosystem_or_program(name: str) -> None:
    table = ecosystems.ECOSYSTEMS
    words = {e.name for e in table} | {
        inv.program for e in table for inv in (*e.install, *e.build, *e.cache.users, *e.cache.readers)}
    assert _name_tests(TRANSFORMS / name, words, attribute_only=False) == []
