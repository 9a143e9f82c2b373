"""The architecture's layers: every import points down (or sideways within a layer).

text < facts < analysis < engine < output < transforms < verify < cli < testing; a module
may import its own layer and the layers below it, never above (docs/architecture.md).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["text", "facts", "analysis", "engine", "output", "transforms", "verify", "cli", "testing"]


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "transforms":
        return "transforms"
    if parts[0] == "refactor" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return None


def _modules() -> list[Path]:
    return sorted([*(ROOT / "refactor").rglob("*.py"), *(ROOT / "transforms").rglob("*.py")])


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    own = _layer(module)
    if own is None:  # refactor/__init__.py, refactor/__main__.py: the package's entry points
        return
    upward = [(line, name) for line, name in _imports(path)
              if (layer := _layer(name)) is not None and LAYERS.index(layer) > LAYERS.index(own)]
    assert not upward, f"{module} ({own}) imports from a higher layer: {upward}"


def test_every_module_is_in_a_layer() -> None:
    loose = [p for p in (ROOT / "refactor").glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert not loose, f"modules outside the layer packages: {loose}"


@pytest.mark.parametrize("argv", [["transforms"], ["--check", "-"]], ids=["subcommands", "rewrite"])
def test_the_command_line_needs_neither_refactor_testing_nor_the_test_extras(argv: list[str]) -> None:
    blocked = "import sys; sys.modules.update({m: None for m in ('refactor.testing', 'hypothesis', 'dockerfile')})"
    run = f"import runpy; sys.argv = ['refactor', *{argv!r}]; runpy.run_module('refactor', run_name='__main__')"
    result = subprocess.run([sys.executable, "-c", f"{blocked}; {run}"], cwd=ROOT, input="FROM a AS b\nRUN true\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
