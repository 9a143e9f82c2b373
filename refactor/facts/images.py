"""Image references as Docker reads them: registry, repository, tag and digest.

Normalised as distribution/reference's `ParseNormalizedNamed` does: the first path part
is a registry only when it contains `.` or `:`, is `localhost`, or has upper-case
letters; otherwise the image is on Docker Hub (`docker.io`, formerly `index.docker.io`),
whose one-part names live under `library/`.  So `golang`, `library/golang`,
`docker.io/golang` and `index.docker.io/library/golang` are one image, which the fact
tables (`ecosystems.BASE_IMAGES`, runtime bases) write as `golang:<tag>`.

Parsing never fails: a reference with unexpanded variables (`$REGISTRY/app:$TAG`) or
other text BuildKit would reject still splits into parts, it just matches no table row.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io"})
_OFFICIAL = "library/"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class ImageRef:
    registry: str  # "docker.io" for Docker Hub
    repository: str  # the path on the registry: "library/golang", "distroless/static"
    tag: str | None  # None when the reference names none (Docker then pulls "latest")
    digest: str | None  # "sha256:...", when the reference is pinned

    @property
    def name(self) -> str:
        """The last path part: `gcr.io/distroless/static:nonroot` -> `static`."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def official(self) -> bool:
        """A Docker Hub official image (`python`, `docker.io/library/python`), not a namespace's."""
        return self.registry == DOCKER_HUB and self.repository.startswith(_OFFICIAL) and self.repository.count("/") == 1

    @property
    def short(self) -> str:
        """The repository as people write it: `golang`, `bitnami/redis`, `gcr.io/distroless/static`."""
        if self.registry == DOCKER_HUB:
            return self.repository.removeprefix(_OFFICIAL)
        return f"{self.registry}/{self.repository}"

    @property
    def short_tagged(self) -> str:
        """`short:tag`, the tag defaulting to latest: what the fact tables' patterns match."""
        return f"{self.short}:{self.tag or DEFAULT_TAG}"


def parse(reference: str) -> ImageRef:
    """Split `[registry/]repository[:tag][@digest]`, normalising Docker Hub's names."""
    name, at, digest = reference.partition("@")
    first, slash, rest = name.partition("/")
    if slash and (any(ch in first for ch in ".:") or first == "localhost" or first.lower() != first):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path:
            path = _OFFICIAL + path
    head, _, last = path.rpartition("/")
    repo_last, colon, tag = last.partition(":")
    repository = f"{head}/{repo_last}" if head else repo_last
    return ImageRef(registry, repository, tag if colon else None, digest if at else None)


def table_key(reference: str) -> str:
    """The lower-cased `repository:tag` that `BASE_IMAGES`-style patterns match.

    `docker.io/library/golang:1.21@sha256:...` -> `golang:1.21`; `node` -> `node:latest`.
    """
    return parse(reference.lower()).short_tagged


def image_name(reference: str) -> str:
    """`docker.io/library/golang:1.21@sha256:...` -> `golang`: the last path part, no tag/digest."""
    return parse(reference).name


def tag(reference: str) -> str:
    """The lower-cased tag, `latest` when none is written: `golang:1.22-Alpine` -> `1.22-alpine`."""
    return (parse(reference).tag or DEFAULT_TAG).lower()
