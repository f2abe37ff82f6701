"""Regenerate the parts of README.md and docs/*.md that the code determines.

Two kinds of generated text, both checked by ``tests/test_docs.py``:

- every fenced ``text`` block made of transcripts: a line ``$ cnncalc ARGS`` followed by what
  the command prints (stdout and stderr; only stderr when the line ends in ``> /dev/null``),
  transcripts separated by a blank line;
- sections between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` (:data:`SECTIONS`): the
  README's architecture table (``cnncalc list``), the layer-type reference (from the registry:
  each type's aliases, fields and defaults, and its docstring) and the conventions (from
  :data:`cnncalc.metrics.CONVENTIONS`, the text ``show --format json`` carries).

Commands run from the repository root with ``NO_COLOR=1`` and ``COLUMNS=200``. Run:

    python scripts/update_docs.py
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from cnncalc.layers import ALIASES, LAYERS, Layer
from cnncalc.metrics import CONVENTIONS
from cnncalc.values import schema

ROOT = Path(__file__).resolve().parent.parent

_BLOCK = re.compile(r"(```text\n)(\$ cnncalc .*?)(```)", re.DOTALL)
_SILENT = ("> /dev/null", ">/dev/null")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def command_output(args: list[str], stderr_only: bool = False) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    text = done.stderr if stderr_only else done.stdout + done.stderr
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def transcript(command: str) -> str:
    """``$ cnncalc ...`` and what it prints now."""
    line = command.strip()
    silent = line.endswith(_SILENT)
    args = shlex.split(
        line.removeprefix("$ cnncalc").removesuffix(_SILENT[0]).removesuffix(_SILENT[1]),
        comments=True,
    )
    return f"{line}\n{command_output(args, stderr_only=silent)}"


def _block(match: re.Match[str]) -> str:
    commands = [line for line in match.group(2).splitlines() if line.startswith("$ cnncalc ")]
    return match.group(1) + "\n".join(transcript(c) for c in commands) + match.group(3)


def _markdown(text: str) -> str:
    """A docstring or convention as one Markdown table cell: whitespace collapsed, reST's
    ``code`` as Markdown's `code`, pipes escaped."""
    return " ".join(text.split()).replace("``", "`").replace("|", "\\|")


def _default(value: object) -> str:
    """A field's default as a spec would write it: ``(1, 1)`` as ``1``, ``True`` as ``true``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        if len(set(value)) == 1:
            return _default(value[0])
        return "[" + ", ".join(_default(v) for v in value) + "]"
    if isinstance(value, float):
        mantissa, e, exponent = f"{value:g}".partition("e")
        # YAML 1.1 (PyYAML) reads 1e-05 as a string: a float needs its point, 1.0e-5
        return f"{mantissa}{'' if '.' in mantissa else '.0'}e{int(exponent):+d}" if e else mantissa
    return str(value)


def _fields(cls: type[Layer]) -> str:
    """The fields of a layer type, its main field first and in bold, each with its default: none
    when required, ``(optional)`` when it may be left out without one."""
    shown = []
    for name, f in sorted(schema(cls).items(), key=lambda item: item[0] != cls.primary):
        if f.required:
            text = f"`{name}`"
        elif f.default is None:
            text = f"`{name}` (optional)"
        else:
            text = f"`{name}: {_default(f.default)}`"
        shown.append(f"**{text}**" if name == cls.primary else text)
    return ", ".join(shown)


def _computes(cls: type[Layer]) -> str:
    """The type's docstring, then those of the private family bases it belongs to (``_Merge``:
    what every merge shares), below the common :class:`Layer`."""
    family = [b for b in cls.__mro__[1:] if issubclass(b, Layer) and b.__name__.startswith("_")]
    return " ".join(_markdown(c.__doc__ or "") for c in (cls, *family))


def layer_table() -> str:
    """The layer-type reference: one row per registered type, in alphabetical order."""
    rows = ["| type | aliases | fields (**main field** first) | what it computes | output stored |"]
    rows.append("|---|---|---|---|---|")
    for kind, cls in sorted(LAYERS.items()):
        aliases = ", ".join(f"`{a}`" for a, k in sorted(ALIASES.items()) if k == kind)
        stored = "yes" if cls.stores_output else "no"
        rows.append(f"| `{kind}` | {aliases} | {_fields(cls)} | {_computes(cls)} | {stored} |")
    return "\n".join(rows) + "\n"


def conventions_table() -> str:
    """What each figure counts, keyed as in ``show --format json``."""
    rows = ["| figure | what it counts |", "|---|---|"]
    rows += [f"| `{key}` | {_markdown(text)} |" for key, text in CONVENTIONS.items()]
    return "\n".join(rows) + "\n"


#: Generated sections: name -> what writes them.
SECTIONS: dict[str, Callable[[], str]] = {
    "list": lambda: command_output(["list", "--format", "markdown"]),
    "layers": layer_table,
    "conventions": conventions_table,
}


def updated(text: str) -> str:
    text = _BLOCK.sub(_block, text)
    for name, write in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if pattern.search(text):
            section = write()
            text = pattern.sub(lambda m, s=section: m.group(1) + s + m.group(2), text)
    return text


if __name__ == "__main__":
    for path in documents():
        path.write_text(updated(path.read_text()))
