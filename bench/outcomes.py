"""Outcome benchmark: rewrite every fixture app's Dockerfile and measure what it bought, for real.

    .venv/bin/python bench/outcomes.py [--apps go-http,python-requirements] [--out bench/results.md]

For each app under tests/e2e/apps it runs the whole pipeline on a copy, then `refactor
verify` builds the original and the rewrite side by side with BuildKit: image size, cold
build, rebuild after a one-line source edit and after a manifest edit (cached steps
included), and whether the images are equivalent. Timings from one run are reported as
ratios. Needs a Docker engine (scripts/engine-up) and the base images (scripts/base-images).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import transforms as registry
from refactor.engine.pipeline import run as run_pipeline
from refactor.facts.context import BuildContext, TransformContext
from refactor.testing import harness
from refactor.text.document import Document
from refactor.verify.command import Options, Verdict, verify

HEADER = ("| app | transforms applied | size before → after (MB) | cold build before → after (s) "
          "| rebuild after source edit before → after (s) | ratio | steps cached on that rebuild | verify |")


def measure(app: harness.AppSpec) -> tuple[list[str], Verdict]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{app.name}-") as scratch:
        context = Path(scratch) / app.name
        shutil.copytree(app.path, context)
        before = (context / "Dockerfile").read_bytes()
        outcome = run_pipeline(Document.parse(before), registry.select(), TransformContext(BuildContext.at(context)))
        applied = sorted({c.transform for c in outcome.changes})
        smoke = app.smoke[0].args if app.smoke else None
        options = Options(context, smoke=smoke, edit_source=app.source_file, edit_manifest=app.dependency_manifest,
                          smoke_timeout=120)
        verdict = verify(before, outcome.rendered(), options, progress=lambda m: print(f"  {app.name}: {m}",
                                                                                          file=sys.stderr))
        return applied, verdict


def row(app: str, applied: list[str], verdict: Verdict) -> str:
    b, a = verdict.before, verdict.after
    if verdict.build_failure or not (b.cold and a.cold and b.size and a.size):
        return f"| {app} | {', '.join(applied) or '—'} | | | | | | build failed |"
    source_b, source_a = b.rebuilds.get("source"), a.rebuilds.get("source")
    rebuild = ratio = cached = ""
    if source_b and source_a:
        rebuild = f"{source_b.duration:.1f} → {source_a.duration:.1f}"
        ratio = f"{source_a.duration / source_b.duration:.2f}×" if source_b.duration else ""
        cached = f"{source_b.cached_steps}/{source_b.total_steps} → {source_a.cached_steps}/{source_a.total_steps}"
    verdict_text = "equivalent" if verdict.equivalent else "DIFFERENT"
    sizes = f"{b.size / 1e6:.1f} → {a.size / 1e6:.1f}"
    cold = f"{b.cold.duration:.1f} → {a.cold.duration:.1f}"
    cells = [app, ", ".join(applied) or "—", sizes, cold, rebuild, ratio, f"{cached} steps", verdict_text]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", help="comma-separated app names (default: all)")
    parser.add_argument("--out", type=Path, help="also write the table (with date and machine) to this file")
    args = parser.parse_args()
    harness.ensure_engine()
    harness.ensure_base_images()
    wanted = set(args.apps.split(",")) if args.apps else None
    rows = []
    for app in harness.list_apps():
        if wanted and app.name not in wanted:
            continue
        applied, verdict = measure(app)
        rows.append(row(app.name, applied, verdict))
        print(rows[-1], flush=True)
    stamp = (f"Measured {datetime.date.today().isoformat()} on {platform.node() or 'this machine'} "
             f"({platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}) "
             "with `python bench/outcomes.py`; one run, before and after side by side.")
    table = "\n".join([stamp, "", HEADER, "|" + "---|" * HEADER.count(" | ") + "---|", *rows]) + "\n"
    print("\n" + table)
    if args.out:
        args.out.write_text(table)


def _cpus() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
