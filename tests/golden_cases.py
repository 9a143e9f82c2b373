"""Loading and running golden cases: `golden/<transform>/<case>/` directories.

A case holds `Dockerfile` (input), optional `context/` (build-context files; default:
none exist), optional `expected.Dockerfile` (absent: the input must stay
byte-identical) and optional `options.toml` (`transforms = [...]`, `[options]`).
By default a case runs only the transform named by its parent directory.  `[options]`
goes through the same typed parsing as `--option` (TOML's typed values are accepted as
they are), so a misspelt option fails the case instead of being ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import transforms as registry
from refactor.engine.options import OptionError, resolve
from refactor.engine.pipeline import Outcome, run
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@dataclass
class GoldenCase:
    directory: Path
    transforms: list[str]
    options: dict[str, object] = field(default_factory=dict)  # transform name -> its typed Options

    @property
    def id(self) -> str:
        return self.directory.relative_to(GOLDEN).as_posix()

    @property
    def source(self) -> bytes:
        return (self.directory / "Dockerfile").read_bytes()

    @property
    def expected_path(self) -> Path:
        return self.directory / "expected.Dockerfile"

    @property
    def expected(self) -> bytes:
        return self.expected_path.read_bytes() if self.expected_path.exists() else self.source

    def context(self) -> TransformContext:
        root = self.directory / "context"
        return TransformContext(BuildContext.at(root if root.is_dir() else None),
                                dockerfile=self.directory / "Dockerfile", options=self.options)

    def run(self, source: bytes | None = None) -> Outcome:
        chosen = registry.select(self.transforms)
        return run(Document.parse(self.source if source is None else source), chosen, self.context())


def load_cases() -> list[GoldenCase]:
    cases: list[GoldenCase] = []
    for dockerfile in sorted(GOLDEN.glob("*/*/Dockerfile")):
        directory = dockerfile.parent
        config: dict[str, Any] = {}
        options_file = directory / "options.toml"
        if options_file.exists():
            config = tomllib.loads(options_file.read_text())
        default = [directory.parent.name] if directory.parent.name in registry.names() else registry.names()
        names = list(config.get("transforms", default))
        try:
            options = resolve(dict(config.get("options", {})).items(), registry.select(names))
        except OptionError as error:
            raise OptionError(f"{options_file}: {error}") from None
        cases.append(GoldenCase(directory, names, options))
    return cases
