"""Bounded cost (issue 10, section 4): every bound is proved by counting operations or sizes, never
by timing, so these tests cannot flake.

- expressions: evaluation steps counted against a per-spec budget, magnitudes checked before a
  power or ``round`` is computed, ASCII digits and names only;
- adaptive pooling: reads and windows in closed form, equal to the loop over output positions;
- ``extends``: each param of a chain evaluated once, not once per level;
- ``diff``: alignment makes a number of calls linear in the rows, B-only rows placed as before,
  and the JSON a line per pair;
- ``pad``: the default bound obeys the same cap as ``--max-pad``.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cnncalc.expand
import cnncalc.values
from cnncalc import arithmetic
from cnncalc.api import analyze, load, loads
from cnncalc.cli import cli
from cnncalc.diff import GAP_CELLS, Aligned, Match, align, diff
from cnncalc.errors import Problem, SpecError
from cnncalc.expand import STEPS_PER_LAYER, expand
from cnncalc.expr import MAX_DIGITS, MAX_LENGTH, MAX_MAGNITUDE, Budget, budget, evaluate
from cnncalc.grouping import Row
from cnncalc.layers.pool import AdaptiveAvgPool, _adaptive_reads, _adaptive_window
from cnncalc.library import builtin_names
from cnncalc.render.diff import diff_dict, diff_json
from cnncalc.shapes import Shape
from cnncalc.spec import with_params
from tests.test_performance_guards import calls

HOSTILE = Path(__file__).parent / "hostile"


# -- expressions: ASCII only ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("৪", "U+09EA BENGALI DIGIT FOUR"),
        ("٣ * 2", "U+0663 ARABIC-INDIC DIGIT THREE"),
        ("１6", "U+FF11 FULLWIDTH DIGIT ONE"),
        ("2²", "U+00B2 SUPERSCRIPT TWO"),
        ("2\u00a0* 8", "U+00A0 NO-BREAK SPACE"),
        ("wídth", "U+00ED LATIN SMALL LETTER I WITH ACUTE"),
    ],
)
def test_only_ascii_digits_and_names(text: str, named: str) -> None:
    with pytest.raises(Problem, match=re.escape(named)) as caught:
        evaluate(text, {"w": 1})
    assert caught.value.code == "E106"
    assert "ASCII" in (caught.value.hint or "")


def test_ascii_digits_and_names_still_evaluate() -> None:
    assert evaluate("width_2 * 16 + 0.5", {"width_2": 4}) == 64.5


# -- expressions: magnitudes checked before computing ----------------------------------------


@pytest.mark.parametrize("ndigits", [-100_000_000, -(MAX_DIGITS + 1), MAX_DIGITS + 1])
def test_round_digits_are_bounded(ndigits: int) -> None:
    with pytest.raises(Problem, match=r"round\(\) takes from") as caught:
        evaluate(f"round(5, {ndigits})", {})
    assert caught.value.code == "E007"


def test_round_within_the_digits_is_pythons() -> None:
    assert evaluate(f"round(123456, {-3})", {}) == 123_000
    assert evaluate(f"round(2.675, {MAX_DIGITS})", {}) == round(2.675, MAX_DIGITS)
    assert evaluate(f"round(5 * 10 ** 14, {-MAX_DIGITS})", {}) == 0


@given(st.integers(-40, 40), st.integers(0, 80))
def test_a_power_is_refused_exactly_when_it_passes_the_magnitude(base: int, exponent: int) -> None:
    """No false refusal below the cap (2 ** 49 is fine), and what passes it is never computed
    (the refusal happens before Python's ``**``: ``2 ** 10**9`` would take seconds)."""
    exact = base**exponent
    text = f"({base}) ** {exponent}"
    if abs(exact) > MAX_MAGNITUDE:
        with pytest.raises(Problem, match=r"power too large|value exceeds") as caught:
            evaluate(text, {})
        assert caught.value.code == "E007"
    else:
        assert evaluate(text, {}) == exact


# -- expressions: evaluation steps -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nodes"),
    [("7", 1), ("x + 1", 3), ("-x", 2), ("min(x, x, x)", 4), ("2 if x else 3", 4)],
)
def test_an_evaluation_is_charged_its_tree_size(text: str, nodes: int) -> None:
    with budget(100) as steps:
        evaluate(text, {"x": 1})
        evaluate(text, {"x": 1})
    assert steps.used == 2 * nodes


def test_a_budget_refuses_past_its_limit() -> None:
    with budget(9) as steps:
        for _ in range(3):
            evaluate("x + 1", {"x": 1})  # 3 steps each: 9, the limit
        assert not steps.exhausted
        with pytest.raises(Problem, match="more than 9 evaluation steps") as caught:
            evaluate("x + 1", {"x": 1})
    assert caught.value.code == "E007"
    assert steps.exhausted


def _uses(argument: str, count: int) -> str:
    """A block used ``count`` times, its argument evaluated at each use."""
    return (
        "input: 8x8x3\nblocks:\n  b:\n    args: {x: 1}\n    layers: [relu]\nlayers:\n"
        f'  - b: {{x: "{argument}", repeat: {count}}}\n'
    )


def test_the_expansion_budget_grows_with_the_layer_cap() -> None:
    """300 uses of a 30-node argument: 9,000 steps, more than 20 a layer at a cap of 400 layers
    (8,000) and fewer than at 500 (10,000)."""
    assert STEPS_PER_LAYER == 20
    text = _uses("min(" + ", ".join(["1"] * 29) + ")", 300)
    assert len(analyze(loads(text), max_layers=500).layers) == 300
    with pytest.raises(SpecError) as caught:
        analyze(loads(text), max_layers=400)
    [problem] = caught.value.diagnostics
    assert problem.code == "E007"
    assert f"more than {STEPS_PER_LAYER * 400:,} evaluation steps" in problem.message
    assert "--max-layers" in (problem.hint or "")


@contextmanager
def _recorded(opened: list[Budget], steps: int) -> Iterator[Budget]:
    with budget(steps) as counter:
        opened.append(counter)
        yield counter


def _record_budgets(monkeypatch: pytest.MonkeyPatch) -> list[Budget]:
    """The budgets expansion opens, to read what each spec used."""
    opened: list[Budget] = []
    monkeypatch.setattr(cnncalc.expand, "budget", lambda steps, _: _recorded(opened, steps))
    return opened


def test_built_ins_use_under_a_hundredth_of_the_expansion_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = _record_budgets(monkeypatch)
    used = {}
    for name in builtin_names():
        expand(load(name))
        used[name] = opened[-1].used
        assert opened[-1].used * 100 < opened[-1].limit, name
    assert used["efficientnet_b0"] > 0  # the counter does count (make_divisible, width * ...)


def test_nested_blocks_stop_at_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hostile case: 16 nested blocks, 4 uses each, 145-name arguments. Expansion stops one
    expression past the budget, with one diagnostic, instead of evaluating 4^15 uses."""
    opened = _record_budgets(monkeypatch)
    with pytest.raises(SpecError) as caught:
        expand(load(str(HOSTILE / "expr_steps_budget.yaml")))
    [problem] = caught.value.diagnostics
    assert "evaluation steps" in problem.message
    [steps] = opened
    assert steps.limit < steps.used <= steps.limit + MAX_LENGTH


# -- extends: params evaluated once ------------------------------------------------------------


def _chain(folder: Path, levels: int, params: int, override: str = "") -> Path:
    """``levels`` specs, each extending the one before and adding ``params`` expression params
    (``p{level}_{i}``; ``p{level}_1`` uses ``p{level}_0``); the last also writes ``override``."""
    for level in range(levels):
        head = f"extends: e{level - 1}\n" if level else "input: 8x8x3\nlayers: [relu]\n"
        own = [f"  p{level}_0: 1 + 1", f"  p{level}_1: p{level}_0 * 10"]
        own += [f"  p{level}_{i}: {i} * 2 + 1" for i in range(2, params)]
        extra = override if level == levels - 1 else ""
        text = head + "params:\n" + extra + "\n".join(own) + "\n"
        (folder / f"e{level}.yaml").write_text(text)
    return folder / f"e{levels - 1}.yaml"


def _count_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    evaluated: list[str] = []

    def counting(text: str, env: dict[str, object]) -> object:
        evaluated.append(text)
        return evaluate(text, env)  # type: ignore[arg-type]

    monkeypatch.setattr(cnncalc.values, "evaluate", counting)
    return evaluated


def test_an_extends_chain_evaluates_each_param_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated = _count_evaluations(monkeypatch)
    spec = load(str(_chain(tmp_path, 9, 100)))
    assert len(spec.params) == 900
    assert len(evaluated) == 900  # each level its own 100; before, 100 + 200 + ... + 900


def test_an_override_reevaluates_what_depends_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated = _count_evaluations(monkeypatch)
    spec = load(str(_chain(tmp_path, 3, 50, override="  p0_0: 5\n")))
    assert (spec.params["p0_0"], spec.params["p0_1"]) == (5, 50)
    # Each level's own 50 expressions, and p0_1 again at the last level (p0_0 is a number there).
    assert len(evaluated) == 3 * 50 + 1
    evaluated.clear()
    changed = with_params(spec, {"p2_0": "3"})
    assert changed.params["p2_1"] == 30
    assert evaluated == ["p2_0 * 10"]  # "3" is a number, not an expression


# -- adaptive pooling in closed form -----------------------------------------------------------


def _reads_by_loop(n: int, out: int) -> int:
    """PyTorch's windows ``[floor(i*n/out), ceil((i+1)*n/out))`` summed one by one."""
    return sum(-(-(i + 1) * n // out) - (i * n // out) for i in range(out))


def _longest_by_loop(n: int, out: int) -> int:
    return max(-(-(i + 1) * n // out) - (i * n // out) for i in range(out))


@given(st.integers(1, 300), st.integers(1, 300))
def test_adaptive_reads_and_window_equal_the_loop(n: int, out: int) -> None:
    assert _adaptive_reads(n, out) == _reads_by_loop(n, out)
    kernel, stride = _adaptive_window(n, out)
    assert kernel == _longest_by_loop(n, out)
    assert stride == -(-n // out)


def test_adaptive_cost_takes_a_few_calls_at_any_size() -> None:
    """Three pools of ~10^7 positions took 20 s as a loop; the closed form is a handful of
    calls."""
    layer = AdaptiveAvgPool(size=(9_999_991, 9_999_973))
    x = Shape(10_000_000, 10_000_000, 3)
    cost = layer.cost((x,), layer.infer((x,), None))  # type: ignore[arg-type]
    assert cost.ops == _adaptive_reads(10**7, 9_999_991) * _adaptive_reads(10**7, 9_999_973) * 3
    assert calls(lambda: layer.cost((x,), Shape(9_999_991, 9_999_973, 3))) < 20
    assert calls(lambda: layer.window((x,))) < 30


# -- diff ------------------------------------------------------------------------------------

KINDS = ("conv", "bn", "relu")


def _row(name: str, kind: str) -> Row:
    return Row(
        name=name,
        type=kind,
        layer=None,
        output=Shape(1, 1, 1),
        activations=0,
        weights=0,
        biases=0,
        buffers=0,
        macs=0,
        ops=0,
    )


#: Two networks of ``n`` rows that made the old alignment quadratic or worse.
SHAPES: dict[str, Callable[[int], tuple[list[Row], list[Row]]]] = {
    "no shared name": lambda n: (
        [_row(f"a{i}", KINDS[i % 3]) for i in range(n)],
        [_row(f"b{i}", KINDS[i % 3]) for i in range(n)],
    ),
    "half of B new": lambda n: (
        [_row(f"x{i}", KINDS[i % 3]) for i in range(n)],
        [_row(f"x{i // 2}" if i % 2 == 0 else f"y{i}", KINDS[i % 3]) for i in range(n)],
    ),
    "every other name shared": lambda n: (
        [_row(f"x{i}" if i % 2 else f"a{i}", KINDS[i % 3]) for i in range(n)],
        [_row(f"x{i}" if i % 2 else f"b{i}", KINDS[i % 3]) for i in range(n)],
    ),
    "gaps of 60 rows": lambda n: (
        [_row(f"x{i}" if i % 61 == 0 else f"a{i}", KINDS[i % 3]) for i in range(n)],
        [_row(f"x{i}" if i % 61 == 0 else f"b{i}", KINDS[(i + 1) % 3]) for i in range(n)],
    ),
    "names in reverse": lambda n: (
        [_row(f"x{i}", KINDS[i % 3]) for i in range(n)],
        [_row(f"x{n - 1 - i}", KINDS[i % 3]) for i in range(n)],
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_diff_alignment_of_two_10000_row_networks_is_linear(shape: str) -> None:
    """At most 20 calls (Python functions and C builtins, as cProfile counts them) per row, and
    ten times the rows cost ten times the calls: no step compares every row with every row (the
    old one made 10^8 comparisons here)."""
    small, large = SHAPES[shape](1_000), SHAPES[shape](10_000)
    large_calls = calls(lambda: align(*large))
    assert large_calls < 20 * 20_000
    assert large_calls / calls(lambda: align(*small)) < 12


def _placed_as_before(pairs: tuple[Aligned, ...], b_rows: list[Row]) -> list[Aligned]:
    """The old rule, quadratic: each B-only row, in B's order, inserted after the last entry whose
    B row comes before it in B."""
    index = {id(row): j for j, row in enumerate(b_rows)}
    entries = [p for p in pairs if p.match is not Match.B_ONLY]
    for p in (p for p in pairs if p.match is Match.B_ONLY):
        assert p.b is not None
        j = index[id(p.b)]
        before = [k for k, e in enumerate(entries) if e.b is not None and index[id(e.b)] < j]
        entries.insert(before[-1] + 1 if before else 0, p)
    return entries


NAMES = st.lists(st.sampled_from("abcdefgh"), max_size=12, unique=True)


@given(NAMES, NAMES, st.lists(st.sampled_from(KINDS), min_size=24, max_size=24))
def test_alignment_keeps_every_row_once_and_places_b_rows_as_before(
    a_names: list[str], b_names: list[str], kinds: list[str]
) -> None:
    a_rows = [_row(name, kinds[i]) for i, name in enumerate(a_names)]
    b_rows = [_row(name, kinds[12 + i]) for i, name in enumerate(b_names)]
    pairs = align(a_rows, b_rows)
    assert [p.a for p in pairs if p.a is not None] == a_rows
    assert sorted(b_rows.index(p.b) for p in pairs if p.b is not None) == list(range(len(b_rows)))
    for p in pairs:
        if p.a is not None and p.b is not None:
            assert (p.a.name == p.b.name) == (p.match is Match.NAME)
            assert p.a.type == p.b.type or p.match is Match.NAME
    assert list(pairs) == _placed_as_before(pairs, b_rows)


def test_leftovers_never_pair_across_an_anchor() -> None:
    """``y`` is in both, in order: a conv before it in A and one after it in B are not one layer."""
    a_rows = [_row("x", "conv"), _row("a1", "conv"), _row("y", "relu")]
    b_rows = [_row("x", "conv"), _row("y", "relu"), _row("b1", "conv")]
    shown = [(p.a.name if p.a else None, p.b.name if p.b else None) for p in align(a_rows, b_rows)]
    assert shown == [("x", "x"), ("a1", None), ("y", "y"), (None, "b1")]


def test_a_gap_beyond_the_matcher_pairs_types_in_order() -> None:
    """Past :data:`GAP_CELLS`, the k-th conv left in A pairs with the k-th conv left in B."""
    n = 100
    assert n * n > GAP_CELLS
    a_rows = [_row(f"a{i}", KINDS[i % 3]) for i in range(n)]
    b_rows = [_row(f"b{i}", KINDS[(i + 1) % 3]) for i in range(n)]
    pairs = [p for p in align(a_rows, b_rows) if p.a is not None and p.b is not None]
    assert len(pairs) == n - 1  # 34 convs in A against 33 in B; bn and relu 33 each
    convs = [(p.a.name, p.b.name) for p in pairs if p.a.type == "conv"]  # type: ignore[union-attr]
    assert convs[:2] == [("a0", "b2"), ("a3", "b5")]


def test_diff_json_is_the_documents_value_a_pair_a_line() -> None:
    result = diff(analyze(load("alexnet")), analyze(load("zfnet")))
    text = diff_json(result)
    assert json.loads(text) == diff_dict(result)
    pair_lines = [line for line in text.splitlines() if line.startswith('    {"match"')]
    assert len(pair_lines) == len(result.pairs)


def test_diff_json_of_10000_pairs_stays_small() -> None:
    """Each pair is encoded as it is made: the peak is the encoded lines and the text joined from
    them, about 2 KB a pair here (``json.dumps(diff_dict(d), indent=2)`` peaked at 11.5 KB)."""
    spec = loads("input: 8x8x3\nlayers:\n  - bn: {repeat: 5000}\n  - relu: {repeat: 5000}\n")
    report = analyze(spec)
    result = diff(report, report)
    assert len(result.pairs) == 10_001  # and the input
    tracemalloc.start()
    try:
        text = diff_json(result)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3_000 * len(result.pairs)
    assert len(text) < 1_000 * len(result.pairs)


# -- pad ---------------------------------------------------------------------------------------


def test_pad_default_bound_obeys_the_cap() -> None:
    """``2(F - 1)`` for a kernel of 10^8 asked for 2*10^8 candidates (1.5 GB); now 10,000 at most,
    and the hint points to ``--output``."""
    working = arithmetic.pad(5, 100_000_000, 1)
    assert "paddings up to 10000 in total" in working.steps[0]
    assert not working.ok
    assert "--output" in (working.hint or "")
    wide = arithmetic.pad(1, 5_001, 1)  # fits from 5,000 to the cap: one line each
    assert len(wide.figures["fits"]) == arithmetic.MAX_PAD - 5_000 + 1  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_total must be from 0 to 10,000"):
        arithmetic.pad(5, 3, 1, max_total=arithmetic.MAX_PAD + 1)


def test_pad_command_with_a_huge_kernel_answers() -> None:
    result = CliRunner().invoke(cli, ["pad", "--input", "5", "--kernel", "10000000"])  # the most
    assert result.exit_code == 1
    assert "none" in result.stdout
    assert "--output N gives the padding" in result.stdout + result.stderr


@pytest.mark.parametrize("text", ["৪", "3x৪", "²"])
def test_pad_and_window_sizes_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        arithmetic.parse_axes(text, "kernel")
    with pytest.raises(ValueError, match="is not a padding"):
        arithmetic.parse_padding(text)
