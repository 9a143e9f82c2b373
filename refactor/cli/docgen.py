"""Generate docs/transforms.md from the transforms' docstrings (kept in sync by a test)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import transforms as registry

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
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if DOCS.read_text() == render() else 1)
    DOCS.write_text(render())


if __name__ == "__main__":
    main()
