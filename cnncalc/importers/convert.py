"""An imported spec written as cnncalc YAML: ``cnncalc convert FILE``.

The layers are written one item a line in flow style (``- conv: {name: conv1, filters: 96, kernel:
11, stride: 4}``), the names the file gave kept, and ``input`` written only where a layer does not
take the one above it, so the YAML reads like a hand-written spec. The normal loader reads it back
to the very same graph: the round trip is tested for every sample file.
"""

from __future__ import annotations

import json
import re

from cnncalc.source import Map, Node, Seq
from cnncalc.spec import Spec

#: Plain YAML scalars that need no quotes: a letter first, then letters, digits and ``_./-``.
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
#: Words YAML 1.1 would read as booleans or null.
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _text(value: str) -> str:
    """A string as YAML: plain when safe, else double-quoted (JSON's escaping is YAML's)."""
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)


def _value(node: Node) -> str:
    if isinstance(node, Seq):
        return "[" + ", ".join(_value(item) for item in node.items) + "]"
    if isinstance(node, Map):
        return "{" + ", ".join(f"{_text(k)}: {_value(v)}" for k, v in node.entries.items()) + "}"
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


def _item(node: Node) -> str:
    """One layer item: ``- kind: {fields}``, or ``- kind`` alone."""
    assert isinstance(node, Map)
    assert len(node.entries) == 1
    ((kind, body),) = node.entries.items()
    if isinstance(body, Map) and body.entries:
        return f"  - {kind}: {_value(body)}\n"
    return f"  - {kind}\n"


def to_yaml(spec: Spec) -> str:
    """The cnncalc YAML of ``spec`` (an imported one: no params or blocks)."""
    head = [
        f"# Converted by cnncalc from {spec.file}",
        f"name: {_text(spec.name)}",
    ]
    for key, text in (
        ("title", spec.title),
        ("source", spec.source),
        ("description", spec.description),
    ):
        if text:
            head.append(f"{key}: {json.dumps(text)}")
    head.append(f"input: {spec.input}")
    head.append(f"rounding: {spec.rounding.value}")
    head.append("layers:")
    return "\n".join(head) + "\n" + "".join(_item(item) for item in spec.layers.items)
