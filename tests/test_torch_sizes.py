"""Every built-in against PyTorch at input sizes other than its own: figures recorded from the
same torchvision/timm models by ``scripts/make_torch_reference.py --sizes`` in
``tests/reference/torch_sizes.json``. No torch needed to run this test.

Per model the reference holds at least five accepted sizes besides the model's own (odd and, with
two or more spatial axes, non-square among them), the smallest square side the model accepts (for
a sequence, a clip or a volume: per axis, a side it accepts whose predecessor it refuses), and
sizes just below that its forward pass refuses. At an accepted size, total parameters, BN buffers
and MACs must equal PyTorch's to the unit, and so must every conv and fc layer's output volume,
weights and biases and every norm layer's output volume (as multisets, so branch order in a spec
is free). At a refused size cnncalc must report a geometry error (E3xx) as well.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cnncalc import Severity, analyze, load
from cnncalc.api import Report
from cnncalc.shapes import Shape
from tests.test_torch_reference import (
    ALIASES,
    compared,
    final_matches,
    norms_ours,
    weighted_ours,
)

SIZES = Path(__file__).parent / "reference" / "torch_sizes.json"
#: Accepted sizes each built-in needs besides its own.
MIN_OTHER_SIZES = 5


@cache
def sizes() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SIZES.read_text())
    return data


def _entry(name: str) -> dict[str, Any]:
    entry: dict[str, Any] = sizes()[ALIASES.get(name, name)]
    return entry


def _spatial(size: str) -> tuple[int, ...]:
    """A recorded size's spatial sizes: ``"HxW"``, ``"L"`` or ``"DxHxW"``."""
    return tuple(int(n) for n in size.split("x"))


def _cases(refused: bool) -> list[Any]:
    return [
        (name, size)
        for name in compared()
        for size, record in _entry(name)["sizes"].items()
        if ("refused" in record) == refused
    ]


def _analyze(name: str, size: str) -> Report:
    spec = load(name)
    return analyze(spec, input=Shape(*_spatial(size), spec.input.c))


@pytest.mark.parametrize("name", compared())
def test_reference_covers_other_sizes(name: str) -> None:
    entry = _entry(name)
    own = load(name).input.spatial
    assert entry["own"] == list(own)
    others = [
        _spatial(size)
        for size, record in entry["sizes"].items()
        if "refused" not in record and _spatial(size) != own
    ]
    assert len(others) >= MIN_OTHER_SIZES
    if len(own) > 1:
        assert any(len(set(size)) > 1 for size in others), "a non-square size"
    assert any(n % 2 for size in others for n in size), "an odd size"


@pytest.mark.parametrize(("name", "size"), _cases(refused=False))
def test_matches_pytorch_at_size(name: str, size: str) -> None:
    ref = _entry(name)["sizes"][size]
    report = _analyze(name, size)
    assert [d.message for d in report.diagnostics if d.severity is Severity.ERROR] == []
    t = report.totals
    assert (t.params, t.buffers, t.macs) == (ref["total_params"], ref["buffers"], ref["macs"])
    n = report.input.rank + 1  # a recorded row starts with its volume: n sizes, channels last
    assert weighted_ours(report) == Counter(
        {(tuple(row[:n]), row[n], row[n + 1]): row[n + 2] for row in ref["weighted"]}
    )
    assert norms_ours(report) == Counter({tuple(row[:n]): row[n] for row in ref["norms"]})
    assert final_matches(report, ref["output"])


@pytest.mark.parametrize(("name", "size"), _cases(refused=True))
def test_refuses_what_pytorch_refuses(name: str, size: str) -> None:
    report = _analyze(name, size)
    errors = [d.code for d in report.diagnostics if d.severity is Severity.ERROR]
    assert errors, f"PyTorch refuses {size}: {_entry(name)['sizes'][size]['refused']}"
    assert all(code.startswith("E3") for code in errors)
