"""A JSON Schema (draft 2020-12) of the spec language, for editors' completion and validation.

Generated, never written by hand: the layer types and their fields come from the registry
(:data:`cnncalc.layers.LAYERS` and :func:`cnncalc.values.schema`), each field's schema from its
:class:`~cnncalc.values.FieldType`, the item keys from ``expand.py``, so a new layer, field or
field type appears here by itself. ``cnncalc schema`` prints it.

A schema sees YAML after parsing, so it cannot tell ``64`` from ``"64"`` as cnncalc does, nor
check expressions, names or geometry: ``cnncalc check`` stays the judge; this only helps typing.
"""

from __future__ import annotations

from typing import Any

from cnncalc.expand import META_KEYS
from cnncalc.layers import ALIASES, LAYERS, Layer
from cnncalc.shapes import AXES
from cnncalc.values import NUMBER, OFFSET, ROUNDING, FieldType, schema

#: An expression: any text that is not a bare numeral (a quoted number is refused, E103).
EXPRESSION = {
    "type": "string",
    "pattern": r"^(?![\s+-]*[0-9.]+\s*$).+",
    "description": "an expression over params and block arguments, e.g. 'width * 4'",
}


_META: dict[str, dict[str, Any]] = {
    "name": {
        "type": "string",
        "minLength": 1,
        "description": "the layer's name, unique in its scope",
    },
    "repeat": {
        "anyOf": [
            OFFSET.schema,
            {
                "type": "object",
                "properties": {"times": OFFSET.schema, "as": {"type": "string"}},
                "required": ["times"],
                "additionalProperties": False,
            },
        ],
        "description": "the item this many times in sequence; {times: N, as: i} binds i = 0..N-1",
    },
    "when": {
        "anyOf": [{"type": "boolean"}, {"type": "number"}, {"$ref": "#/$defs/expression"}],
        "description": "left out when 0 or false",
    },
    "input": {
        "type": "string",
        "description": "an earlier layer to take as input instead of the previous one",
    },
    "inputs": {"$ref": "#/$defs/names"},
    "branches": {
        "type": "array",
        "items": {"$ref": "#/$defs/layers"},
        "description": "lists of layers from the merge's input; [] is the identity",
    },
}


def _summary(cls: type[Layer]) -> str:
    """The first paragraph of the layer's docstring, on one line."""
    return " ".join((cls.__doc__ or cls.kind).split("\n\n")[0].split())


def definitions(*roots: FieldType) -> dict[str, Any]:
    """The ``$defs`` entries of ``roots`` and of the field types they refer to, by name."""
    found: dict[str, FieldType] = {}
    todo = list(roots)
    while todo:
        kind = todo.pop()
        if found.setdefault(kind.name, kind) is not kind:
            raise ValueError(f"two field types are named '{kind.name}'")
        todo += [need for need in kind.needs if need.name not in found]
    return {name: dict(kind.schema) for name, kind in sorted(found.items()) if not kind.inline}


def _fields(cls: type[Layer]) -> dict[str, Any]:
    """The mapping form of one layer type: its own fields and the item keys it takes."""
    fields = schema(cls)
    merge = cls.arity is None
    meta = [k for k in META_KEYS if merge or k not in ("inputs", "branches")]
    properties = {name: spec.type.ref for name, spec in fields.items()}
    properties |= {key: _META[key] for key in meta}
    body: dict[str, Any] = {
        "type": "object",
        "description": _summary(cls),
        "properties": properties,
        "additionalProperties": False,
    }
    required = [name for name, spec in fields.items() if spec.required]
    if required:
        body["required"] = required
    return body


def _forms(kind: str, cls: type[Layer]) -> dict[str, Any]:
    """Every way to write the value of ``- kind: ...``: its fields, its main field alone, a list
    of branches for a merge, or nothing when no field is required."""
    forms: list[dict[str, Any]] = [{"$ref": f"#/$defs/layer.{cls.kind}"}]
    if cls.primary is not None:
        forms.append(schema(cls)[cls.primary].type.ref)
    if cls.arity is None:
        forms.append(_META["branches"])
    if not any(spec.required for spec in schema(cls).values()):
        forms.append({"type": "null"})
    return {
        "anyOf": forms,
        "description": _summary(cls) + ("" if kind == cls.kind else f" (alias of {cls.kind})"),
    }


def budget_schema() -> dict[str, Any]:
    """The ``budget:`` key (:mod:`cnncalc.limits`): each figure a size, or a mapping of its bound
    and how it is measured."""
    from cnncalc.counting import Counting
    from cnncalc.limits import FIGURES, MAX_BATCH, quantity_pattern
    from cnncalc.memory import Optimizer

    def size(unit: str) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {
                    "type": "string",
                    "pattern": rf"^\s*{quantity_pattern(unit)}\s*$",
                    "description": "a whole number with an optional SI suffix, e.g. 5M"
                    + (f" or 50M{unit}" if unit else ""),
                },
            ]
        }

    settings: dict[str, Any] = {
        "count": {"enum": [c.value for c in Counting]},
        "batch": {"type": "integer", "minimum": 1, "maximum": MAX_BATCH},
        "dtype": {"type": "string", "description": "float32, float16, bfloat16, int8 or mixed"},
        "optimizer": {"enum": [o.value for o in Optimizer]},
        "layer": {"type": "string", "description": "a layer or block instance's name"},
    }
    assert set(settings) >= {key for *_, extra in FIGURES.values() for key in extra}
    figures: dict[str, Any] = {}
    for figure, (label, bound, unit, extra) in FIGURES.items():
        entry = {
            "type": "object",
            "properties": {bound: size(unit), **{key: settings[key] for key in extra}},
            "required": [bound, *(["layer"] if figure == "receptive_field" else [])],
            "additionalProperties": False,
        }
        shorthand = [] if figure == "receptive_field" else [size(unit)]
        figures[figure] = {"anyOf": [*shorthand, entry], "description": f"{bound}imum {label}"}
    return {
        "type": "object",
        "properties": figures,
        "additionalProperties": False,
        "description": "figures 'cnncalc check' holds the spec to (E401 beyond a limit)",
    }


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file."""
    kinds = {**LAYERS, **{alias: LAYERS[kind] for alias, kind in ALIASES.items()}}
    named = sorted(kinds)
    item = {
        "anyOf": [
            {"enum": named, "description": "a layer type with all its defaults"},
            {"type": "string", "description": "a block defined under 'blocks'"},
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {kind: _forms(kind, kinds[kind]) for kind in named},
                "additionalProperties": {"$ref": "#/$defs/blockUse"},
            },
        ]
    }
    top: dict[str, Any] = {
        "name": {"type": "string", "description": "short name (default: the file's stem)"},
        "title": {"type": "string"},
        "source": {
            "type": "string",
            "description": "the paper and reference implementation followed",
        },
        "description": {"type": "string"},
        "extends": {
            "type": "string",
            "description": (
                "a spec (path relative to this file, or a built-in name) whose keys this one"
                " overrides"
            ),
        },
        "input": {"$ref": "#/$defs/volume"},
        "rounding": ROUNDING.ref,
        "params": {
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/value"},
            "description": "named numbers usable in expressions",
        },
        "blocks": {
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/block"},
            "description": "reusable groups of layers",
        },
        "layers": {"$ref": "#/$defs/layers"},
        "budget": budget_schema(),
    }
    block: dict[str, Any] = {
        "args": {
            "type": "object",
            "additionalProperties": {"anyOf": [{"$ref": "#/$defs/value"}, {"type": "null"}]},
            "description": "arguments; ~ = required; a default may use earlier arguments",
        },
        "let": {
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/value"},
            "description": "derived values, evaluated in order after the arguments",
        },
        "inputs": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "names of the block's inputs (default [input])",
        },
        "layers": {"$ref": "#/$defs/layers"},
        "description": {"type": "string"},
    }
    use_keys = [k for k in META_KEYS if k != "branches"]
    used = [spec.type for cls in LAYERS.values() for spec in schema(cls).values()]
    defs: dict[str, Any] = {
        "expression": EXPRESSION,
        **definitions(NUMBER, ROUNDING, *used),
        "value": {
            "anyOf": [
                {"type": "number"},
                {"type": "boolean"},
                {"$ref": "#/$defs/expression"},
                {
                    "type": "array",
                    "items": NUMBER.ref,
                    "minItems": 2,
                    "maxItems": 3,
                    "description": "one per axis: [h, w] or [d, h, w]",
                },
            ]
        },
        "volume": {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^\s*[0-9]+(\s*[xX×]\s*[0-9]+){1,3}\s*$",
                    "description": (
                        "H x W x C, e.g. 224x224x3; L x C (1-D) and D x H x W x C (3-D) too"
                    ),
                },
                *(
                    {
                        "type": "object",
                        "properties": {
                            letter: {"type": "integer", "minimum": 1} for letter in letters
                        },
                        "required": list(letters),
                        "additionalProperties": False,
                    }
                    for letters in (
                        [letter for letter, _ in axes] + ["c"] for axes in AXES.values()
                    )
                ),
            ]
        },
        "names": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "names of earlier layers",
        },
        "layers": {"type": "array", "items": {"$ref": "#/$defs/item"}},
        "item": item,
        "block": {
            "type": "object",
            "properties": block,
            "required": ["layers"],
            "additionalProperties": False,
        },
        "blockUse": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "description": "a block's arguments, and item keys",
                    "properties": {key: _META[key] for key in use_keys},
                    "additionalProperties": {"$ref": "#/$defs/value"},
                },
            ]
        },
        **{f"layer.{kind}": _fields(cls) for kind, cls in sorted(LAYERS.items())},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cnncalc spec",
        "description": (
            "A CNN for cnncalc: input volume, layers, blocks and params (docs/spec-language.md)."
        ),
        "type": "object",
        "properties": top,
        "additionalProperties": False,
        "anyOf": [{"required": ["extends"]}, {"required": ["input", "layers"]}],
        "$defs": defs,
    }
