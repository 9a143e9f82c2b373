"""The transform registry: every transform, in the order the pipeline runs them.

The order is part of the contract: manifest reordering happens while a stage is
still whole, stage naming sees the stages the earlier transforms produced, and
cache mounts are added last to the RUN lines that remain.
"""

from __future__ import annotations

from refactor.engine.transform import Transform
from transforms.cache_mounts import CacheMounts
from transforms.name_stages import NameStages
from transforms.parallel_targets import ParallelTargets
from transforms.reorder_manifests import ReorderManifests
from transforms.split_runtime import SplitRuntime

REGISTRY: tuple[type[Transform], ...] = (
    ReorderManifests,
    SplitRuntime,
    ParallelTargets,
    NameStages,
    CacheMounts,
)


def names() -> list[str]:
    return [t.name for t in REGISTRY]


def select(only: list[str] | None = None, ignore: list[str] | None = None) -> list[Transform]:
    """Instances in pipeline order; unknown names raise KeyError listing the known ones."""
    known = set(names())
    for name in [*(only or []), *(ignore or [])]:
        if name not in known:
            raise KeyError(f"unknown transform {name!r}; known: {', '.join(names())}")
    chosen = [t for t in REGISTRY if (not only or t.name in only) and t.name not in (ignore or [])]
    return [t() for t in chosen]
