"""Property-based hostility: whatever text reaches ``cnncalc check``, it exits 0 or 1 within a
time bound, prints no traceback, and every diagnostic names a line and column that exist.

Inputs: every built-in spec mutated on its parsed structure (delete, duplicate, retype or rename
a key, change a number, splice a subtree from anywhere into anywhere) and on its text (delete,
duplicate, swap, re-indent or truncate lines, insert YAML punctuation), spec-shaped random
documents, arbitrary YAML documents and raw text.

The default run is quick (a few dozen examples per property). For a long search set
``CNNCALC_HYPOTHESIS_EXAMPLES``, e.g.::

    CNNCALC_HYPOTHESIS_EXAMPLES=20000 python -m pytest tests/test_properties_hostile.py
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.cli import cli
from cnncalc.errors import CODES
from cnncalc.layers import ALIASES, LAYERS
from cnncalc.library import directory
from cnncalc.spec import TOP_KEYS
from cnncalc.values import schema

EXAMPLES = int(os.environ.get("CNNCALC_HYPOTHESIS_EXAMPLES", "30"))
#: Seconds one example may take (text and JSON reports together): generous, to catch a hang.
TIME_BOUND = 5.0
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BUILTINS = {
    path.stem: path.read_text(encoding="utf-8") for path in sorted(Path(directory()).glob("*.yaml"))
}
PARSED = {name: yaml.safe_load(text) for name, text in BUILTINS.items()}
FIELDS = sorted(
    {name for cls in LAYERS.values() for name in schema(cls)}
    | {"name", "repeat", "when", "input", "inputs", "branches", "args"}
)
WORDS = sorted({*TOP_KEYS, *LAYERS, *ALIASES, *FIELDS})
#: Scalars that have tripped YAML readers and calculators before.
NASTY = [
    "yes", "on", "off", "no", "~", "null", "1:30", "0x1F", "0o17", "017", ".inf", "-.inf", ".nan",
    "2.0", "2.5", "1e3", "10**9", "10**12", "2**2**2**2**2", "(-8) ** 0.5", "0 ** -1", "1/0",
    "make_divisible(8, 0.5)", "224x224x3", "0x0x0", "same", "valid", "floor", "ceil", "exact", "<<",
    "&a", "*a", "!!python/object:os.system", "width * 4", "a if b else c",
    "-" * 40 + "1", "(" * 30 + "1" + ")" * 30, "999999999999999999999999999999999999", "",
]  # fmt: skip
PUNCTUATION = [
    "\t",
    "  ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&x ",
    "*x",
    "!!str ",
    "!foo ",
    "<<: ",
    "? ",
    "|",
    ">",
    "'",
    '"',
    "#",
    "---\n",
    "\n",
    "\x00",
    "\ufeff",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=300),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=40,
)


def dump(doc: object) -> str:
    return yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, default_flow_style=None, width=200
    )


# -- the property ----------------------------------------------------------------------------------


def _lines(file: str, text: str) -> list[str]:
    if file == "<stdin>":
        return text.splitlines()
    try:  # a diagnostic may be in a spec this one extends
        return Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def assert_sound(text: str) -> None:
    """``check`` on ``text``: exit 0 or 1, no traceback, every place it names exists."""
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", "--format", "json", "-"], input=text)
    plain = CliRunner().invoke(cli, ["check", "-"], input=text)
    elapsed = time.perf_counter() - start
    for run in (result, plain):
        assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
        assert "Traceback" not in run.output
        assert run.exit_code in (0, 1), run.output
    assert plain.exit_code == result.exit_code
    report = json.loads(result.stdout)
    assert report["exit_code"] == result.exit_code
    for d in report["specs"][0]["diagnostics"]:
        assert d["code"] in CODES
        for place in (d, *d["related"]):
            lines = _lines(place["file"], text)
            assert 1 <= place["line"] <= max(len(lines), 1), (place, len(lines))
            width = len(lines[place["line"] - 1]) if lines else 0
            assert 1 <= place["col"] <= width + 1, (place, width)
    assert elapsed < TIME_BOUND


# -- mutations of the built-in specs
# -----------------------------------------------------------------


def _places(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in ``doc``, found without recursion."""
    found: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        items = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        for key, value in items:
            found.append((node, key))
            stack.append(value)
    return found


def _mutate(draw: st.DrawFn, doc: Any) -> Any:
    places = _places(doc)
    if not places:
        return draw(documents)
    container, key = draw(st.sampled_from(places))
    value = container[key]
    operation = draw(
        st.sampled_from(
            ["delete", "duplicate", "retype", "number", "rename", "splice", "splice-other"]
        )
    )
    if operation == "delete":
        del container[key]
    elif operation == "duplicate" and isinstance(container, list):
        container.insert(key, copy.deepcopy(value))
    elif operation == "retype" or operation == "duplicate":
        container[key] = draw(documents)
    elif operation == "number":
        base = value if isinstance(value, int | float) and not isinstance(value, bool) else 7
        container[key] = draw(
            st.sampled_from(
                [0, -1, -base, base + 1, base * 1000, 10**12, 2.5, float(base), base // 2 or 1]
            )
        )
    elif operation == "rename" and isinstance(container, dict):
        new = draw(keys)
        container[new] = container.pop(key)
    else:  # splice: a subtree of this or another built-in spec, put here
        source = (
            doc
            if operation == "splice"
            else copy.deepcopy(PARSED[draw(st.sampled_from(sorted(PARSED)))])
        )
        donors = _places(source)
        if donors:
            donor, donor_key = draw(st.sampled_from(donors))
            piece = copy.deepcopy(donor[donor_key])
            if isinstance(container, list) and draw(st.booleans()):
                container.insert(key, piece)
            else:
                container[key] = piece
    return doc


@st.composite
def mutated_structure(draw: st.DrawFn) -> str:
    doc = copy.deepcopy(PARSED[draw(st.sampled_from(sorted(PARSED)))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        doc = _mutate(draw, doc)
    return dump(doc)


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    lines = BUILTINS[draw(st.sampled_from(sorted(BUILTINS)))].splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        operation = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "indent", "dedent", "insert", "truncate"]
            )
        )
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":  # a mapping line repeated is a duplicate key
            lines.insert(i, lines[i])
        elif operation == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
        elif operation == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif operation == "insert":
            at = draw(st.integers(min_value=0, max_value=len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(PUNCTUATION + NASTY)) + lines[i][at:]
        else:
            lines[i] = lines[i][: draw(st.integers(min_value=0, max_value=len(lines[i])))]
            del lines[i + 1 :]
    return "".join(lines)


# -- random documents
# ----------------------------------------------------------------------------------


def _layer_item(kind: str) -> st.SearchStrategy[object]:
    cls = LAYERS.get(ALIASES.get(kind, kind))
    fields = [*sorted(schema(cls)), "name", "repeat", "when", "input"] if cls else ["name"]
    values = st.one_of(
        st.integers(min_value=0, max_value=12),
        st.sampled_from(NASTY),
        st.lists(st.integers(min_value=0, max_value=5), max_size=4),
    )
    return st.one_of(
        st.just(kind),
        st.fixed_dictionaries({kind: st.dictionaries(st.sampled_from(fields), values, max_size=4)}),
        st.fixed_dictionaries({kind: values}),
    )


layer_items = st.sampled_from(sorted([*LAYERS, *ALIASES])).flatmap(_layer_item)
spec_like = st.fixed_dictionaries(
    {
        "input": st.one_of(
            st.sampled_from(["32x32x3", "224x224x3", "7x7x512", "1x1x10", "3x5x2"]), scalars
        ),
        "layers": st.lists(
            st.one_of(
                layer_items,
                st.fixed_dictionaries(
                    {"add": st.lists(st.lists(layer_items, max_size=3), max_size=3)}
                ),
            ),
            max_size=8,
        ),
    },
    optional={
        "rounding": st.sampled_from(["exact", "floor", "ceil", "nearest"]),
        "params": st.dictionaries(keys, scalars, max_size=3),
    },
)


@SETTINGS
@given(mutated_structure())
def test_mutated_builtins_structure(text: str) -> None:
    assert_sound(text)


@SETTINGS
@given(mutated_text())
def test_mutated_builtins_text(text: str) -> None:
    assert_sound(text)


@SETTINGS
@given(spec_like.map(dump))
def test_spec_like_documents(text: str) -> None:
    assert_sound(text)


@SETTINGS
@given(documents.map(dump))
def test_random_yaml_documents(text: str) -> None:
    assert_sound(text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from([*"{}[]:-,&*!|>'\"#?%@`~\t\n ax01.\\", *PUNCTUATION]), max_size=60
    ).map("".join)
)
def test_random_text(text: str) -> None:
    assert_sound(text)
