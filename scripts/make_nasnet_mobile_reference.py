"""Reference figures for NASNet-A Mobile, which neither torchvision nor timm provides.

A developer tool like ``make_torch_reference.py`` (whose recorder it reuses): it builds Cadene's
``NASNetAMobile(num_classes=1000)`` from the ``pretrainedmodels`` package (random weights, nothing
downloaded), runs one 224x224 forward pass and writes ``tests/reference/nasnet_mobile_cadene.json``:
the totals and every Conv2d and Linear call in execution order as ``[name, out_shape [H, W, C] or
[C], weights, biases, macs]``.

Only ``pretrainedmodels/models/nasnet_mobile.py`` is loaded (the package's ``__init__`` imports
dataset helpers with more dependencies). Run from the repository root with the reference venv::

    /work/torchref/venv/bin/python -m pip install --no-deps --target /tmp/pm pretrainedmodels==0.7.4
    /work/torchref/venv/bin/python scripts/make_nasnet_mobile_reference.py /tmp/pm
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import make_torch_reference as mtr  # the sibling script, found through the line above

OUT = Path(__file__).parent.parent / "tests" / "reference" / "nasnet_mobile_cadene.json"


def main(site: str) -> int:
    path = Path(site) / "pretrainedmodels" / "models" / "nasnet_mobile.py"
    spec = importlib.util.spec_from_file_location("nasnet_mobile", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class CadeneSpec(mtr.ModelSpec):
        def ctor(self) -> str:
            return "pretrainedmodels.models.nasnet_mobile.NASNetAMobile(num_classes=1000)"

        def build(self) -> Any:
            return module.NASNetAMobile(num_classes=1000)

    mtr._meta = lambda _spec, _model: ({"package": "pretrainedmodels 0.7.4"}, 224)
    entry = mtr.run_model(CadeneSpec("cadene:nasnetamobile", "cadene", "nasnetamobile"))
    weighted = [
        [r[0], r[2], r[3], r[4], r[5]] for r in entry["layers"] if r[1] in ("Conv2d", "Linear")
    ]
    keep = {k: entry[k] for k in ("ctor", "input", "output", "total_params", "buffers", "macs")}
    lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in keep.items()]
    lines.append('"layers": [\n' + ",\n".join(json.dumps(row) for row in weighted) + "\n]")
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(
        f"wrote {OUT}: {entry['total_params']:,} params, {entry['macs']:,} MACs, {len(weighted)}"
        " conv/fc calls"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pm"))
