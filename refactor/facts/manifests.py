"""Static readers for dependency manifests: what an install reads, and whether it reads more.

Nothing here executes project code: package.json and composer.json are JSON, pyproject
and Cargo.toml are read with tomllib, setup.cfg with configparser, and setup.py is
parsed with libcst (only literal `install_requires=[...]` lists count).  Each reader
answers in the transform's terms: the files an install reads, or a problem (a reason
to leave the Dockerfile alone) when the install could read files beyond them.
"""

from __future__ import annotations

import configparser
import json
import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import libcst as cst

from refactor.facts.context import BuildContext

# npm runs these scripts of the project itself during `npm install` / `npm ci`
# (yarn and pnpm run the same set); they may read any file of the project.
LIFECYCLE_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare",
                     "postprepare")
_NODE_DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_LOCAL_SPEC = re.compile(r"^(file:|link:|portal:|\.{1,2}/|/|~/)")


class Reader(Enum):
    """How reorder-manifests reads an ecosystem's manifests: each row of `ecosystems.ECOSYSTEMS`
    names one kind (`ReorderFacts.reader`), and the transform keeps one reader per kind."""

    MANIFESTS = "manifests"  # the row's manifests that exist, and its `ReorderFacts.check` if any
    GO = "go"  # go.mod and go.sum; workspaces, vendor/ and local `replace` decline
    NODE = "node"  # package.json: lifecycle scripts, local dependencies, workspace members
    PIP = "pip"  # the `-r`/`-c` files and what they include; `pip install .`: the declared dependencies
    MAVEN = "maven"  # one pom.xml; settings or pom files named on the command line decline
    GRADLE = "gradle"  # a single-project build; the wrapper's gradle/wrapper/ must be in the context


@dataclass
class Reading:
    """What an install reads: context-relative files, or the reason it may read more."""

    files: list[str] = field(default_factory=list)
    problem: str | None = None

    def add(self, path: str) -> None:
        if path not in self.files:
            self.files.append(path)


def join(directory: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(directory, name)) if directory else posixpath.normpath(name)


# --------------------------------------------------------------------------- pip requirements

_PIP_VALUE_OPTIONS = {
    "-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint",
    "-e": "editable", "--editable": "editable", "-f": "find-links", "--find-links": "find-links",
    "-i": "index", "--index-url": "index", "--extra-index-url": "index", "--trusted-host": "index",
}


def requirements_closure(build: BuildContext, files: list[str], reading: Reading | None = None) -> Reading:
    """Every requirements/constraints file `files` include (`-r`, `-c`), resolved relative
    to the including file as pip does; a local path requirement (`-e ./lib`, `./pkg`,
    `file:`) or a local `--find-links` directory is a problem."""
    reading = reading or Reading()
    for path in files:
        if reading.problem or path in reading.files:
            continue
        text = build.read_text(path)
        if text is None:
            reading.problem = f"{path} is not in the build context"
            return reading
        reading.add(path)
        base = posixpath.dirname(path)
        for line in _requirement_lines(text):
            words = line.split()
            option, value = _option(words)
            if option in ("requirement", "constraint"):
                if value is None:
                    continue
                requirements_closure(build, [join(base, value)], reading)
            elif option == "editable" or option == "find-links":
                if value is not None and not re.match(r"^[a-z+]+://", value) and not value.startswith("git+"):
                    reading.problem = f"{path} installs from the local path {value}"
            elif option is None and words and _is_local_requirement(words[0]):
                reading.problem = f"{path} installs the local path {words[0]}"
            if reading.problem:
                return reading
    return reading


def _requirement_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            lines.append(line)
    return lines


def _option(words: list[str]) -> tuple[str | None, str | None]:
    first = words[0]
    name, eq, inline = first.partition("=")
    if name in _PIP_VALUE_OPTIONS:
        value = inline if eq else (words[1] if len(words) > 1 else None)
        return _PIP_VALUE_OPTIONS[name], value
    for short in ("-r", "-c", "-e", "-f"):
        if first.startswith(short) and len(first) > 2 and not first.startswith("--"):
            return _PIP_VALUE_OPTIONS[short], first[2:]
    return ("other", None) if first.startswith("-") else (None, None)


def _is_local_requirement(word: str) -> bool:
    return word == "." or word.startswith(("./", "../", "/", "file:")) or word.endswith((".whl", ".tar.gz", ".zip"))


# --------------------------------------------------------------------------- package.json

def package_json(build: BuildContext, path: str) -> tuple[dict[str, Any] | None, str | None]:
    text = build.read_text(path)
    if text is None:
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"{path} is not valid JSON"
    return (data, None) if isinstance(data, dict) else (None, f"{path} is not a JSON object")


def node_problem(data: dict[str, Any], path: str) -> str | None:
    """A lifecycle script or a local-path dependency: the install would read more than manifests."""
    scripts = data.get("scripts") or {}
    if isinstance(scripts, dict):
        for script in LIFECYCLE_SCRIPTS:
            if script in scripts:
                return f"{path} has a `{script}` script that runs during the install and may read the source"
    for field_name in _NODE_DEP_FIELDS:
        deps = data.get(field_name) or {}
        if isinstance(deps, dict):
            for name, spec in deps.items():
                if isinstance(spec, str) and _LOCAL_SPEC.match(spec):
                    return f"{path} depends on {name} from the local path {spec}"
    return None


def node_workspaces(build: BuildContext, data: dict[str, Any], directory: str) -> tuple[list[str], str | None]:
    """Directories (context-relative) of the workspace members; a problem when they are unclear."""
    patterns: list[str] = []
    field_value = data.get("workspaces")
    if isinstance(field_value, dict):
        field_value = field_value.get("packages")
    if isinstance(field_value, list):
        patterns.extend(p for p in field_value if isinstance(p, str))
    elif field_value is not None:
        return [], "the `workspaces` field of package.json has an unexpected shape"
    pnpm = build.read_text(join(directory, "pnpm-workspace.yaml"))
    if pnpm is not None:
        parsed = _pnpm_packages(pnpm)
        if parsed is None:
            return [], "pnpm-workspace.yaml is not a simple `packages:` list"
        patterns.extend(parsed)
    members: list[str] = []
    for pattern in patterns:
        if pattern.startswith("!") or ".." in pattern:
            return [], f"workspace pattern {pattern!r} is not supported"
        found = build.glob(join(directory, pattern.rstrip("/") + "/package.json"))
        if not found:
            return [], f"workspace pattern {pattern!r} matches no package.json in the context"
        members.extend(posixpath.dirname(f) for f in found)
    return sorted(set(members)), None


def _pnpm_packages(text: str) -> list[str] | None:
    packages: list[str] = []
    inside = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line.startswith((" ", "-")):
            inside = line.strip() == "packages:"
            if not inside and not line.strip().endswith(":"):
                return None
            continue
        if inside:
            item = line.strip()
            if not item.startswith("- "):
                return None
            packages.append(item[2:].strip().strip("'\""))
    return packages


# --------------------------------------------------------------------------- Python projects

def python_project_dependencies(build: BuildContext, directory: str, extras: list[str]) -> tuple[
        list[str] | None, str]:
    """The project's declared dependencies (plus `extras`), read statically, and where from.

    None when they cannot be read without running code (dynamic metadata, computed
    `install_requires`, no metadata at all)."""
    pyproject = build.read_text(join(directory, "pyproject.toml"))
    if pyproject is not None:
        try:
            data = tomllib.loads(pyproject)
        except tomllib.TOMLDecodeError:
            return None, "pyproject.toml is not valid TOML"
        project = data.get("project")
        if isinstance(project, dict):
            dynamic = project.get("dynamic") or []
            if "dependencies" not in dynamic and ("optional-dependencies" not in dynamic or not extras):
                deps = list(project.get("dependencies") or [])
                optional = project.get("optional-dependencies") or {}
                for extra in extras:
                    if extra not in optional:
                        return None, f"pyproject.toml declares no extra {extra!r}"
                    deps.extend(optional[extra])
                if all(isinstance(d, str) for d in deps):
                    return deps, "pyproject.toml [project]"
                return None, "pyproject.toml dependencies are not strings"
    setup_cfg = build.read_text(join(directory, "setup.cfg"))
    if setup_cfg is not None:
        from_cfg = _setup_cfg_requires(setup_cfg, extras)
        if from_cfg is not None:
            return from_cfg, "setup.cfg [options]"
    setup_py = build.read_text(join(directory, "setup.py"))
    if setup_py is not None:
        from_py = setup_py_install_requires(setup_py, extras)
        if from_py is not None:
            return from_py, "setup.py install_requires"
        return None, "setup.py computes its dependencies (install_requires is not a literal list)"
    return None, "no statically readable dependency list (pyproject.toml [project], setup.cfg or setup.py)"


def _setup_cfg_requires(text: str, extras: list[str]) -> list[str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_option("options", "install_requires"):
        return None
    raw = parser.get("options", "install_requires")
    if raw.strip().startswith("file:") or "%" in raw:
        return None
    deps = [line.strip() for line in raw.splitlines() if line.strip() and not line.strip().startswith("#")]
    for extra in extras:
        if not parser.has_option("options.extras_require", extra):
            return None
        deps.extend(x.strip() for x in parser.get("options.extras_require", extra).splitlines() if x.strip())
    return deps


def setup_py_install_requires(text: str, extras: list[str] = ()) -> list[str] | None:  # type: ignore[assignment]
    """`install_requires` of the `setup(...)` call when it is a literal list of strings (directly
    or through a module-level name assigned once); None for anything computed."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    assigned: dict[str, list[cst.BaseExpression]] = {}
    calls: list[cst.Call] = []

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    assigned.setdefault(target.target.value, []).append(node.value)

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            name = func.value if isinstance(func, cst.Name) else (
                func.attr.value if isinstance(func, cst.Attribute) else "")
            if name == "setup":
                calls.append(node)

    module.visit(Visitor())
    if len(calls) != 1:
        return None
    args = {a.keyword.value: a.value for a in calls[0].args if a.keyword is not None}
    if any(a.star for a in calls[0].args):
        return None  # setup(**kwargs): unknowable

    def literal(expr: cst.BaseExpression | None) -> list[str] | None:
        if expr is None:
            return []
        if isinstance(expr, cst.Name):
            values = assigned.get(expr.value, [])
            return literal(values[0]) if len(values) == 1 else None
        if not isinstance(expr, cst.List | cst.Tuple):
            return None
        out: list[str] = []
        for element in expr.elements:
            value = element.value
            if not isinstance(value, cst.SimpleString):
                return None
            evaluated = value.evaluated_value
            if not isinstance(evaluated, str):
                return None
            out.append(evaluated)
        return out

    deps = literal(args.get("install_requires"))
    if deps is None:
        return None
    if extras:
        extras_expr = args.get("extras_require")
        if not isinstance(extras_expr, cst.Dict):
            return None
        table: dict[str, cst.BaseExpression] = {}
        for element in extras_expr.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            key = element.key.evaluated_value
            if isinstance(key, str):
                table[key] = element.value
        for extra in extras:
            more = literal(table.get(extra)) if extra in table else None
            if more is None:
                return None
            deps.extend(more)
    return deps


def python_local_sources(text: str) -> str | None:
    """A pyproject.toml path dependency (Poetry `path =`, uv `[tool.uv.sources] path` or a uv
    workspace): the install would read files beyond the manifests."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "pyproject.toml is not valid TOML"
    tool = data.get("tool") or {}
    uv = tool.get("uv") or {}
    if uv.get("workspace"):
        return "pyproject.toml declares a uv workspace"
    for name, source in (uv.get("sources") or {}).items():
        if isinstance(source, dict) and ("path" in source or source.get("workspace")):
            return f"pyproject.toml takes {name} from a local path"
    poetry = tool.get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [g.get("dependencies") or {} for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]
    for table in tables:
        for name, spec in table.items():
            if isinstance(spec, dict) and "path" in spec:
                return f"pyproject.toml takes {name} from the local path {spec['path']}"
    return None


def pipfile_problem(text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "Pipfile is not valid TOML"
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            if isinstance(spec, dict) and "path" in spec:
                return f"Pipfile takes {name} from the local path {spec['path']}"
    return None


# --------------------------------------------------------------------------- other ecosystems

def go_mod_problem(text: str) -> str | None:
    """A `replace` with a local directory: `go mod download` would read that module's go.mod."""
    for match in re.finditer(r"=>\s*(\S+)", text):
        target = match.group(1)
        if target.startswith(("./", "../", "/")) or target in (".", ".."):
            return f"go.mod replaces a module with the local directory {target}"
    return None


def go_work_members(text: str) -> list[str]:
    members: list[str] = []
    for block in re.finditer(r"^use\s*\((.*?)\)", text, re.S | re.M):
        members.extend(w.strip() for w in block.group(1).split() if w.strip())
    members.extend(m.group(1) for m in re.finditer(r"^use\s+([^\s(]+)", text, re.M))
    return members


def cargo_problem(text: str) -> str | None:
    """`cargo fetch` parses the manifest, which fails unless every target exists or is declared."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "Cargo.toml is not valid TOML"
    if "workspace" in data:
        return "Cargo.toml declares a workspace (every member's manifest and targets would be needed)"
    for table in ("dependencies", "dev-dependencies", "build-dependencies"):
        for name, spec in (data.get(table) or {}).items():
            if isinstance(spec, dict) and "path" in spec:
                return f"Cargo.toml takes {name} from the local path {spec['path']}"
    if "build" in (data.get("package") or {}):
        return "Cargo.toml has a build script"
    declared = "lib" in data or bool(data.get("bin"))
    if not declared:
        return ("`cargo fetch` without the source fails: Cargo.toml declares no [lib] or [[bin]] target, "
                "so cargo looks for src/main.rs or src/lib.rs")
    return None


def gemfile_problem(text: str) -> str | None:
    for pattern, what in ((r"^\s*gemspec\b", "`gemspec` (reads the .gemspec, which may read the source)"),
                          (r"\bpath:\s*|:path\s*=>", "a `path:` gem"),
                          (r"^\s*eval_gemfile\b", "`eval_gemfile`"),
                          (r"\brequire_relative\b|\bFile\.read\b", "Ruby that reads other files")):
        if re.search(pattern, text, re.M):
            return f"Gemfile uses {what}"
    return None


def composer_problem(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return "composer.json is not valid JSON"
    for repo in data.get("repositories") or []:
        if isinstance(repo, dict) and repo.get("type") == "path":
            return f"composer.json has a path repository {repo.get('url')}"
    return None
