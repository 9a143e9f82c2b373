"""A mutation corpus: every golden input, broken at the byte level, through the real batch (write mode).

Mutations: delete, duplicate or swap lines, cut at a random point, insert a NUL or
invalid UTF-8.  For each, the tool either rewrites (and the output parses with
BuildKit's parser whenever the mutated input did) or reports a one-line error and
leaves the file as it was; it never crashes and never leaves a partial or temp file.
Deterministic (seeded); REFACTOR_FUZZ_LONG=1 runs many more mutations per input.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import transforms as registry
from refactor.engine.batch import Failed, Rewritten, Settings, Unchanged, process_file
from refactor.testing.strategies import buildkit_parses
from tests.golden_cases import load_cases

CASES = load_cases()
PER_CASE = 500 if os.environ.get("REFACTOR_FUZZ_LONG") else 30


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def mutate(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    kind = rng.randrange(8)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        return data[: rng.randrange(len(data) + 1)]
    elif kind == 4:
        pos = rng.randrange(len(data) + 1)
        return data[:pos] + b"\x00" + data[pos:]
    elif kind == 5:
        pos = rng.randrange(len(data) + 1)
        return data[:pos] + rng.choice([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"]) + data[pos:]
    elif kind == 6:  # a line's ending changes (CRLF <-> LF, or a stray CR / backslash at its end)
        lines[i] = lines[i].rstrip(b"\r\n") + rng.choice([b"\r\n", b"\n", b"\\\n", b"\r", b" \\"])
    else:
        pos = rng.randrange(len(data) + 1)
        return data[:pos] + rng.choice([b"<<EOF\n", b"\\\n", b"# c\n", b"[\"", b"--from=0 "]) + data[pos:]
    return b"".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mutated_golden_input_is_rewritten_or_refused_never_corrupted(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(case.id)
    settings = Settings(transforms=registry.select(case.transforms), write=True, options=case.options,
                        context_dir=case.directory / "context" if (case.directory / "context").is_dir() else None)
    for n in range(PER_CASE):
        data = mutate(case.source, rng)
        path = tmp_path / "Dockerfile"
        path.write_bytes(data)
        result = process_file(path, "Dockerfile", settings)
        after = path.read_bytes()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"], "temp file left behind"
        label = f"mutation {n} of {case.id}: {data!r}"
        if isinstance(result, Failed):
            assert after == data, label
            assert "internal" not in result.error, f"{label}: {result.error}"
            assert "\n" not in result.error_message()
            continue
        if isinstance(result, Unchanged):
            assert after == data, label
            continue
        assert result.written, label
        if buildkit_parses(data):
            assert buildkit_parses(after), f"{label}: output does not parse:\n{after!r}"
        again = process_file(path, "Dockerfile", settings)
        assert not isinstance(again, Rewritten), f"{label}: not idempotent"


def test_mutations_cover_every_kind() -> None:
    rng = random.Random(0)
    source = b"FROM a\nRUN b\nCOPY --from=0 /a /b\n"
    outputs = {mutate(source, rng) for _ in range(200)}
    assert any(b"\x00" in o for o in outputs) and any(b"\xff" in o or b"\xe9" in o for o in outputs)
    assert any(len(o) < len(source) for o in outputs) and any(len(o) > len(source) for o in outputs)
