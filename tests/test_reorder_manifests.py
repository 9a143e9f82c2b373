"""reorder-manifests: the static manifest readers and the decisions golden cases do not pin down."""

from __future__ import annotations

from pathlib import Path

import pytest

import transforms
from refactor.engine.changes import Safety
from refactor.engine.pipeline import Outcome, run
from refactor.facts import manifests
from refactor.facts.context import BuildContext, TransformContext
from refactor.text.document import Document


def _context(tmp_path: Path, files: dict[str, str]) -> BuildContext:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return BuildContext.at(tmp_path)


def _run(source: str, build: BuildContext) -> Outcome:
    return run(Document.parse(source), transforms.select(["reorder-manifests"]), TransformContext(build))


# --------------------------------------------------------------------------- requirements


def test_requirements_includes_resolve_relative_to_the_including_file(tmp_path: Path) -> None:
    build = _context(tmp_path, {
        "req/prod.txt": "-r base.txt\n--constraint=../c.txt\nflask  # web\n",
        "req/base.txt": "-rcommon/x.txt\nrequests \\\n  >=2\n",
        "req/common/x.txt": "idna\n",
        "c.txt": "flask==3\n",
    })
    reading = manifests.requirements_closure(build, ["req/prod.txt"])
    assert reading.problem is None
    assert reading.files == ["req/prod.txt", "req/base.txt", "req/common/x.txt", "c.txt"]


@pytest.mark.parametrize("line", ["-e ./lib", "--editable=../shared", "./wheels/x.whl", ".", "file:///src/pkg",
                                  "-f ./wheels"])
def test_requirements_with_a_local_path_are_a_problem(tmp_path: Path, line: str) -> None:
    build = _context(tmp_path, {"requirements.txt": f"flask\n{line}\n"})
    assert manifests.requirements_closure(build, ["requirements.txt"]).problem


def test_requirements_with_vcs_and_index_options_are_fine(tmp_path: Path) -> None:
    build = _context(tmp_path, {"requirements.txt": "-i https://pypi.org/simple\n"
                                                    "-e git+https://github.com/a/b.git#egg=b\nflask\n"})
    assert manifests.requirements_closure(build, ["requirements.txt"]).problem is None


def test_a_missing_include_is_a_problem(tmp_path: Path) -> None:
    build = _context(tmp_path, {"requirements.txt": "-r dev.txt\n"})
    reading = manifests.requirements_closure(build, ["requirements.txt"])
    assert reading.problem == "dev.txt is not in the build context"


# --------------------------------------------------------------------------- Python project metadata


def test_setup_py_install_requires_literal_and_through_a_name() -> None:
    text = "from setuptools import setup\nsetup(install_requires=['a', \"b>=1\"])\n"
    assert manifests.setup_py_install_requires(text) \
        == ["a", "b>=1"]
    text = "import setuptools\nDEPS = ('x',)\nsetuptools.setup(name='p', install_requires=DEPS)\n"
    assert manifests.setup_py_install_requires(text) == ["x"]


@pytest.mark.parametrize("text", [
    "from setuptools import setup\nsetup(install_requires=open('r.txt').read().splitlines())\n",
    "from setuptools import setup\nDEPS = ['a']\nDEPS = DEPS + ['b']\nsetup(install_requires=DEPS)\n",
    "from setuptools import setup\nsetup(**config)\n",
    "from setuptools import setup\nsetup(install_requires=[f'a{V}'])\n",
    "this is not python(\n",
])
def test_setup_py_with_computed_dependencies_is_unreadable(text: str) -> None:
    assert manifests.setup_py_install_requires(text) is None


def test_setup_py_without_install_requires_has_no_dependencies() -> None:
    assert manifests.setup_py_install_requires("from setuptools import setup\nsetup(name='p')\n") == []


def test_setup_py_extras_are_added() -> None:
    text = "from setuptools import setup\nsetup(install_requires=['a'], extras_require={'dev': ['pytest']})\n"
    assert manifests.setup_py_install_requires(text, ["dev"]) == ["a", "pytest"]


def test_setup_cfg_and_pyproject_dependencies(tmp_path: Path) -> None:
    build = _context(tmp_path, {
        "cfg/setup.cfg": "[options]\ninstall_requires =\n    click>=8\n    rich\n",
        "toml/pyproject.toml": "[project]\nname='p'\nversion='1'\ndependencies=['a']\n"
                               "[project.optional-dependencies]\ndev=['b']\n",
        "dyn/pyproject.toml": "[project]\nname='p'\ndynamic=['dependencies']\n",
    })
    assert manifests.python_project_dependencies(build, "cfg", [])[0] == ["click>=8", "rich"]
    assert manifests.python_project_dependencies(build, "toml", ["dev"])[0] == ["a", "b"]
    assert manifests.python_project_dependencies(build, "dyn", [])[0] is None


# --------------------------------------------------------------------------- other ecosystems


@pytest.mark.parametrize("script", ["preinstall", "install", "postinstall", "prepare"])
def test_node_lifecycle_scripts_are_a_problem(script: str) -> None:
    assert manifests.node_problem({"scripts": {script: "node x.js"}}, "package.json")


def test_node_build_scripts_and_registry_dependencies_are_fine() -> None:
    data = {"scripts": {"build": "tsc", "start": "node ."}, "dependencies": {"a": "^1", "b": "git+https://x/y.git"}}
    assert manifests.node_problem(data, "package.json") is None


def test_cargo_needs_declared_targets_and_no_path_dependencies() -> None:
    base = "[package]\nname='a'\nversion='0.1.0'\n"
    assert "no [lib] or [[bin]]" in (manifests.cargo_problem(base) or "")
    assert manifests.cargo_problem(base + "[[bin]]\nname='a'\npath='src/main.rs'\n") is None
    assert manifests.cargo_problem(base + "[lib]\npath='src/lib.rs'\n[dependencies]\nx={path='../x'}\n")


def test_go_mod_local_replace_is_a_problem_but_a_module_replace_is_not() -> None:
    assert manifests.go_mod_problem("module a\nreplace b => ../b\n")
    assert manifests.go_mod_problem("module a\nreplace b => c v1.2.3\n") is None


# --------------------------------------------------------------------------- the transform


def test_two_installs_in_consecutive_runs_are_both_moved(tmp_path: Path) -> None:
    build = _context(tmp_path, {"requirements.txt": "flask\n", "package.json": "{}\n"})
    source = "FROM x\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN npm ci\n"
    outcome = _run(source, build)
    assert outcome.output == (
        "FROM x\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n"
        "COPY package.json ./\nRUN npm ci\nCOPY . .\n"
    )
    assert len(outcome.changes) == 2 and not _run(outcome.output, build).changed


def test_every_stage_is_handled(tmp_path: Path) -> None:
    build = _context(tmp_path, {"go.mod": "module a\n", "package.json": "{}\n"})
    source = "FROM golang AS api\nCOPY . .\nRUN go mod download\nFROM node\nCOPY . .\nRUN npm ci\n"
    outcome = _run(source, build)
    assert outcome.output == ("FROM golang AS api\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\n"
                              "FROM node\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n")


def test_go_prime_allows_env_that_go_does_not_read_but_not_goflags(tmp_path: Path) -> None:
    build = _context(tmp_path, {"go.mod": "module a\n"})
    ok = _run("FROM golang\nCOPY . .\nENV CGO_ENABLED=0\nRUN go build .\n", build)
    assert ok.changed and ok.changes[0].safety is Safety.REVIEW
    declined = _run("FROM golang\nCOPY . .\nENV GOFLAGS=-mod=mod\nRUN go build .\n", build)
    assert not declined.changed and "ENV on line 3" in declined.skips[0].reason


def test_a_moved_install_is_safe_and_a_synthesised_one_needs_review(tmp_path: Path) -> None:
    build = _context(tmp_path, {"pyproject.toml": "[project]\nname='p'\nversion='1'\n", "poetry.lock": ""})
    outcome = _run("FROM python\nCOPY . .\nRUN poetry install\n", build)
    assert [c.safety for c in outcome.changes] == [Safety.REVIEW]
    outcome = _run("FROM python\nCOPY . .\nRUN poetry install --no-root\n", build)
    assert [c.safety for c in outcome.changes] == [Safety.SAFE]


@pytest.mark.parametrize("run_line", [
    'RUN ["npm", "ci"]',  # exec form: no shell to split
    "RUN npm install left-pad",  # installs a named package: reads no manifest
    "RUN pip install flask",
])
def test_commands_that_read_no_manifest_are_left_alone_silently(tmp_path: Path, run_line: str) -> None:
    build = _context(tmp_path, {"package.json": "{}\n", "requirements.txt": "x\n"})
    outcome = _run(f"FROM x\nCOPY . .\n{run_line}\n", build)
    assert not outcome.changed and not outcome.skips


def test_skip_reasons_name_the_problem(tmp_path: Path) -> None:
    build = _context(tmp_path, {"package.json": "{}\n"})
    cases = {
        "FROM x\nCOPY . .\nUSER node\nRUN npm ci\n": "USER on line 3 runs between",
        "FROM x\nCOPY . .\nRUN if true; then npm ci; fi\n": "compound command",
        "FROM x\nCOPY . .\nRUN cd $DIR && npm ci\n": "working directory",
        "FROM x\nCOPY . .\nRUN npm ci; npm run build\n": "joined by `;`",
        "FROM x\nCOPY . .\nRUN pip install -r missing.txt\n": "missing.txt is not in the build context",
    }
    for source, reason in cases.items():
        outcome = _run(source, build)
        assert not outcome.changed, source
        assert outcome.skips and reason in outcome.skips[0].reason, (source, outcome.skips)


def test_set_e_makes_a_semicolon_chain_splittable(tmp_path: Path) -> None:
    build = _context(tmp_path, {"package.json": "{}\n"})
    outcome = _run("FROM x\nCOPY . .\nRUN set -e; npm ci; npm run build\n", build)
    assert outcome.output == "FROM x\nCOPY package.json ./\nRUN set -e && npm ci\nCOPY . .\nRUN set -e; npm run build\n"


def test_install_outside_the_copied_directory_is_not_this_copys_business(tmp_path: Path) -> None:
    build = _context(tmp_path, {"package.json": "{}\n", "src/x.js": ""})
    outcome = _run("FROM x\nWORKDIR /app\nCOPY src ./src\nRUN npm ci\n", build)
    assert not outcome.changed and not outcome.skips


def test_rationales_are_one_line(tmp_path: Path) -> None:
    build = _context(tmp_path, {"setup.py": "from setuptools import setup\nsetup(install_requires=['a'])\n"})
    outcome = _run("FROM python\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\n", build)
    assert outcome.output.splitlines()[2] == "RUN pip install a"
    assert all("\n" not in c.rationale for c in outcome.changes)
    assert not _run(outcome.output, build).changed
