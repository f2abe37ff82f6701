"""cnncalc: a CNN architecture calculator. Shapes, parameters, memory and MACs from a YAML spec,
with no deep-learning framework. See :mod:`cnncalc.api` for the library entry points.

Importing the package is light: the names below load their modules on first use (PEP 562), so
``import cnncalc.shapes`` or the CLI's start-up does not pay for the whole engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "Report": "cnncalc.api",
    "analyze": "cnncalc.api",
    "load": "cnncalc.api",
    "loads": "cnncalc.api",
    "Diagnostic": "cnncalc.errors",
    "Severity": "cnncalc.errors",
    "SpecError": "cnncalc.errors",
    "Dtype": "cnncalc.metrics",
    "Shape": "cnncalc.shapes",
}

__all__ = [
    "Diagnostic",
    "Dtype",
    "Report",
    "Severity",
    "Shape",
    "SpecError",
    "__version__",
    "analyze",
    "load",
    "loads",
]

if TYPE_CHECKING:
    from cnncalc.api import Report, analyze, load, loads
    from cnncalc.errors import Diagnostic, Severity, SpecError
    from cnncalc.metrics import Dtype
    from cnncalc.shapes import Shape


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value
