"""Generate docs/transforms.md from the transforms' docstrings (kept in sync by a test)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import transforms as registry
from refactor.engine.options import describe
from refactor.engine.transform import Transform

DOCS = Path(__file__).resolve().parents[2] / "docs" / "transforms.md"


def render() -> str:
    parts = [
        "# Transforms\n",
        "Generated from each transform's docstring by `python -m refactor.cli.docgen`; do not edit by hand.\n",
        "They run in this order. `safe` changes keep behaviour; `review` changes may not, and say why.\n",
        "| transform | safety | summary |",
        "|---|---|---|",
    ]
    parts += [f"| `{t.name}` | {t.safety.value} | {t.summary} |" for t in registry.REGISTRY]
    for transform in registry.REGISTRY:
        doc = inspect.cleandoc(transform.__doc__ or "")
        title, _, body = doc.partition("\n")
        body = body.replace("\n## ", "\n### ")
        parts.append(f"\n## `{transform.name}`: {title}\n{body}")
        parts += _options_table(transform)
    return "\n".join(parts).rstrip() + "\n"


def _options_table(transform: type[Transform]) -> list[str]:
    """The transform's declared options, so the docs list exactly what `--option` accepts."""
    infos = describe(transform.Options)
    if not infos:
        return []
    rows = [
        "\n### Options\n",
        f"`--option KEY=VALUE` or `--option {transform.name}.KEY=VALUE`; "
        "a bool is true/false, yes/no, on/off or 1/0.\n",
        "| option | type | default | description |",
        "|---|---|---|---|",
    ]
    for info in infos:
        default = f"`{info.default_text}`" if info.default_text else "(empty)"
        description = info.help.replace("|", "\\|")
        rows.append(f"| `{info.name}` | {info.type_name} | {default} | {description} |")
    return rows


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if DOCS.read_text() == render() else 1)
    DOCS.write_text(render())


if __name__ == "__main__":
    main()
