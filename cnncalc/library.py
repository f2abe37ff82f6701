"""The built-in architectures: YAML specs shipped with the package.

In a source checkout they live in the top-level ``architectures/``; the wheel places that same
folder inside the package (``pyproject.toml``), so there is one copy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cnncalc.source import path_kind

_HERE = Path(__file__).resolve().parent


@cache
def directory() -> Path:
    """Where the built-in specs are: inside the installed package, else the checkout's folder."""
    packaged = _HERE / "architectures"
    return packaged if packaged.is_dir() else _HERE.parent / "architectures"


def builtin_names() -> list[str]:
    """Names of the built-in architectures, sorted."""
    return sorted(p.stem for p in directory().glob("*.yaml"))


def builtin_path(name: str) -> Path | None:
    """The spec file of built-in ``name`` (case-insensitive, ``-`` and ``_`` alike), if any."""
    wanted = name.lower().replace("-", "_")
    path = directory() / f"{wanted}.yaml"
    return path if path_kind(path) == "file" else None
