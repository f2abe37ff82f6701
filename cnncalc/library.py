"""The built-in architectures: YAML specs shipped with the package.

In a source checkout they live in the top-level ``architectures/``; the wheel places that same
folder inside the package (``pyproject.toml``), so there is one copy.
"""

from __future__ import annotations

import os
from functools import cache

from cnncalc.source import path_kind

_HERE = os.path.dirname(os.path.realpath(__file__))


@cache
def directory() -> str:
    """Where the built-in specs are: inside the installed package, else the checkout's folder."""
    packaged = os.path.join(_HERE, "architectures")
    return (
        packaged
        if os.path.isdir(packaged)
        else os.path.join(os.path.dirname(_HERE), "architectures")
    )


def builtin_names() -> list[str]:
    """Names of the built-in architectures, sorted."""
    return sorted(
        name.removesuffix(".yaml")
        for name in os.listdir(directory())
        if name.endswith(".yaml") and not name.startswith(".")  # as glob's '*.yaml'
    )


def builtin_path(name: str) -> str | None:
    """The spec file of built-in ``name`` (case-insensitive, ``-`` and ``_`` alike), if any."""
    wanted = name.lower().replace("-", "_")
    path = os.path.join(directory(), f"{wanted}.yaml")
    return path if path_kind(path) == "file" else None
