"""The one-line edits `refactor verify` makes before a rebuild: unique each time, valid in the file's format."""

from __future__ import annotations

import json
from pathlib import Path

from refactor.verify.command import compare_configs, one_line_edit


def test_edit_appends_a_comment_in_the_files_own_syntax(tmp_path: Path) -> None:
    go = tmp_path / "main.go"
    go.write_text("package main")
    one_line_edit(go)
    assert go.read_text().startswith("package main\n// refactor-verify edit ")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("six==1.16.0\n")
    one_line_edit(reqs)
    assert reqs.read_text().splitlines()[1].startswith("# refactor-verify edit ")


def test_two_edits_never_produce_the_same_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("x = 1\n")
    one_line_edit(a)
    one_line_edit(b)
    assert a.read_text() != b.read_text()


def test_json_manifest_stays_valid_json(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "x", "version": "1.0.0"}')
    one_line_edit(package)
    assert json.loads(package.read_text()) == {"name": "x", "version": "1.0.0"}
    assert package.read_text() != '{"name": "x", "version": "1.0.0"}'


def test_config_comparison_lists_env_changes_per_variable() -> None:
    before = {"Env": ["PATH=/go/bin:/usr/bin", "GOPATH=/go"], "Cmd": ["app"], "ExposedPorts": {"8080/tcp": {}}}
    after = {"Env": ["PATH=/usr/bin"], "Cmd": ["app"], "ExposedPorts": {"8080/tcp": {}}}
    assert compare_configs(before, after) == ["Env GOPATH: '/go' -> None", "Env PATH: '/go/bin:/usr/bin' -> '/usr/bin'"]
    assert compare_configs(before, {**before, "User": "nobody"}) == ['User: null -> "nobody"']


def test_root_users_compare_equal_and_others_do_not() -> None:
    from refactor.verify.command import same_user

    assert same_user(None, "0") and same_user("", "root:root") and same_user("app", "app")
    assert not same_user(None, "65532") and not same_user("app", "0")
