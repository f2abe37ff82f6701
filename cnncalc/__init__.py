"""cnncalc: a CNN architecture calculator. Shapes, parameters, memory and MACs from a YAML spec,
with no deep-learning framework. See :mod:`cnncalc.api` for the library entry points."""

from cnncalc.api import Report, analyze, load, loads
from cnncalc.errors import Diagnostic, Severity, SpecError
from cnncalc.metrics import Dtype
from cnncalc.shapes import Shape

__version__ = "0.1.0"

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
