"""atheris fuzz target: the parser and the whole pipeline (every registered transform).

Run (see fuzz/README.md):  .venv/bin/python fuzz/fuzz_pipeline.py fuzz/corpus -max_total_time=600
A finding is any exception other than ParseError (a refusal), or an output that breaks
a property: lossless parse, BuildKit still parses it, a second run changes nothing.
Findings go into tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import atheris

with atheris.instrument_imports():
    import transforms as registry
    from refactor.engine.batch import Settings, process_source
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
    if result.error is not None:
        assert not result.error.startswith(("internal", "too deeply")), result.error
        return
    out = result.outcome.rendered() if result.outcome else data
    if result.changed:
        again = process_source(out, "Dockerfile", Path("Dockerfile"), SETTINGS, None)
        assert again.error is None and not again.changed, "not idempotent"
        if CHECK_BUILDKIT:
            from tests.dockerfile_strategies import buildkit_parses

            assert not buildkit_parses(data) or buildkit_parses(out), "output no longer parses with BuildKit"
    else:
        assert out == data, "unchanged output is not byte-identical"


def TestOneInput(data: bytes) -> None:
    check(data)


def main() -> None:
    argv = [a for a in sys.argv if a != "--no-buildkit"]
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
