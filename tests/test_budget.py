"""``check --max-params/--max-macs``: budgets on the command line (E401), SI suffixes, MACs under a
counting preset."""

from __future__ import annotations

from click.testing import CliRunner

from cnncalc import analyze, load
from cnncalc.cli import cli

SPEC = "architectures/mobilenet_v2.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", SPEC, *args])
    return result.exit_code, result.stdout


def test_over_the_params_budget_fails_with_the_measured_figure() -> None:
    params = analyze(load(SPEC)).totals.params
    code, out = run("--max-params", "3M")
    assert code == 1
    assert (
        f"{SPEC}:1:1: E401 [error] params {params:,} exceed the budget 3,000,000 (--max-params)"
        f" by {params - 3_000_000:,}"
    ) in out


def test_within_budget_passes() -> None:
    code, out = run("--max-params", "3.6M", "--max-macs", "301M")
    assert code == 0
    assert "E401" not in out


def test_macs_budget_follows_the_preset() -> None:
    # 301M holds torchvision's count but not fvcore's, which adds norms and the pool.
    fvcore = analyze(load(SPEC)).macs_under("fvcore")
    assert analyze(load(SPEC)).totals.macs <= 301_000_000 < fvcore
    code, out = run("--max-macs", "301M", "--count", "fvcore")
    assert code == 1
    assert f"MACs {fvcore:,} (counted as fvcore) exceed the budget 301,000,000" in out


def test_a_budget_that_is_not_a_quantity_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["check", SPEC, "--max-params", "lots"])
    assert result.exit_code == 2
    assert "'lots' is not a number with an optional SI suffix" in result.stderr


def diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["diff", "resnet18", "resnet34", *args])
    return result.exit_code, result.stderr


def test_diff_fails_on_growth_past_a_percentage() -> None:
    a, b = (analyze(load(n)).totals.params for n in ("resnet18", "resnet34"))
    code, err = diff("--fail-on", "params+10%")
    assert code == 1
    assert f"params grew by {b - a:,} (+{100 * (b - a) / a:.2f}%), from {a:,} to {b:,}" in err


def test_diff_passes_within_the_allowance() -> None:
    # ResNet-34 has 86.47% more params than ResNet-18; 87% allows it, 86% does not.
    assert diff("--fail-on", "params+87%")[0] == 0
    assert diff("--fail-on", "params+86%")[0] == 1


def test_diff_absolute_allowance_with_si_suffix_and_the_preset() -> None:
    a, b = (analyze(load(n)).macs_under("thop") for n in ("resnet18", "resnet34"))
    assert diff("--fail-on", f"macs+{b - a}", "--count", "thop")[0] == 0
    code, err = diff("--fail-on", f"macs+{b - a - 1}", "--count", "thop")
    assert code == 1
    assert f"macs grew by {b - a:,}" in err


def test_diff_gate_names_a_known_figure() -> None:
    result = CliRunner().invoke(cli, ["diff", "resnet18", "resnet34", "--fail-on", "flops+1"])
    assert result.exit_code == 2
    assert "'flops+1' is not FIGURE+LIMIT" in result.stderr
