"""What ``extends`` may reference (cnncalc/spec.py, ``_base_path``; docs/robustness.md): built-in
names, and .yaml files under the extending spec's folder unless ``extends_root`` allows a wider one;
never /proc, /sys or /dev. A file that is not a spec is never quoted, in any output format."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.errors import SpecError
from cnncalc.spec import load_path

SECRET = "hunter2-5f1c"
SPEC = "input: 8x8x3\nlayers: [relu]\n"


def first_problem(path: Path, extends_root: str | Path | None = None) -> tuple[str, int, int, str]:
    with pytest.raises(SpecError, match="extends") as caught:
        load_path(path, extends_root=extends_root)
    d = caught.value.diagnostics[0]
    return d.code, d.span.line, d.span.col, d.message


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """``tmp_path/specs/`` holding the spec under test; a secret beside the folder, outside it."""
    (tmp_path / "secret.env").write_text(f"API_KEY={SECRET}\n")
    (tmp_path / "outside.yaml").write_text(SPEC)
    specs = tmp_path / "specs"
    specs.mkdir()
    return specs


def write(spec: Path, target: str) -> Path:
    spec.write_text(f"name: net\nextends: {target}\n")
    return spec


@pytest.mark.parametrize(
    ("target", "code", "reason"),
    [
        ("../secret.env", "E001", "is outside this spec's folder"),
        ("../outside.yaml", "E001", "is outside this spec's folder"),
        ("/proc/self/environ", "E001", "is a system file, never a spec"),
        ("/dev/zero", "E001", "is a system file, never a spec"),
        ("link.yaml", "E001", "is outside this spec's folder"),  # a link to ../secret.env
        ("creds.yaml", "E004", "creds.yaml is not a spec"),
        ("broken.yaml", "E004", "broken.yaml is not a spec (YAML syntax error)"),
        ("scalar.yaml", "E004", "scalar.yaml is not a spec"),
        ("notes.txt", "E001", "is not a .yaml file"),
    ],
)
def test_refused_at_the_extends_line_without_the_files_content(
    folder: Path, target: str, code: str, reason: str
) -> None:
    (folder / "link.yaml").symlink_to(folder.parent / "secret.env")
    (folder / "creds.yaml").write_text(f"password: {SECRET}\n")
    (folder / "broken.yaml").write_text(f"API_KEY={SECRET}: [\n")
    (folder / "scalar.yaml").write_text(f"API_KEY={SECRET}\n")
    (folder / "notes.txt").write_text(SPEC)
    spec = write(folder / "net.yaml", target)
    assert first_problem(spec)[:3] == (code, 2, 10)
    assert reason in first_problem(spec)[3]
    for output in ("text", "json", "github"):
        result = CliRunner().invoke(cli, ["check", "--format", output, str(spec)])
        assert result.exit_code == 1
        assert SECRET not in result.output
        assert f"'extends: {target}'" in result.output


def test_a_sibling_folder_sharing_the_name_as_a_prefix_is_outside(folder: Path) -> None:
    # "specs-other" starts with "specs": being below a folder is decided by whole components
    (folder.parent / "specs-other").mkdir()
    (folder.parent / "specs-other" / "base.yaml").write_text(SPEC)
    spec = write(folder / "net.yaml", "../specs-other/base.yaml")
    assert (
        first_problem(spec)[3]
        == "'extends: ../specs-other/base.yaml' is outside this spec's folder"
    )


def test_a_spec_in_a_subfolder_may_be_extended(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "base.yaml").write_text(SPEC)
    assert load_path(write(folder / "net.yaml", "sub/base")).input.c == 3


def test_a_base_keeps_the_first_specs_folder(folder: Path) -> None:
    """A base in a subfolder may reach its siblings, not above the folder of the spec checked."""
    (folder / "sub").mkdir()
    (folder / "beside.yaml").write_text(SPEC)
    write(folder / "sub" / "base.yaml", "../beside.yaml")
    assert load_path(write(folder / "net.yaml", "sub/base.yaml")).input.c == 3
    write(folder / "sub" / "base.yaml", "../../outside.yaml")
    code, line, col, message = first_problem(folder / "net.yaml")
    assert (code, line, col) == ("E001", 2, 10)
    assert message == "'extends: ../../outside.yaml' is outside this spec's folder"


def test_extends_root_allows_a_wider_folder(folder: Path) -> None:
    spec = write(folder / "net.yaml", "../outside.yaml")
    assert load_path(spec, extends_root=folder.parent).input.c == 3


def test_extends_root_never_allows_the_system(folder: Path) -> None:
    spec = write(folder / "net.yaml", "/proc/self/environ")
    assert first_problem(spec, extends_root="/")[:3] == ("E001", 2, 10)


def test_a_name_falls_back_to_the_built_in(folder: Path) -> None:
    spec = write(folder / "net.yaml", "vgg16")
    assert load_path(spec).input.h == 224
    code, _, _, message = first_problem(write(folder / "net.yaml", "vgg16x"))
    assert (code, message) == ("E001", "'extends: vgg16x' names no spec file or built-in")


def test_a_system_file_is_never_read_even_when_named_directly() -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "github", "/proc/self/environ"])
    assert result.exit_code == 1
    assert "a system file (under /proc, /sys or /dev), not a spec" in result.output
    assert "PATH=" not in result.output


def test_extends_root_widens_the_folder_on_the_command_line(tmp_path: Path) -> None:
    """``cnncalc --extends-root DIR``: a base outside the spec's folder but under DIR is read;
    without it the same spec is refused at its extends line."""
    (tmp_path / "base").mkdir()
    (tmp_path / "nets").mkdir()
    (tmp_path / "base" / "b.yaml").write_text("input: 8x8x3\nlayers: [relu]\n")
    spec = tmp_path / "nets" / "n.yaml"
    spec.write_text("extends: ../base/b.yaml\n")
    refused = CliRunner().invoke(cli, ["check", str(spec)])
    assert refused.exit_code == 1
    assert "E001 [error] 'extends: ../base/b.yaml' is outside this spec's folder" in refused.stdout
    allowed = CliRunner().invoke(cli, ["--extends-root", str(tmp_path), "check", str(spec)])
    assert allowed.exit_code == 0, allowed.stdout
    assert allowed.stdout.startswith(f"ok   {spec}: n, 8x8x3 -> 8x8x3")
