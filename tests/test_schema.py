"""``cnncalc schema``: a valid draft 2020-12 JSON Schema, in step with the layer registry, that
accepts every built-in spec and rejects misspelt keys; the copy in docs/ is its current output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.expand import META_KEYS
from cnncalc.jsonschema import spec_schema
from cnncalc.layers import ALIASES, LAYERS
from cnncalc.library import directory
from cnncalc.spec import BLOCK_KEYS, TOP_KEYS
from cnncalc.values import schema

COPY = Path(__file__).parent.parent / "docs" / "spec.schema.json"
SCHEMA = spec_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def valid(text: str) -> bool:
    return bool(VALIDATOR.is_valid(yaml.safe_load(text)))


def test_is_a_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_command_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


def test_the_copy_in_docs_is_current() -> None:
    """Regenerate with: python -m cnncalc schema > docs/spec.schema.json"""
    assert json.loads(COPY.read_text(encoding="utf-8")) == SCHEMA


def test_every_layer_type_and_alias_is_offered() -> None:
    item = SCHEMA["$defs"]["item"]["anyOf"]
    assert set(item[0]["enum"]) == {*LAYERS, *ALIASES}
    assert set(item[2]["properties"]) == {*LAYERS, *ALIASES}


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_each_layer_has_its_fields(kind: str) -> None:
    cls = LAYERS[kind]
    body: dict[str, Any] = SCHEMA["$defs"][f"layer.{kind}"]
    merge_only = set() if cls.arity is None else {"inputs", "branches"}
    assert set(body["properties"]) == set(schema(cls)) | (set(META_KEYS) - merge_only)
    assert set(body.get("required", [])) == {
        name for name, spec in schema(cls).items() if spec.required
    }


def test_top_and_block_keys_are_the_spec_readers() -> None:
    assert list(SCHEMA["properties"]) == list(TOP_KEYS)
    assert list(SCHEMA["$defs"]["block"]["properties"]) == list(BLOCK_KEYS)


@pytest.mark.parametrize("path", sorted(Path(directory()).glob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_is_valid(path: Path) -> None:
    errors = [
        e.message for e in VALIDATOR.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))
    ]
    assert errors == []


@pytest.mark.parametrize(
    "text",
    [
        "input: 32x32x3\nlayer: [relu]\n",  # misspelt top-level key
        "input: 32x32x3\nlayers:\n  - conv: {filter: 8, kernel: 3}\n",  # misspelt field
        "input: 32x32x3\nlayers:\n  - conv: {kernel: 3}\n",  # required field missing
        "input: 32 by 32\nlayers: [relu]\n",  # not a volume
        "input: 32x32x3\nlayers:\n  - conv: {filters: 8, kernel: 3, pad: -1}\n",
        # no rank has 4 axes
        "input: 32x32x3\nlayers:\n  - conv: {filters: 8, kernel: [3, 3, 3, 3]}\n",
        "input: 32x32x3\nlayers:\n  - conv: {filters: '64', kernel: 3}\n",  # a quoted number
        "input: 32x32x3\nrounding: nearest\nlayers: [relu]\n",
        "input: 32x32x3\nlayers:\n  - dropout: 1\n",  # a ratio is below 1
        "input: 32x32x3\nlayers:\n  - dropout: {p: -0.5}\n",
        "input: 32x32x3\nlayers:\n  - bn: {eps: 0}\n",  # positive
        "input: 32x32x3\nlayers:\n  - lrn: {alpha: -1.0e-4}\n",  # non-negative
        "layers: [relu]\n",  # no input and nothing extended
    ],
)
def test_mistakes_are_invalid(text: str) -> None:
    assert not valid(text)


@pytest.mark.parametrize(
    "text",
    [
        "extends: vgg16\ninput: 320x320x3\n",
        (
            "input: {h: 8, w: 8, c: 3}\nblocks:\n  unit:\n    args: {width: ~}\n    layers: [{conv:"
            " {filters: width * 2, kernel: 1}}]\nlayers:\n  - unit: {width: 4, repeat: 2}\n"
        ),
        "input: 8x8x3\nlayers:\n  - relu\n  - relu: ~\n  - fc: 10\n  - add: [[relu], []]\n",
        "input: 8x8x3\nlayers:\n  - dropout: 0\n  - lrn: {alpha: 0, beta: 0}\n  - leaky_relu: -2\n",
        "input: 1x1x8192\nlayers:\n  - reshape: [4, 4, 512]\n",
        "input: 1x4x4x512\nlayers:\n  - reshape: {shape: [1, 1, 1, 8192], name: view}\n",
    ],
)
def test_the_language_is_valid(text: str) -> None:
    assert valid(text)


def test_each_field_type_is_defined_as_itself() -> None:
    """No other definition takes a field type's name (the input's volume once took reshape's)."""
    used = {spec.type for cls in LAYERS.values() for spec in schema(cls).values()}
    defs = SCHEMA["$defs"]
    assert {t.name: defs.get(t.name) for t in used if not t.inline} == {
        t.name: dict(t.schema) for t in used if not t.inline
    }
