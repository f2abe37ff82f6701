"""Every registered layer type is documented and tested: a type (or alias) added to the registry
without a row in the generated layer tables, or without a case worked out by hand in
``tests/layers/``, fails here.

Coverage is measured, not declared. Each :class:`~tests.layers.cases.Case` of ``tests/layers/``
is analysed, and the type it covers is the class of the layer its spec actually builds; an alias
counts when a case's item is written with it. A module's cases count only if one of its tests is
parametrized over them, and every geometry code (E3xx) must have a refusal case.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import tests.layers
from cnncalc.errors import CODES
from cnncalc.layers import ALIASES, LAYERS, Layer
from tests.layers.cases import Case, Refusal

ROOT = Path(__file__).resolve().parent.parent
#: The documents holding the generated layer table (``scripts/update_docs.py``).
DOCS = ("README.md", "docs/spec-language.md")

MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"tests.layers.{info.name}")
    for info in pkgutil.iter_modules(tests.layers.__path__)
    if info.name.startswith("test_")
)


def _tested(module: ModuleType, table: str) -> bool:
    """Whether some test of ``module`` is parametrized over its ``table`` (CASES or REFUSALS)."""
    cases = getattr(module, table)
    return any(
        mark.name == "parametrize" and mark.args[1] is cases
        for name, test in vars(module).items()
        if name.startswith("test_")
        for mark in getattr(test, "pytestmark", ())
    )


CASES: tuple[Case, ...] = tuple(
    case for m in MODULES if hasattr(m, "CASES") and _tested(m, "CASES") for case in m.CASES
)
REFUSALS: tuple[Refusal, ...] = tuple(
    r for m in MODULES if hasattr(m, "REFUSALS") and _tested(m, "REFUSALS") for r in m.REFUSALS
)
#: The layer classes the cases build, found by running them.
BUILT: frozenset[type[Layer]] = frozenset(type(case.run()[0]) for case in CASES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_each_table_of_cases_is_tested(module: ModuleType) -> None:
    for table in ("CASES", "REFUSALS"):
        if hasattr(module, table):
            assert _tested(module, table), f"{module.__name__}.{table} is checked by no test"


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_layer_type_has_a_worked_case(kind: str) -> None:
    assert LAYERS[kind] in BUILT, f"no case in tests/layers/ builds a {kind!r} layer"


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_alias_is_written_in_a_case(alias: str) -> None:
    assert alias in {case.kind for case in CASES}, f"no case in tests/layers/ writes {alias!r}"


@pytest.mark.parametrize("code", sorted(c for c in CODES if c.startswith("E3")))
def test_geometry_code_has_a_refusal(code: str) -> None:
    assert code in {r.code for r in REFUSALS}, f"no refusal in tests/layers/ expects {code}"


def _rows(doc: str) -> dict[str, list[str]]:
    """The generated layer table of ``doc``: type -> its cells."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    block = text.split("<!-- layers:start -->\n", 1)[1].split("<!-- layers:end -->", 1)[0]
    rows = [re.split(r" (?<!\\)\| ", line.strip("| ")) for line in block.splitlines()[2:]]
    return {cells[0].strip("`"): cells for cells in rows}


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_layer_type_is_documented(doc: str, kind: str) -> None:
    cls = LAYERS[kind]
    # dataclass writes "Name(field, ...)" where a class has no docstring of its own
    assert cls.__doc__ is not None
    assert not cls.__doc__.startswith(f"{cls.__name__}("), f"{kind} has no docstring"
    row = _rows(doc).get(kind)
    assert row is not None, f"{doc} has no row for {kind!r}: run python scripts/update_docs.py"
    _, aliases, fields, computes, _ = row
    assert re.findall(r"`(\w+)`", aliases) == sorted(a for a, k in ALIASES.items() if k == kind)
    # every field, the main one first (the order of the table)
    names = sorted(cls.__record_fields__, key=lambda name: name != cls.primary)
    assert re.findall(r"`(\w+)", fields) == names
    assert computes


@pytest.mark.parametrize("doc", DOCS)
def test_no_row_without_a_layer_type(doc: str) -> None:
    assert set(_rows(doc)) == set(LAYERS)


def test_the_lazy_tables_name_what_the_families_register() -> None:
    """``FAMILIES`` and ``ALIAS_OF`` are written by hand so that a spec imports only the families
    it uses: they must say exactly what the modules register."""
    from cnncalc.layers import ALIAS_OF, FAMILIES, base, every_family

    every_family()
    assert {
        kind: cls.__module__.removeprefix("cnncalc.layers.") for kind, cls in base.LAYERS.items()
    } == FAMILIES
    assert base.ALIASES == ALIAS_OF


def test_a_spec_imports_only_the_families_it_uses() -> None:
    import subprocess
    import sys

    script = (
        "import sys; from cnncalc import analyze, load; analyze(load('resnet50'));"
        " print(' '.join(sorted(m for m in sys.modules if m.startswith('cnncalc.layers.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [
        f"cnncalc.layers.{family}"
        for family in ("activation", "base", "conv", "dense", "merge", "norm", "pool")
    ]
