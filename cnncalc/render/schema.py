"""The document of ``cnncalc schema``: the spec language's JSON Schema (draft 2020-12), generated
from the layer registry by :mod:`cnncalc.jsonschema`."""

from __future__ import annotations

import json

from cnncalc.jsonschema import spec_schema


def schema_json() -> str:
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False)
