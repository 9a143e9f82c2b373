"""JVM build facts: where `jar`, Maven and Gradle write jars, and which JRE runs them.

Maven and Gradle name their jars from the build files (finalName, version, project name),
which are not always literal; the jar a CMD runs (`java -jar target/app.jar`) is known
from the CMD, so a build only has to say which directory it writes jars into.
"""

from __future__ import annotations

import re

from refactor.facts import images
from refactor.facts.gobuild import ContextReader, EnvLookup, Outputs
from refactor.text.shell import Command

# Maven phases and Gradle tasks that leave a jar in target/ or build/libs/.
MAVEN_PHASES = frozenset({"package", "verify", "install", "deploy", "spring-boot:repackage"})
GRADLE_TASKS = frozenset({"build", "assemble", "jar", "bootJar", "shadowJar"})
_JAR_FILE_OPTIONS = ("--file", "-f")


def jvm_outputs(command: Command, env: EnvLookup, read: ContextReader) -> Outputs:
    """`jar` writes its --file; `mvn package` jars go to target/, `gradle build` ones to build/libs/."""
    program = command.program()
    args = [w.value for w in command.words[1:]]
    if any(not w.literal for w in command.words[1:]) and program == "jar":
        return Outputs(problem="jar arguments use variables")
    if program == "jar":
        return _jar_output(args)
    if program in ("mvn", "mvnw"):
        if any(a in ("-f", "--file", "-pl", "--projects") or a.startswith(("-f=", "--file=")) for a in args):
            return Outputs(problem="mvn -f/-pl builds another module: where its jar goes is not known")
        return Outputs(directories=("target",)) if MAVEN_PHASES & set(args) else Outputs()
    if program in ("gradle", "gradlew"):
        if any(a in ("-p", "--project-dir", "-b", "--build-file") for a in args):
            return Outputs(problem="gradle -p/-b builds another project: where its jar goes is not known")
        tasks = {a.rsplit(":", 1)[-1] for a in args if not a.startswith("-")}
        if any(":" in a for a in args if not a.startswith("-") and a.count(":") > 1):
            return Outputs(problem="gradle runs a task of a subproject: where its jar goes is not known")
        return Outputs(directories=("build/libs",)) if GRADLE_TASKS & tasks else Outputs()
    return Outputs()  # javac: classes, packaged by a later jar


def _jar_output(args: list[str]) -> Outputs:
    """`jar --create --file app.jar ...`, `jar -cf app.jar ...` or the old `jar cvfe app.jar Main ...`."""
    for index, arg in enumerate(args):
        for option in _JAR_FILE_OPTIONS:
            if arg.startswith(option + "="):
                return Outputs((arg.split("=", 1)[1],))
        if arg in _JAR_FILE_OPTIONS and index + 1 < len(args):
            return Outputs((args[index + 1],))
    if args and re.fullmatch(r"-?[cuvfemM0Pn]+", args[0]) and "f" in args[0] and args[0].lstrip("-")[0] in "cu":
        letters = args[0].lstrip("-")
        operands = args[1:]
        # the f, m and e letters take operands in the order they appear
        takes = [letter for letter in letters if letter in "fme"]
        if "f" in takes and len(operands) > takes.index("f"):
            return Outputs((operands[takes.index("f")],))
    if (args and args[0] in ("--create", "-c")) or (args and args[0].startswith("-c")):
        return Outputs(problem="jar writes to standard output without --file")
    return Outputs()


_TEMURIN_RE = re.compile(r"^(?P<version>\d+(?:\.[\d._+]+)?)(?:-(?P<kind>jdk|jre))?(?P<suffix>(?:-[a-z0-9.]+)*)$")
_MAVEN_RE = re.compile(r"-(?:eclipse-)?temurin-(?P<major>\d+)(?P<suffix>-alpine|-jammy|-focal|-noble)?$")
_GRADLE_RE = re.compile(r"-jdk(?P<major>\d+)(?P<suffix>-alpine|-jammy|-focal|-noble)?$")


def jre_image(builder: str) -> str | None:
    """The JRE image of the same Java major (and OS variant) as a JDK builder image."""
    ref = images.parse(builder.lower())
    if not ref.official:
        return None
    repository, tag = ref.name, ref.tag or images.DEFAULT_TAG
    if repository == "eclipse-temurin":
        match = _TEMURIN_RE.match(tag)
        if not match or match.group("kind") == "jre":
            return None
        major = match.group("version").split(".", 1)[0]
        version = match.group("version") if "." in match.group("version") else major
        return f"eclipse-temurin:{version}-jre{match.group('suffix')}"
    if repository in ("maven", "gradle"):
        match = (_MAVEN_RE if repository == "maven" else _GRADLE_RE).search(tag)
        if not match:
            return None
        return f"eclipse-temurin:{match.group('major')}-jre{match.group('suffix') or ''}"
    if repository == "openjdk":
        major = re.match(r"^(\d+)", tag)
        return f"eclipse-temurin:{major.group(1)}-jre" if major else None
    return None
