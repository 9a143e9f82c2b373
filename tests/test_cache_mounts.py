"""cache-mounts: who runs a RUN, where its tools cache, and when the transform declines."""

from __future__ import annotations

import pytest

from refactor.analysis import runenv
from refactor.analysis.semantic import SemanticModel
from refactor.facts import ecosystems
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document
from transforms.cache_mounts import CacheMounts


def state_before_last(text: str) -> runenv.RunEnv:
    doc = Document.parse(text)
    return runenv.analyse(doc)[doc.instructions[-1].start]


def plan(text: str) -> tuple[list[str], list[str]]:
    """(mount flags added, skip reasons)."""
    result = CacheMounts().plan(SemanticModel(Document.parse(text)), TransformContext(BuildContext(None)))
    flags = [e.replacement for c in result.changes for e in c.edits if "--mount" in e.replacement]
    return flags, [s.reason for s in result.skips]


# --- the user a RUN runs as -------------------------------------------------------------


def test_root_is_the_default_user_of_a_known_image() -> None:
    account = state_before_last("FROM python:3.12\nRUN true\n").account()
    assert account is not None and account.is_root and account.home == "/root" and not account.assumed


def test_an_unknown_image_is_assumed_root() -> None:
    account = state_before_last("FROM example.com/base:1\nRUN true\n").account()
    assert account is not None and account.is_root and account.assumed


@pytest.mark.parametrize(("create", "user", "uid", "gid", "home"), [
    ("useradd -m -u 1001 app", "app", 1001, None, "/home/app"),
    ("useradd --uid=1002 --home-dir /srv/app -g 0 app", "app", 1002, 0, "/srv/app"),
    ("groupadd -g 2000 grp && useradd -u 1003 -g grp app", "app", 1003, 2000, "/home/app"),
    ("adduser -D -u 10001 -h /data app", "app", 10001, None, "/data"),  # busybox
    ("adduser --disabled-password --gecos '' --uid 1004 app", "app", 1004, None, "/home/app"),  # Debian
    ("useradd -m -u 1005 app", "1005", 1005, None, "/home/app"),  # USER by number
    ("useradd -m -u 1006 app", "app:0", 1006, 0, "/home/app"),
    ("useradd -m -u 1007 app", "app:app", 1007, None, "/home/app"),  # its own group, number not fixed
])
def test_useradd_and_adduser_give_the_passwd_entry(create: str, user: str, uid: int, gid: int | None,
                                                   home: str) -> None:
    account = state_before_last(f"FROM debian:12\nRUN {create}\nUSER {user}\nRUN true\n").account()
    assert account is not None
    assert (account.uid, account.gid, account.home) == (uid, gid, home)


def test_unknown_ids_are_none() -> None:
    state = state_before_last("FROM debian:12\nRUN useradd -m app && useradd -m -u 1001 web\nRUN true\n")
    assert (state.users["app"].uid, state.users["app"].gid) == (None, None)
    assert (state.users["web"].uid, state.users["web"].gid, state.groups["web"]) == (1001, None, None)
    account = state_before_last("FROM debian:12\nRUN useradd -m app\nUSER app\nRUN true\n").account()
    assert account is not None and (account.uid, account.gid, account.home) == (None, None, "/home/app")


def test_a_group_without_a_fixed_gid_gets_no_gid_option() -> None:
    flags, _ = plan("FROM python:3.12\nRUN useradd -u 1000 -m app\nUSER app:app\nRUN pip install flask\n")
    assert flags and "uid=1000" in flags[0] and "gid=" not in flags[0]  # was `gid=-1`


def test_node_user_comes_from_the_base_image_table() -> None:
    account = state_before_last("FROM node:20\nUSER node\nRUN true\n").account()
    assert account is not None and (account.uid, account.gid, account.home) == (1000, 1000, "/home/node")


def test_distroless_nonroot_tag_runs_as_nonroot() -> None:
    account = state_before_last("FROM gcr.io/distroless/static-debian12:nonroot\nRUN true\n").account()
    assert account is not None and account.uid == 65532


def test_env_and_arg_values_are_read_as_buildkit_does() -> None:
    state = state_before_last('FROM golang:1.22\nENV GOCACHE "/tmp/go cache"\nENV A=x\\ y B=a"b"c\n'
                              'ARG C="1 2"\nRUN true\n')
    assert state.env["GOCACHE"] == "/tmp/go cache"  # legacy form: quotes removed (were kept)
    assert (state.env["A"], state.env["B"], state.env["C"]) == ("x y", "abc", "1 2")


def test_user_and_env_carry_over_from_a_parent_stage() -> None:
    text = "FROM golang:1.22 AS base\nRUN useradd -m -u 1001 app\nUSER app\nENV GOCACHE=/cache\nFROM base\nRUN true\n"
    state = state_before_last(text)
    account = state.account()
    assert account is not None and account.uid == 1001 and state.env["GOCACHE"] == "/cache"
    assert state.env["GOPATH"] == "/go"


def test_env_home_overrides_the_passwd_home() -> None:
    account = state_before_last("FROM python:3.12\nENV HOME=/app\nRUN true\n").account()
    assert account is not None and account.home == "/app"


def test_user_from_an_unknown_variable_is_unknown() -> None:
    assert state_before_last("FROM python:3.12\nARG U\nUSER $U\nRUN true\n").account() is None


# --- where the caches are ---------------------------------------------------------------


def test_go_module_cache_follows_gopath_and_gomodcache() -> None:
    flags, _ = plan("FROM golang:1.22\nENV GOMODCACHE=/m GOCACHE=/b\nRUN go build .\n")
    assert flags == ["--mount=type=cache,target=/m \\\n    --mount=type=cache,target=/b \\\n    "]
    flags, _ = plan("FROM debian:12\nENV GOPATH=/opt/go\nRUN go build .\n")
    assert "target=/opt/go/pkg/mod" in flags[0] and "target=/root/.cache/go-build" in flags[0]


def test_go_without_gopath_uses_home_go() -> None:
    flags, _ = plan("FROM debian:12\nRUN go build .\n")
    assert "target=/root/go/pkg/mod" in flags[0]


def test_xdg_cache_home_moves_pip() -> None:
    flags, _ = plan("FROM python:3.12\nENV XDG_CACHE_HOME=/xdg\nRUN pip install flask\n")
    assert flags == ["--mount=type=cache,target=/xdg/pip "]


def test_inline_assignment_moves_the_cache_for_that_command() -> None:
    flags, _ = plan("FROM python:3.12\nRUN PIP_CACHE_DIR=/c pip install flask\n")
    assert flags == ["--mount=type=cache,target=/c "]


def test_env_from_another_variable_is_expanded() -> None:
    flags, _ = plan("FROM python:3.12\nENV BASE=/opt\nENV PIP_CACHE_DIR=$BASE/pip\nRUN pip install flask\n")
    assert flags == ["--mount=type=cache,target=/opt/pip "]


@pytest.mark.parametrize(("text", "reason"), [
    ("FROM python:3.12\nENV PIP_CACHE_DIR=$UNKNOWN\nRUN pip install flask\n", "not known here"),
    ("FROM python:3.12\nARG PIP_CACHE_DIR=/c\nRUN pip install flask\n", "--build-arg can change it"),
    ("FROM python:3.12\nRUN export PIP_CACHE_DIR=/c && pip install flask\n", "set inside the RUN"),
    ("FROM python:3.12\nRUN pip install --cache-dir /c flask\n", "may move pip's cache"),
    ("FROM maven:3\nENV MAVEN_OPTS=-Dmaven.repo.local=/r\nRUN mvn package\n", "MAVEN_OPTS"),
    ("FROM maven:3\nRUN mvn -s /s.xml package\n", "may move maven's cache"),
    ("FROM node:20\nRUN npm config set cache /c && npm ci\n", "npm config set cache"),
    ("FROM golang:1.22\nRUN go env -w GOCACHE=/c\nRUN go build .\n", "go env -w"),
    ("FROM python:3.12\nCOPY pip.conf /etc/pip.conf\nRUN pip install flask\n", "/etc/pip.conf"),
    ("FROM ruby:3.3\nENV BUNDLE_PATH=vendor\nRUN bundle install\n", "BUNDLE_PATH"),
    ("FROM debian:12\nRUN gem install rails\n", "GEM_HOME"),
])
def test_unknown_relocation_declines(text: str, reason: str) -> None:
    flags, skips = plan(text)
    assert not flags
    assert any(reason in s for s in skips), skips


def test_non_root_user_mounts_under_its_home_with_uid_and_gid() -> None:
    flags, _ = plan("FROM node:20\nUSER node\nRUN npm ci\n")
    assert flags == ["--mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 "]


def test_non_root_user_gets_its_own_cache_id_outside_home() -> None:
    flags, _ = plan("FROM golang:1.22\nUSER 1000:1000\nENV HOME=/home/u\nRUN go build .\n")
    assert "id=/go/pkg/mod-1000,target=/go/pkg/mod,uid=1000,gid=1000" in flags[0]
    assert "--mount=type=cache,target=/home/u/.cache/go-build,uid=1000" in flags[0]


def test_non_root_user_never_gets_roots_cache() -> None:
    flags, _ = plan("FROM python:3.12\nRUN useradd -u 1001 -m app\nUSER app\nRUN pip install flask\n")
    assert flags and "/root" not in flags[0]


def test_nobody_has_no_writable_home() -> None:
    flags, skips = plan("FROM gcr.io/distroless/base\nUSER nobody\nRUN pip install x\n")
    assert not flags and "no known, writable HOME" in skips[0]


def test_apt_under_a_non_root_user_declines() -> None:
    flags, skips = plan("FROM node:20\nUSER node\nRUN apt-get update && apt-get install -y curl\n")
    assert not flags and "apt runs as root" in skips[0]


def test_apt_without_update_is_not_a_site() -> None:
    assert plan("FROM debian:12\nRUN apt-get install -y curl\n") == ([], [])


def test_yarn_berry_project_config_declines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = Document.parse("FROM node:20\nRUN yarn install\n")
    # no context: classic yarn
    assert CacheMounts().plan(SemanticModel(doc), TransformContext(BuildContext(None))).changes
    (tmp_path / ".yarnrc.yml").write_text("nodeLinker: node-modules\n")
    result = CacheMounts().plan(SemanticModel(doc), TransformContext(BuildContext.at(tmp_path)))
    assert not result.changes and ".yarnrc.yml" in result.skips[0].reason


def test_rm_of_the_mount_itself_declines() -> None:
    flags, skips = plan("FROM debian:12\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt\n")
    assert not flags and "remove the cache mount's own directory" in skips[0]


def test_cleanup_mixed_with_other_paths_is_kept() -> None:
    result = CacheMounts().plan(
        SemanticModel(Document.parse("FROM debian:12\nRUN apt-get update && apt-get install -y x"
                                     " && rm -rf /var/lib/apt/lists/* /tmp/x\n")),
        TransformContext(BuildContext(None)))
    assert not any("drop" in c.rationale for c in result.changes)


def test_cleanup_joined_by_or_declines() -> None:
    flags, skips = plan("FROM node:20\nRUN npm ci || npm cache clean --force\n")
    assert not flags and "`||`" in skips[0]


def test_exec_form_is_not_touched() -> None:
    assert plan('FROM node:20\nRUN ["npm", "ci"]\n') == ([], [])


def test_base_image_lookup_normalises_the_reference() -> None:
    assert ecosystems.base_image("docker.io/library/golang:1.22@sha256:abc") is not None
    assert ecosystems.base_image("golang") is not None
    assert ecosystems.base_image("example.com/golang:1") is None
