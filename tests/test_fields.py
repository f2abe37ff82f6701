"""Field types (``cnncalc.values``): every layer field has one, found from its annotation when the
layer registers; each converts what it should, refuses the rest with a located problem of the
right code, and its JSON Schema judges the same examples the same way."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any, get_type_hints

import jsonschema
import pytest
import yaml

from cnncalc import SpecError, analyze, loads
from cnncalc import values as values_module
from cnncalc.errors import Problem
from cnncalc.jsonschema import EXPRESSION, definitions
from cnncalc.layers import LAYERS, base
from cnncalc.shapes import PadMode, Rounding
from cnncalc.source import Map, Node, parse
from cnncalc.values import (
    AXES,
    COUNT,
    FLAG,
    INDICES_OF,
    NON_NEGATIVE,
    NUMBER,
    OFFSET,
    OFFSET_AXES,
    PADDING,
    POSITIVE,
    RATIO,
    ROUNDING,
    SIDES,
    SIZE_OF,
    UPSAMPLE_MODE,
    VOLUME,
    FieldType,
    UpsampleMode,
    build,
    field_type,
    real,
    schema,
)

ALL = [v for v in vars(values_module).values() if isinstance(v, FieldType)]
SPEC_LANGUAGE = Path(__file__).parent.parent / "docs" / "spec-language.md"


def mapping(text: str) -> Map:
    root = parse("field.yaml", text)
    assert isinstance(root, Map)
    return root


def node(text: str) -> Node:
    """The located value of ``x: text``, as a spec's field value is read."""
    return mapping(f"x: {text}\n").entries["x"]


# (field type, YAML text, what it converts to)
GOOD: list[tuple[FieldType, str, Any]] = [
    (COUNT, "1", 1),
    (COUNT, "64", 64),
    (OFFSET, "0", 0),
    (OFFSET, "7", 7),
    (AXES, "3", (3, 3)),
    (AXES, "[1, 7]", (1, 7)),
    (OFFSET_AXES, "0", (0, 0)),
    (OFFSET_AXES, "[0, 1]", (0, 1)),
    (PADDING, "0", (0, 0, 0, 0)),
    (PADDING, "[1, 2]", (1, 1, 2, 2)),
    (PADDING, "[0, 1, 2, 3]", (0, 1, 2, 3)),
    (PADDING, "same", PadMode.SAME),
    (FLAG, "true", True),
    (FLAG, "false", False),
    (NUMBER, "0.01", 0.01),
    (NUMBER, "-3", -3.0),
    (RATIO, "0", 0.0),
    (RATIO, "0.5", 0.5),
    (RATIO, "0.999", 0.999),
    (POSITIVE, "1.0e-5", 1e-5),
    (POSITIVE, "2", 2.0),
    (NON_NEGATIVE, "0", 0.0),
    (NON_NEGATIVE, "0.75", 0.75),
    (ROUNDING, "floor", Rounding.FLOOR),
    (ROUNDING, "exact", Rounding.EXACT),
    (VOLUME, "[4, 4, 512]", (4, 4, 512)),
    (SIDES, "4", (4, 4, 4, 4)),
    (SIDES, "[1, 2, 3, 4]", (1, 2, 3, 4)),
    (UPSAMPLE_MODE, "bilinear", UpsampleMode.BILINEAR),
    (SIZE_OF, "skip1", "skip1"),
    (INDICES_OF, "pool1", "pool1"),
]

# (field type, YAML text, the code it is refused with, the column of ``x: text`` it points at):
# only literals a JSON Schema can judge
BAD: list[tuple[FieldType, str, str, int]] = [
    (COUNT, "0", "E104", 4),
    (COUNT, "-2", "E104", 4),
    (COUNT, "2.5", "E103", 4),
    (COUNT, "'64'", "E103", 4),
    (COUNT, "true", "E103", 4),
    (COUNT, "[3, 3]", "E103", 4),
    (OFFSET, "-1", "E104", 4),
    (OFFSET, "{a: 1}", "E103", 4),
    (AXES, "0", "E104", 4),
    (AXES, "[3, 0]", "E104", 8),
    (AXES, "[3, 3, 3, 3]", "E103", 4),  # 4 values fit no rank
    (OFFSET_AXES, "-1", "E104", 4),
    (OFFSET_AXES, "[0, -1]", "E104", 8),
    (OFFSET_AXES, "[0, 1, 2, 3]", "E103", 4),
    (PADDING, "-1", "E104", 4),
    (PADDING, "[1, 2, 3, 4, 5]", "E103", 4),
    (PADDING, "true", "E103", 4),
    (FLAG, "1", "E103", 4),
    (FLAG, "'true'", "E103", 4),
    (NUMBER, "true", "E103", 4),
    (NUMBER, "[1, 2]", "E103", 4),
    (RATIO, "1", "E104", 4),
    (RATIO, "1.5", "E104", 4),
    (RATIO, "-0.5", "E104", 4),
    (RATIO, "'0.5'", "E103", 4),
    (POSITIVE, "0", "E104", 4),
    (POSITIVE, "-1.0e-5", "E104", 4),
    (NON_NEGATIVE, "-0.1", "E104", 4),
    (ROUNDING, "nearest", "E103", 4),
    (ROUNDING, "1", "E103", 4),
    (VOLUME, "[4]", "E103", 4),
    (SIDES, "same", "E103", 4),
    (SIDES, "[1, -2]", "E104", 8),
    (VOLUME, "[4, 0, 512]", "E104", 8),
    (UPSAMPLE_MODE, "cubic", "E103", 4),
    (SIZE_OF, "3", "E103", 4),
    (INDICES_OF, "[pool1]", "E103", 4),
]


def ids(case: tuple[Any, ...]) -> str:
    return f"{case[0].name}:{case[1]}"


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_every_registered_field_resolves_to_a_field_type(kind: str) -> None:
    cls = LAYERS[kind]
    hints = get_type_hints(cls, include_extras=True)
    assert list(schema(cls)) == list(cls.__record_fields__)
    for name, spec in schema(cls).items():
        assert spec.type in ALL
        assert field_type(hints[name]) is spec.type
        assert spec.required == (name not in cls.__record_defaults__)


@pytest.mark.parametrize("case", GOOD, ids=ids)
def test_each_field_type_converts_good_values(case: tuple[FieldType, str, Any]) -> None:
    kind, text, expected = case
    found = kind.convert(node(text), {}, "'x'")
    assert found == expected
    assert type(found) is type(expected)


@pytest.mark.parametrize("case", BAD, ids=ids)
def test_each_field_type_refuses_bad_values_where_they_are(
    case: tuple[FieldType, str, str, int],
) -> None:
    kind, text, code, col = case
    with pytest.raises(Problem) as caught:
        kind.convert(node(text), {}, "'x'")
    assert caught.value.code == code
    assert caught.value.message.startswith("'x'")
    span = caught.value.span
    assert span is not None
    assert (span.file, span.line, span.col) == ("field.yaml", 1, col)


def conforms(kind: FieldType, text: str) -> bool:
    """Whether ``text`` (YAML) is valid under the field type's JSON Schema on its own, with the
    definitions it refers to."""
    alone = {"$defs": {"expression": EXPRESSION, **definitions(kind)}, **kind.ref}
    jsonschema.Draft202012Validator.check_schema(alone)
    return bool(jsonschema.Draft202012Validator(alone).is_valid(yaml.safe_load(f"x: {text}")["x"]))


@pytest.mark.parametrize(
    "case", [(k, t, True) for k, t, _ in GOOD] + [(k, t, False) for k, t, *_ in BAD], ids=ids
)
def test_the_schema_agrees_with_the_converter(case: tuple[FieldType, str, bool]) -> None:
    kind, text, accepted = case
    assert conforms(kind, text) == accepted


def test_two_field_types_of_one_name_cannot_share_the_schema() -> None:
    with pytest.raises(ValueError, match="two field types are named 'ratio'"):
        definitions(RATIO, real("ratio", at_least=0, below=2))


@pytest.mark.parametrize("kind", ALL, ids=lambda kind: kind.name)
def test_every_field_type_has_cases(kind: FieldType) -> None:
    assert any(case[0] is kind for case in GOOD)
    assert any(case[0] is kind for case in BAD)


@pytest.mark.parametrize("text", ["1.5", "rate", "q * 2", "'q * 2'", "max(q, 1.5)"])
def test_a_range_holds_however_the_value_is_written(text: str) -> None:
    with pytest.raises(Problem) as caught:
        RATIO.convert(node(text), {"rate": 1.5, "q": 0.75}, "'p'")
    assert caught.value.code == "E104"
    assert caught.value.message == "'p' must be at least 0 and less than 1, not 1.5"
    assert caught.value.hint == "use a value in [0, 1)"


def test_dropout_from_a_block_argument_is_refused_at_the_field() -> None:
    text = (
        "input: 4x4x8\n"
        "blocks:\n"
        "  head:\n"
        "    args: {rate: ~}\n"
        "    layers: [{dropout: rate}]\n"
        "layers:\n"
        "  - head: {rate: 1.5}\n"
    )
    with pytest.raises(SpecError) as caught:
        analyze(loads(text, "drop.yaml"))
    (problem,) = caught.value.diagnostics
    at = text.splitlines()[4].index("rate") + 1  # the field's value inside the block
    assert (problem.code, problem.span.line, problem.span.col) == ("E104", 5, at)
    assert "'p' must be at least 0 and less than 1, not 1.5" in problem.message


PROBE = """\
{future}
from typing import TYPE_CHECKING, Annotated

from cnncalc.layers.base import Layer, register
from cnncalc.values import Axes, Count, OffsetAxes, Ratio

if TYPE_CHECKING:
    from cnncalc.values import Offset


@register("probe")
class Probe(Layer):
    primary = "{primary}"

    {fields}
"""

FIELDS = (
    "filters: Count\n    kernel: Axes\n    stride: Axes | None = None\n"
    "    output_padding: OffsetAxes = (0, 0)\n    p: Ratio = 0.5"
)


def load(tmp_path: Path, future: bool, fields: str = FIELDS, primary: str = "filters") -> Any:
    """The layer class of a module written with ``fields``, registered into a fresh registry."""
    future_import = "from __future__ import annotations" if future else ""
    path = tmp_path / "probe_layer.py"
    path.write_text(PROBE.format(future=future_import, fields=fields, primary=primary))
    spec = importlib.util.spec_from_file_location("probe_layer", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # get_type_hints reads the module's names from here
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module.Probe


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[base.Layer]]:
    """Probe layers register here, not among the built-in types."""
    registry: dict[str, type[base.Layer]] = {}
    monkeypatch.setattr(base, "LAYERS", registry)
    return registry


@pytest.mark.parametrize("future", [True, False], ids=["future-import", "no-future-import"])
def test_a_layer_module_reads_the_same_with_or_without_the_future_import(
    tmp_path: Path, future: bool, fresh_registry: dict[str, type[base.Layer]]
) -> None:
    cls = load(tmp_path, future)
    assert fresh_registry == {"probe": cls}
    found = {name: (spec.type, spec.required) for name, spec in schema(cls).items()}
    assert found == {
        "filters": (COUNT, True),
        "kernel": (AXES, True),
        "stride": (AXES, False),
        "output_padding": (OFFSET_AXES, False),
        "p": (RATIO, False),
    }
    text = "{filters: 8, kernel: 3, output_padding: [0, 1], p: 1.5}"
    layer, problems = build(cls, mapping(text), {}, frozenset(), mapping(text))
    assert layer is None
    assert [(p.code, p.span and p.span.col) for p in problems] == [("E104", text.index("1.5") + 1)]
    text = "{filters: 8, kernel: 3, output_padding: [0, 1]}"
    layer, problems = build(cls, mapping(text), {}, frozenset(), mapping(text))
    assert problems == []
    assert [getattr(layer, name) for name in ("output_padding", "stride", "p")] == [
        (0, 1),
        None,
        0.5,
    ]


@pytest.mark.parametrize("future", [True, False], ids=["future-import", "no-future-import"])
@pytest.mark.parametrize(
    ("annotation", "text"),
    [
        ("int", "int"),
        ("float = 0.5", "float"),
        ("Annotated[int, 'a count']", None),
        ("Count | Axes", None),
        ("list[int]", None),
    ],
)
def test_a_field_without_a_field_type_fails_at_registration(
    tmp_path: Path,
    future: bool,
    annotation: str,
    text: str | None,
    fresh_registry: dict[str, type[base.Layer]],
) -> None:
    shown = re.escape(f"'{text}'") if text else ".+"
    with pytest.raises(
        TypeError, match=rf"^probe\.width: the annotation {shown} has no field type"
    ):
        load(tmp_path, future, fields=f"filters: Count\n    width: {annotation}")
    assert fresh_registry == {}


def test_a_field_type_imported_only_for_type_checking_is_named(
    tmp_path: Path, fresh_registry: dict[str, type[base.Layer]]
) -> None:
    with pytest.raises(TypeError, match=r"^probe\.start: the annotation names 'Offset', which is"):
        load(tmp_path, True, fields="filters: Count\n    start: Offset = 0")
    assert fresh_registry == {}


def test_a_primary_that_is_not_a_field_fails_at_registration(
    tmp_path: Path, fresh_registry: dict[str, type[base.Layer]]
) -> None:
    with pytest.raises(TypeError, match=r"^probe: the primary field 'filter' is not one of its"):
        load(tmp_path, True, primary="filter")
    assert fresh_registry == {}


def test_the_spec_language_lists_every_field_type() -> None:
    """Each row: the type, its doc text, the fields of built-in layers that have it."""
    lines = SPEC_LANGUAGE.read_text(encoding="utf-8").splitlines()
    missing = []
    for kind in ALL:
        names = sorted(
            {name for cls in LAYERS.values() for name, f in schema(cls).items() if f.type is kind}
        )
        used = ", ".join(f"`{name}`" for name in names) or "none yet"
        row = f"| `{kind.name}` | {kind.doc} | {used} |"
        if row not in lines:
            missing.append(row)
    assert missing == []
