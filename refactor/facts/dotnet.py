""".NET build facts: where `dotnet publish -o DIR` writes, and which runtime image runs it.

A published app is a directory (the app's dll beside its dependencies and runtimeconfig),
so the runtime stage copies the whole publish directory. It runs on the aspnet image of
the SDK's version, which holds the .NET runtime and ASP.NET Core, so web and console apps
both run (a console app could use the smaller runtime image; the project file is not read).
"""

from __future__ import annotations

import re

from refactor.facts.gobuild import ContextReader, EnvLookup, Outputs
from refactor.text.shell import Command

_OUTPUT_OPTIONS = ("-o", "--output")


def dotnet_outputs(command: Command, env: EnvLookup, read: ContextReader) -> Outputs:
    """`dotnet publish ... -o DIR` writes the app into DIR; without -o the path depends on the TFM."""
    words = command.words[1:]
    values = [w.value for w in words]
    if not values or values[0] != "publish":
        return Outputs()
    if any(not w.literal for w in words):
        return Outputs(problem="dotnet publish arguments use variables")
    for index, value in enumerate(values):
        for option in _OUTPUT_OPTIONS:
            if value.startswith(option + "=") or value.startswith(option + ":"):
                return Outputs(directories=(value[len(option) + 1:],))
            if value == option and index + 1 < len(values):
                return Outputs(directories=(values[index + 1],))
    return Outputs(problem="dotnet publish without -o writes into bin/<configuration>/<framework>/publish")


def runtime_image(builder: str) -> str | None:
    """`mcr.microsoft.com/dotnet/sdk:8.0[-variant]` -> `mcr.microsoft.com/dotnet/aspnet:8.0[-variant]`."""
    reference = builder.split("@", 1)[0].lower()
    prefix = "mcr.microsoft.com/dotnet/sdk:"
    if not reference.startswith(prefix):
        return None
    tag = reference[len(prefix):]
    if not re.match(r"^\d+\.\d+", tag):
        return None
    return f"mcr.microsoft.com/dotnet/aspnet:{tag}"
