"""Every diagnostic code is raised somewhere and documented: the table in errors.py is not a wish
list.

A code counts as raised only where a problem is built with it: the ``code`` argument (first
positional, or ``code=``) of one of :data:`CONSTRUCTORS`, or the first element of a ``(code,
message)`` note left in ``Context.notes`` (which ``infer.py`` turns into a note diagnostic). A
comparison such as ``d.code == "E301"`` or a dictionary key is not a raise.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cnncalc.errors import CODES, Diagnostic, Problem, error
from cnncalc.expand import _Expander
from cnncalc.layers import Context

ROOT = Path(__file__).resolve().parent.parent
DOCS = (
    (ROOT / "README.md").read_text()
    + (ROOT / "docs" / "robustness.md").read_text()
    + (ROOT / "docs" / "hostile-cases.md").read_text()
)

#: What builds a problem, by the name a call site uses; each takes ``code`` first.
CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "error": error,
    "Problem": Problem,
    "Diagnostic": Diagnostic,
    "report": _Expander.report,
}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _code(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and node.value in CODES else None


def raised_codes(source: str) -> set[str]:
    """The codes ``source`` builds problems with."""
    found: set[str] = set()
    for call in ast.walk(ast.parse(source)):
        if not isinstance(call, ast.Call):
            continue
        name = _name(call)
        if name in CONSTRUCTORS:
            first = call.args[0] if call.args else None
            keyword = next((k.value for k in call.keywords if k.arg == "code"), None)
            found |= {c for c in (_code(first), _code(keyword)) if c}
        elif (
            name == "append"
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "notes"
            and call.args
            and isinstance(note := call.args[0], ast.Tuple)
            and (code := _code(note.elts[0]))
        ):
            found.add(code)
    return found


RAISED = set().union(*(raised_codes(p.read_text()) for p in (ROOT / "cnncalc").rglob("*.py")))


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_each_constructor_takes_the_code_first(name: str) -> None:
    parameters = [p for p in inspect.signature(CONSTRUCTORS[name]).parameters if p != "self"]
    assert parameters[0] == "code"


def test_notes_are_code_and_message() -> None:
    assert Context.__annotations__["notes"] == "list[tuple[str, str]]"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('raise Problem("E303", "groups")', {"E303"}),
        ('error("E101", "unknown key", span)', {"E101"}),
        ('Diagnostic(code="E201", severity=s, message=m, span=p)', {"E201"}),
        ('self.report("E203", "duplicate", node, scope)', {"E203"}),
        ('ctx.notes.append(("N301", "rounded"))', {"N301"}),
        ('any(d.code == "E301" for d in diagnostics)', set()),
        ('problems.setdefault(("E007", 0, 0, "gave up"), first)', set()),
        ('print("E302")', set()),
        ('Problem(code, "E304 in the message")', set()),
    ],
)
def test_only_construction_counts(source: str, expected: set[str]) -> None:
    assert raised_codes(source) == expected


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_is_raised_and_documented(code: str) -> None:
    assert code in RAISED, f"{code} is in CODES but nothing raises it"
    assert code in DOCS, f"{code} is not documented"
