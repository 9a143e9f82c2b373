"""atheris fuzz target: the parser and the whole pipeline (every registered transform).

Run (see fuzz/README.md):  .venv/bin/python fuzz/fuzz_pipeline.py fuzz/corpus -max_total_time=600
A finding is any exception other than ParseError (a refusal), or an output that breaks
a property: lossless parse, BuildKit still parses it, a second run changes nothing.
Findings go into tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import transforms as registry
    from refactor.engine.batch import Failed, Rewritten, Settings, Unchanged, process_source
    from refactor.text.document import Document, ParseError

SETTINGS = Settings(transforms=registry.select())
CHECK_BUILDKIT = "--no-buildkit" not in sys.argv


def check(data: bytes) -> None:
    """One input: raise on anything that is a bug."""
    try:
        doc = Document.parse(data)
    except ParseError:
        return
    assert doc.to_bytes() == data, "parse is not lossless"
    result = process_source(data, "Dockerfile", Path("Dockerfile"), SETTINGS, None)
    if isinstance(result, Failed):
        assert not result.error.startswith(("internal", "too deeply")), result.error
        return
    if isinstance(result, Unchanged):
        return  # nothing to write: the file stays byte-identical by construction
    assert isinstance(result, Rewritten) and result.original == data and result.output != data
    again = process_source(result.output, "Dockerfile", Path("Dockerfile"), SETTINGS, None)
    assert isinstance(again, Unchanged), "not idempotent"
    if CHECK_BUILDKIT:
        from refactor.testing.strategies import buildkit_parses

        assert not buildkit_parses(data) or buildkit_parses(result.output), "output no longer parses with BuildKit"


def TestOneInput(data: bytes) -> None:
    check(data)


def main() -> None:
    argv = [a for a in sys.argv if a != "--no-buildkit"]
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
