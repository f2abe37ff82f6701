"""A spec's ``budget:`` key: each figure measured as ``show`` measures it, E401 at the budget's
own line with the measured figure beside the limit, the same SI text as the command line, and the
command-line limits held in the same check."""

from __future__ import annotations

from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cnncalc import analyze, load, loads
from cnncalc.checking import Limits, check_file
from cnncalc.cli import cli
from cnncalc.errors import Diagnostic
from cnncalc.jsonschema import spec_schema
from cnncalc.limits import quantity
from cnncalc.memory import Optimizer, memory_report
from cnncalc.metrics import Dtype
from cnncalc.options import Quantity

HOSTILE = Path(__file__).parent / "hostile"
BASE = "resnet18"
#: Measured once: every test compares the check's figure with these, computed by the library.
REPORT = analyze(load(BASE))


def spec(tmp_path: Path, *budget: str) -> Path:
    path = tmp_path / "net.yaml"
    path.write_text("\n".join([f"extends: {BASE}", "budget:", *budget]) + "\n")
    return path


def problems(path: Path, limits: Limits | None = None) -> tuple[Diagnostic, ...]:
    checked = check_file(str(path), load, limits=limits)
    return tuple(d for d in checked.diagnostics if d.code.startswith("E4"))


def test_params_over_budget_is_located_at_its_line(tmp_path: Path) -> None:
    params = REPORT.totals.params
    path = spec(tmp_path, "  macs: 100G", "  params: 5M")
    (found,) = problems(path)
    assert (found.code, found.span.line, found.span.col) == ("E401", 4, 3)
    assert found.message == (
        f"params {params:,} exceed the budget 5,000,000 (budget: params) by {params - 5_000_000:,}"
    )


@pytest.mark.parametrize("count", ["torchvision", "fvcore", "thop", "torchinfo", "ptflops"])
def test_macs_budget_counts_under_its_preset_and_the_limit_is_inclusive(
    tmp_path: Path, count: str
) -> None:
    macs = REPORT.macs_under(count)
    assert problems(spec(tmp_path, f"  macs: {{max: {macs}, count: {count}}}")) == ()
    (found,) = problems(spec(tmp_path, f"  macs: {{max: {macs - 1}, count: {count}}}"))
    assert f"MACs {macs:,} (counted as {count}) exceed the budget {macs - 1:,}" in found.message


def test_peak_memory_equals_shows_peak_at_the_budgets_batch_and_dtype(tmp_path: Path) -> None:
    shown = memory_report(
        REPORT.input,
        REPORT.layers,
        params=REPORT.totals.params,
        buffers=REPORT.totals.buffers,
        batch=8,
        dtype_bytes=Dtype.FLOAT16.bytes,
        optimizer=Optimizer.ADAM,
        budget=None,
    ).peak_bytes
    entry = "  peak_memory: {{max: {}, batch: 8, dtype: float16}}"
    assert problems(spec(tmp_path, entry.format(shown))) == ()
    (found,) = problems(spec(tmp_path, entry.format(shown - 1)))
    assert found.message.startswith(f"peak memory {shown:,} (batch 8, float16) exceeds")


@pytest.mark.parametrize(("dtype", "bytes_"), [("mixed", 2), ("float32", 4)])
def test_training_memory_equals_shows_total(tmp_path: Path, dtype: str, bytes_: int) -> None:
    shown = memory_report(
        REPORT.input,
        REPORT.layers,
        params=REPORT.totals.params,
        buffers=REPORT.totals.buffers,
        batch=32,
        dtype_bytes=bytes_,
        optimizer=Optimizer.MOMENTUM,
        budget=None,
    ).training.total
    entry = "  training_memory: {{max: {}, batch: 32, optimizer: momentum, dtype: " + dtype + "}}"
    assert problems(spec(tmp_path, entry.format(shown))) == ()
    (found,) = problems(spec(tmp_path, entry.format(shown - 1)))
    assert f"training memory {shown:,} (batch 32, momentum, " in found.message


def test_receptive_field_at_a_block_instance_is_its_last_layers(tmp_path: Path) -> None:
    last = [r.node.name for r in REPORT.layers if r.node.name.startswith("layer4.")][-1]
    size = int(min(REPORT.fields[last].size))
    assert problems(spec(tmp_path, f"  receptive_field: {{layer: layer4, min: {size}}}")) == ()
    (found,) = problems(spec(tmp_path, f"  receptive_field: {{layer: layer4, min: {size + 1}}}"))
    assert found.message == (
        f"receptive field {size:,} at 'layer4' is below the budget {size + 1:,}"
        " (budget: receptive_field) by 1"
    )


def test_command_line_limits_and_the_spec_budget_are_one_check(tmp_path: Path) -> None:
    path = spec(tmp_path, "  params: 1M")
    found = problems(path, Limits(macs=1, count=REPORT.count))
    assert [(d.span.line, d.message.split(" (")[0]) for d in found] == [
        (3, f"params {REPORT.totals.params:,} exceed the budget 1,000,000"),
        (1, f"MACs {REPORT.totals.macs:,}"),
    ]
    result = CliRunner().invoke(cli, ["check", str(path), "--max-params", "1M"])
    assert result.exit_code == 1
    assert result.stdout.count("E401") == 2


def test_a_spec_that_extends_keeps_the_bases_budget_unless_it_writes_its_own(
    tmp_path: Path,
) -> None:
    base = spec(tmp_path, "  params: 1M")
    child = tmp_path / "child.yaml"
    child.write_text("extends: net.yaml\n")
    assert load(str(child)).budget == load(str(base)).budget != ()
    child.write_text("extends: net.yaml\nbudget: {params: 100M}\n")
    assert problems(child) == ()


@pytest.mark.parametrize("text", ["5M", "600M", "1.5G", "24GB", "0", "12k", "3.25K"])
def test_the_spec_and_the_command_line_read_sizes_alike(tmp_path: Path, text: str) -> None:
    on_the_line = Quantity("B").convert(text, None, None)
    assert on_the_line == quantity(text, "B")
    (limit,) = load(str(spec(tmp_path, f"  peak_memory: {text}"))).budget
    assert limit.bound == on_the_line


@pytest.mark.parametrize("text", ["1.2345k", "5 M", "-1", "1e6", "٣M"])
def test_sizes_refused_alike(text: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        quantity(text)
    with pytest.raises(click.BadParameter):
        Quantity().convert(text, None, None)


EXAMPLE = """
extends: resnet50
budget:
  params: 5M
  macs: {max: 600M, count: fvcore}
  peak_memory: {max: 50MB, batch: 8, dtype: float16}
  training_memory: {max: 8GB, batch: 32, optimizer: adam, dtype: mixed}
  receptive_field: {layer: layer4, min: 400}
"""


#: Malformed budgets a JSON Schema cannot see: a layer missing from the network (not from the
#: YAML), and a decimal the suffix does not make whole (a pattern cannot do the arithmetic).
SCHEMA_BLIND = ("budget_receptive_field_unknown_layer", "budget_fraction_of_a_unit")


def test_the_schema_takes_what_the_reader_takes() -> None:
    validator = jsonschema.Draft202012Validator(spec_schema())
    assert validator.is_valid(yaml.safe_load(EXAMPLE))
    assert loads(EXAMPLE).budget != ()
    for hostile in sorted(HOSTILE.glob("budget_*.yaml")):
        if hostile.stem in SCHEMA_BLIND:
            continue
        assert not validator.is_valid(yaml.safe_load(hostile.read_text())), hostile.name


def test_budget_on_the_command_line_is_read_as_a_spec_writes_it(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"extends: {BASE}\n")
    written = "{peak_memory: {max: 1MB, batch: 8, dtype: float16}}"
    in_spec = problems(spec(tmp_path, f"  peak_memory: {written[14:-1]}"))
    result = CliRunner().invoke(cli, ["check", str(plain), "--budget", written])
    assert result.exit_code == 1
    (found,) = in_spec
    measured = found.message.replace("(budget: peak_memory)", "(--budget peak_memory)")
    assert f"{plain}:1:1: E401 [error] {measured}" in result.stdout


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("{peak: 5}", "unknown budget figure 'peak'"),
        ("{macs: {max: 1G, count: keras}}", "budget 'macs' count 'keras' is unknown"),
        ("{params: [1", "YAML syntax error"),
    ],
)
def test_a_malformed_command_line_budget_is_a_usage_error(given: str, said: str) -> None:
    result = CliRunner().invoke(cli, ["check", BASE, "--budget", given])
    assert result.exit_code == 2
    assert said in result.stderr
