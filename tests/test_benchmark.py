"""The benchmark harness's own arithmetic and inputs (benchmarks/run.py), which the suite never
runs as a benchmark: pairing, ratios, medians and quartiles, verdicts, the first problem of a
refusal, the tables, and the generated networks' layer counts."""

from __future__ import annotations

from typing import Any

import pytest

from cnncalc.api import analyze, loads
from cnncalc.importers import Format
from tests.helpers import benchmark_module

run: Any = benchmark_module()


def sample(seconds: float) -> Any:
    """A run whose CPU time is ``seconds``, its wall time twice that, its RSS a thousand times."""
    return run.Sample(wall=2 * seconds, cpu=seconds, rss=1000 * seconds)


def test_ratios_pair_runs_by_position() -> None:
    case = [sample(2), sample(9), sample(4)]
    reference = [sample(1), sample(3), sample(8)]
    assert run.pair_ratios(case, reference, run.cpu) == [2.0, 3.0, 0.5]


def test_ratios_need_a_partner_for_every_run() -> None:
    with pytest.raises(ValueError, match="shorter"):
        run.pair_ratios([sample(1), sample(2)], [sample(1)], run.cpu)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5.0, 1.0, 4.0, 2.0, 3.0], (3.0, 2.0, 4.0, 1.0, 5.0)),
        ([1.0, 2.0, 3.0, 10.0], (2.5, 1.75, 4.75, 1.0, 10.0)),
        ([7.0], (7.0, 7.0, 7.0, 7.0, 7.0)),
    ],
    ids=["odd", "even: quartiles between order statistics", "one value"],
)
def test_spread(values: list[float], expected: tuple[float, ...]) -> None:
    spread = run.Spread.of(values)
    assert (spread.median, spread.q1, spread.q3, spread.low, spread.high) == expected


def test_spread_of_nothing() -> None:
    with pytest.raises(ValueError, match="no values"):
        run.Spread.of([])


@pytest.mark.parametrize(
    ("median", "limit", "result"),
    [
        (1.15, run.Limit(1.15, "x"), "PASS"),
        (1.151, run.Limit(1.15, "x"), "FAIL"),
        (30.0, run.Limit(30, "x", upper=False), "PASS"),
        (29.9, run.Limit(30, "x", upper=False), "FAIL"),
        (99.0, None, "-"),
    ],
    ids=["at the upper limit", "over it", "at the lower limit", "under it", "information"],
)
def test_verdict_result(median: float, limit: Any, result: str) -> None:
    spread = run.Spread.of([median])
    assert run.Verdict("1", "m", spread, "x", limit).result == result


def test_unmeasured_target_fails_and_information_does_not() -> None:
    assert run.Verdict("2", "m", None, "x", run.Limit(3, "x"), "not implemented").result == "FAIL"
    assert run.Verdict("5", "m", None, "x", note="not importable").result == "-"


def test_compare_gives_one_verdict_per_figure() -> None:
    pairing = run.Pairing("k", run.Case("a", ("a",)), run.Case("b", ("b",)), 2)
    measured = run.Measured(pairing, [sample(3), sample(4)], [sample(2), sample(2)])
    cpu, wall = run.compare("1", "a / b", measured, {"CPU": run.Limit(1.5, "x"), "wall": None})
    assert (cpu.measure, cpu.figure.median, cpu.result) == ("a / b, CPU", 1.75, "FAIL")
    assert (wall.measure, wall.figure.median, wall.result) == ("a / b, wall", 1.75, "-")


def test_a_refusal_fails_each_limited_figure_with_its_reason() -> None:
    pairing = run.Pairing("k", run.Case("a", ("a",)), run.Case("b", ("b",)), 2)
    measured = run.Measured(pairing, refused="x.cfg:1:1: E007 too many")
    limited = {"CPU": run.Limit(12, "x"), "wall": None}
    (verdict,) = run.compare("3", "a / b", measured, limited)
    assert (verdict.result, verdict.note) == ("FAIL", "refused: x.cfg:1:1: E007 too many")


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (
            "x.yaml:3:5: E007 [error] the spec expands to more than 50,000 layers\n  |\n3 | - a\n",
            "x.yaml:3:5: E007 [error] the spec expands to more than 50,000 layers",
        ),
        (
            "Usage: cnncalc check [OPTIONS] PATH...\n\nError: No such option: --jobs\n",
            "Error: No such option: --jobs",
        ),
        ("", "no message"),
    ],
    ids=["a diagnostic", "a usage error", "silence"],
)
def test_first_problem(stderr: str, expected: str) -> None:
    assert run.first_problem(stderr) == expected


def test_tables() -> None:
    rows = [["show", "1.20x"], ["check", "7.00x"]]
    assert run.table(["case", "ratio"], rows, markdown=True) == (
        "| case | ratio |\n|---|---|\n| show | 1.20x |\n| check | 7.00x |"
    )
    assert run.table(["case", "ratio"], rows, markdown=False) == (
        "case   ratio\nshow   1.20x\ncheck  7.00x"
    )


@pytest.mark.parametrize(
    ("family", "fmt", "layers"),
    [
        ("seq", None, 300),
        ("branched", None, 300),
        ("caffe", Format.CAFFE, 300),
        ("darknet", Format.DARKNET, 301),  # a plain convolution first, for the first shortcut
    ],
)
def test_generated_networks_have_their_layers(family: str, fmt: Any, layers: int) -> None:
    make, _ = run.FAMILIES[family]
    report = analyze(loads(make(300), f"net.{family}", fmt))
    assert report.ok, report.diagnostics
    assert len(report.layers) == layers


def test_diff_partner_changes_the_input_only() -> None:
    text = run.sequential_spec(100)
    partner = run.diff_partner(text)
    assert partner.replace("input: 9x9x16", "input: 8x8x16") == text
    assert partner != text
