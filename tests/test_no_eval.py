"""A guard that spec text is never run as Python: no code path of the package calls ``eval``,
``exec``, ``compile``, ``ast.literal_eval``, an unsafe YAML loader, ``pickle`` or a shell; and a
document that asks PyYAML to run a command is refused with E005 while nothing runs."""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli

PACKAGE = Path(cnncalc.__file__).parent

#: Calls that would run text as code, or run a program.
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint", "input"}
FORBIDDEN_ATTRIBUTES = {
    ("ast", "literal_eval"),
    ("yaml", "load"),
    ("yaml", "load_all"),
    ("yaml", "full_load"),
    ("yaml", "full_load_all"),
    ("yaml", "unsafe_load"),
    ("yaml", "unsafe_load_all"),
    ("yaml", "Loader"),
    ("yaml", "FullLoader"),
    ("yaml", "UnsafeLoader"),
    ("os", "system"),
    ("os", "popen"),
    ("importlib", "import_module"),
}
FORBIDDEN_MODULES = {
    "pickle",
    "marshal",
    "shelve",
    "subprocess",
    "runpy",
    "code",
    "codeop",
    "ctypes",
}


def violations(source: str) -> list[str]:
    """Every forbidden call, attribute or import in ``source``, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FORBIDDEN_CALLS
        ):
            found.append(f"{node.lineno}: {node.func.id}()")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in FORBIDDEN_ATTRIBUTES
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {a.name}"
                for a in node.names
                if a.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{node.lineno}: from {node.module} import")
            if node.module == "yaml":
                found += [
                    f"{node.lineno}: from yaml import {a.name}"
                    for a in node.names
                    if ("yaml", a.name) in FORBIDDEN_ATTRIBUTES
                ]
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "eval(text)",
        "exec(text)",
        "import ast\nast.literal_eval(text)",
        "import yaml\nyaml.load(text, Loader=yaml.Loader)",
        "import yaml\nyaml.unsafe_load(text)",
        "from yaml import FullLoader",
        "import pickle",
        "from subprocess import run",
        "import os\nos.system(text)",
    ],
)
def test_the_guard_catches(snippet: str) -> None:
    assert violations(snippet)


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_code_path_runs_text(path: Path) -> None:
    found = violations(path.read_text(encoding="utf-8"))
    if path.relative_to(PACKAGE).as_posix() == RUNS_DOT:  # dot -Tsvg, fixed arguments, no shell
        found = [v for v in found if not v.endswith(": import subprocess")]
    if path.relative_to(PACKAGE).as_posix() == GENERATES_INIT:
        found = [v for v in found if not v.endswith(": exec()")]
    assert found == []


#: The one module that runs a program: Graphviz's dot, for 'cnncalc graph --format svg'.
RUNS_DOT = "render/graphviz.py"
#: The one module that runs generated source, as ``dataclasses`` does: a record class's
#: ``__init__``, written from its field names (checked to be identifiers; tests/test_records.py).
GENERATES_INIT = "records.py"


def test_the_yaml_reader_reads_events_with_a_safe_loader() -> None:
    # located nodes are built from the parser's events: nothing composes or constructs
    source = (PACKAGE / "source.py").read_text(encoding="utf-8")
    assert "yaml.parse(text, Loader=_Loader)" in source
    assert "yaml.compose(" not in source
    assert "from yaml import CSafeLoader as _Loader" in source


@pytest.mark.parametrize(
    "document",
    [
        "input: 8x8x3\nlayers: !!python/object/apply:os.system ['touch {marker}']\n",
        "input: !!python/object/new:os.system ['touch {marker}']\nlayers: [relu]\n",
        "input: 8x8x3\nlayers:\n  - !!python/object/apply:subprocess.call [[touch, '{marker}']]\n",
        "!!python/object/apply:os.system ['touch {marker}']\n",
    ],
    ids=["apply-os-system", "new-os-system", "apply-subprocess", "root"],
)
def test_python_tags_are_refused_and_nothing_runs(
    document: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "pwned"
    ran: list[object] = []

    def record(*args: object, **kwargs: object) -> int:
        ran.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    monkeypatch.setattr(subprocess, "Popen", record)
    result = CliRunner().invoke(
        cli, ["check", "--format", "json", "-"], input=document.format(marker=marker)
    )
    assert result.exit_code == 1
    d = json.loads(result.stdout)["specs"][0]["diagnostics"][0]
    assert d["code"] == "E005"
    assert "python/object" in d["message"]
    assert "safe loading" in d["hint"]
    assert not marker.exists()
    assert ran == []
