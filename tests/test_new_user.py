"""What a new user ran into: totals of an unsound spec, a folder named like a built-in, hints for
other frameworks' layer names and for names not yet defined, a channels-first input, dtype
spellings, the rounding note, ``list`` in a narrow terminal and how sources are cited."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc import analyze, load, loads
from cnncalc.cli import cli
from cnncalc.errors import FRAMEWORK_NAMES, Severity, SpecError
from cnncalc.layers import LAYERS
from cnncalc.library import builtin_names
from cnncalc.metrics import Dtype
from tests.test_table_fit import in_terminal


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_unsound_spec_never_shows_totals_that_look_valid() -> None:
    args = ("show", "alexnet", "--input", "224x224x3")
    code, out, _ = _run(*args)
    assert code == 1
    assert not re.search(r"^Total\b", out, re.MULTILINE)
    assert re.search(r"^INCOMPLETE\b", out, re.MULTILINE)  # where the totals would be
    assert "INCOMPLETE:  the spec has errors" in out  # and first in the summary
    assert json.loads(_run(*args, "--format", "json")[1])["complete"] is False
    assert "| **INCOMPLETE** |" in _run(*args, "--format", "markdown")[1]
    assert json.loads(_run("show", "alexnet", "--format", "json")[1])["complete"] is True


def test_a_bare_name_is_the_builtin_even_beside_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resnet50").mkdir()
    code, out, err = _run("show", "resnet50", "--format", "json")
    assert code == 0
    assert json.loads(out)["name"] == "resnet50"
    assert "note: 'resnet50' is the built-in architecture; for the path of that name here," in err
    code, _, err = _run("show", "./resnet50")
    assert code == 1
    assert "E001 [error] is a directory" in err
    (tmp_path / "mine").write_text("input: 8x8x3\nlayers:\n  - relu\n", encoding="utf-8")
    assert load("mine").name == "mine"  # a bare name that is no built-in is a path


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("ConvTranspose2d", "'ConvTranspose2d' is 'conv_transpose' in cnncalc"),
        ("UpSampling2D", "'UpSampling2D' is 'upsample' in cnncalc"),
        ("Conv2d", "'Conv2d' is 'conv' in cnncalc"),
        ("Conv2D", "'Conv2D' is 'conv' in cnncalc"),
        ("nn.Linear", "'nn.Linear' is 'fc' in cnncalc"),
        ("Dense", "'Dense' is 'fc' in cnncalc"),
        ("BatchNorm2d", "'BatchNorm2d' is 'batchnorm' in cnncalc"),
        ("MaxPooling2D", "'MaxPooling2D' is 'maxpool' in cnncalc"),
        ("GlobalAveragePooling2D", "'GlobalAveragePooling2D' is 'gap' in cnncalc"),
        ("convv", "did you mean 'conv'?"),
    ],
)
def test_other_frameworks_layer_names_map_to_cnncalcs(written: str, hint: str) -> None:
    with pytest.raises(SpecError, match="E102") as raised:
        analyze(loads(f"input: 8x8x3\nlayers:\n  - {written}: {{filters: 4}}\n", "t.yaml"))
    assert raised.value.diagnostics[0].hint is not None
    assert raised.value.diagnostics[0].hint.startswith(hint)


def test_every_framework_name_maps_to_a_registered_type() -> None:
    assert set(FRAMEWORK_NAMES.values()) <= set(LAYERS)


def test_an_unknown_reference_suggests_only_the_layers_above() -> None:
    text = (
        "input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 3, pad: 1, name: stem}\n"
        "  - add: {inputs: [stem, branch2]}\n  - conv: {filters: 4, kernel: 3, pad: 1, name:"
        " branch1}\n"
    )
    with pytest.raises(SpecError, match="E201") as raised:
        analyze(loads(text, "t.yaml"))
    (found,) = raised.value.diagnostics
    assert found.hint == "layers above: input, stem"  # not 'branch1', defined later (E202)


def test_a_channels_first_input_gets_a_warning_with_the_hxwxc_reading() -> None:
    report = analyze(loads("input: 3x224x224\nlayers:\n  - relu\n", "t.yaml"))
    (warning,) = report.diagnostics
    assert (warning.code, warning.severity) == ("W101", Severity.WARNING)
    assert warning.message == (
        "input 3x224x224 reads as height 3, width 224, 224 channels (cnncalc's order is HxWxC)"
    )
    assert warning.hint == "if it is channels-first (CxHxW), write 224x224x3"
    assert (warning.span.line, warning.span.col) == (1, 8)
    assert not analyze(load("vgg16")).diagnostics  # 224x224x3 reads as it is
    given = analyze(loads("input: 8x8x3\nlayers:\n  - relu\n", "t.yaml"), input=report.input)
    assert [d.code for d in given.diagnostics] == ["W101"]  # an --input too


def test_check_passes_a_channels_first_input_and_fails_it_under_strict(tmp_path: Path) -> None:
    spec = tmp_path / "cf.yaml"
    spec.write_text("input: 3x224x224\nlayers:\n  - relu\n", encoding="utf-8")
    code, out, _ = _run("check", str(spec))
    assert code == 0
    assert "(1 warning)" in out
    assert _run("check", "--strict", str(spec))[0] == 1


@pytest.mark.parametrize(
    ("spelling", "dtype"),
    [
        ("fp32", Dtype.FLOAT32),
        ("float", Dtype.FLOAT32),
        ("FP16", Dtype.FLOAT16),
        ("half", Dtype.FLOAT16),
        ("torch.float16", Dtype.FLOAT16),
        ("bf16", Dtype.BFLOAT16),
        ("bfloat16", Dtype.BFLOAT16),
        ("int8", Dtype.INT8),
    ],
)
def test_dtype_spellings(spelling: str, dtype: Dtype) -> None:
    code, out, _ = _run("show", "lenet5", "--dtype", spelling, "--format", "json")
    assert code == 0
    assert json.loads(out)["dtype"] == dtype.value


def test_an_unknown_dtype_lists_the_spellings() -> None:
    code, _, err = _run("show", "lenet5", "--dtype", "float64")
    assert code == 2
    assert "unknown dtype 'float64'; one of: float32, float16, bfloat16, int8, fp32" in err


def test_the_rounding_note_names_the_rule_and_how_to_see_the_windows() -> None:
    _, _, err = _run("show", "resnet50")
    windows = sum(d.code == "N301" for d in analyze(load("resnet50")).diagnostics)
    spec = load("resnet50").file
    assert err == (
        f"note: {windows} window(s) rounded down to a whole size by the spec's 'rounding: floor'"
        f" (as PyTorch); 'cnncalc check --strict {spec}' lists them\n"
    )
    code, out, _ = _run("check", "--strict", spec)
    assert code == 1
    assert out.count("N301 [note]") == windows


@pytest.mark.parametrize("columns", [80, 120])
def test_list_fits_the_terminal(columns: int) -> None:
    text = in_terminal(["list"], columns)
    lines = text.splitlines()
    assert all(len(line) <= columns for line in lines)
    names = [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]
    assert names == builtin_names()
    params = {line.split()[0]: line.split()[2] for line in lines[2:] if line[:1].strip()}
    assert params["vgg16"] == "138,357,544"  # whole, never cut
    assert params["alexnet"] == "60,965,224"


def test_sources_cite_titles_not_labels() -> None:
    for name in builtin_names():
        source = load(name).source
        assert not re.search(r"\bseed\b|^lecture notes\b", source, re.IGNORECASE), (name, source)
