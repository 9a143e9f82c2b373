"""Image references: parsed and normalised as Docker does (distribution/reference)."""

from __future__ import annotations

import pytest

from refactor.facts import ecosystems, images
from refactor.facts.images import ImageRef


@pytest.mark.parametrize(("reference", "expected"), [
    ("golang", ImageRef("docker.io", "library/golang", None, None)),
    ("golang:1.22-alpine", ImageRef("docker.io", "library/golang", "1.22-alpine", None)),
    ("library/golang:1.22", ImageRef("docker.io", "library/golang", "1.22", None)),
    ("docker.io/golang:1.22", ImageRef("docker.io", "library/golang", "1.22", None)),
    ("index.docker.io/library/golang", ImageRef("docker.io", "library/golang", None, None)),
    ("bitnami/redis:7", ImageRef("docker.io", "bitnami/redis", "7", None)),
    ("docker.io/bitnami/redis", ImageRef("docker.io", "bitnami/redis", None, None)),
    ("gcr.io/distroless/static-debian12:nonroot",
     ImageRef("gcr.io", "distroless/static-debian12", "nonroot", None)),
    ("localhost/app", ImageRef("localhost", "app", None, None)),
    ("localhost:5000/team/app:v1", ImageRef("localhost:5000", "team/app", "v1", None)),
    ("golang:1.21@sha256:abc", ImageRef("docker.io", "library/golang", "1.21", "sha256:abc")),
    ("golang@sha256:abc", ImageRef("docker.io", "library/golang", None, "sha256:abc")),
    # no "/" after it: not a registry (Docker reads `localhost:5000` as the image localhost, tag 5000)
    ("localhost:5000", ImageRef("docker.io", "library/localhost", "5000", None)),
    # an upper-case first part is a registry name, never a Docker Hub namespace
    ("MyRegistry/app", ImageRef("MyRegistry", "app", None, None)),
    # unexpanded variables still split (an upper-case `$REGISTRY` reads as a registry)
    ("$REGISTRY/app:$TAG", ImageRef("$REGISTRY", "app", "$TAG", None)),
    ("$team/app", ImageRef("docker.io", "$team/app", None, None)),
])
def test_parse(reference: str, expected: ImageRef) -> None:
    assert images.parse(reference) == expected


@pytest.mark.parametrize(("reference", "key"), [
    ("golang", "golang:latest"),
    ("Golang:1.22-Alpine", "golang:1.22-alpine"),
    ("docker.io/library/golang:1.22@sha256:abc", "golang:1.22"),
    ("index.docker.io/library/golang:1.22", "golang:1.22"),
    ("docker.io/golang:1.22", "golang:1.22"),
    ("library/node:20", "node:20"),
    ("docker.io/bitnami/redis", "bitnami/redis:latest"),
    ("index.docker.io/bitnami/redis", "bitnami/redis:latest"),
    ("gcr.io/distroless/base", "gcr.io/distroless/base:latest"),
    ("localhost:5000/app", "localhost:5000/app:latest"),
])
def test_table_key_normalises_docker_hub_names(reference: str, key: str) -> None:
    assert images.table_key(reference) == key


def test_name_and_tag() -> None:
    assert images.image_name("docker.io/library/golang:1.21@sha256:abc") == "golang"
    assert images.image_name("gcr.io/distroless/static:nonroot") == "static"
    assert images.image_name("localhost:5000/app") == "app"
    assert images.tag("golang:1.22.3-Alpine3.20") == "1.22.3-alpine3.20"
    assert images.tag("golang@sha256:abc") == "latest"
    assert images.tag("localhost:5000/app") == "latest"


def test_official_images() -> None:
    assert all(images.parse(r).official for r in ("python", "library/python:3", "docker.io/library/python"))
    assert not any(images.parse(r).official for r in ("bitnami/python", "gcr.io/python", "localhost:5000/python"))


def test_short_forms() -> None:
    assert images.parse("docker.io/library/golang").short == "golang"
    assert images.parse("bitnami/redis:7").short_tagged == "bitnami/redis:7"
    assert images.parse("gcr.io/distroless/base").short == "gcr.io/distroless/base"


def test_every_docker_hub_spelling_finds_the_same_table_row() -> None:
    golang = ecosystems.base_image("golang:1.22")
    assert golang is not None
    for spelling in ("docker.io/golang:1.22", "index.docker.io/library/golang:1.22", "library/golang:1.22"):
        assert ecosystems.base_image(spelling) is golang
    bitnami = ecosystems.base_image("bitnami/redis")
    assert bitnami is not None and ecosystems.base_image("index.docker.io/bitnami/redis") is bitnami
    assert ecosystems.base_image("example.com/golang:1") is None
