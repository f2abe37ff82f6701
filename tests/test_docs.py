"""The README and docs show real output: every ``$ cnncalc ...`` transcript and generated section
equals what the code prints now (``python scripts/update_docs.py`` refreshes them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _updater() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_docs", ROOT / "scripts" / "update_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UPDATER = _updater()


@pytest.mark.parametrize("path", UPDATER.documents(), ids=lambda p: p.name)
def test_shown_output_is_current(path: Path) -> None:
    text = path.read_text()
    assert UPDATER.updated(text) == text, (
        f"{path.name} shows stale output: run python scripts/update_docs.py"
    )


#: Where each generated section must be: a doc that lost its markers would keep a hand copy.
PLACES = [
    ("README.md", "list"),
    ("README.md", "layers"),
    ("README.md", "conventions"),
    ("docs/spec-language.md", "layers"),
]


def test_every_section_has_a_place() -> None:
    assert {name for _, name in PLACES} == set(UPDATER.SECTIONS)


@pytest.mark.parametrize(("doc", "name"), PLACES, ids=[f"{doc}:{name}" for doc, name in PLACES])
def test_generated_section_is_regenerated(doc: str, name: str) -> None:
    """Emptying the section makes the doc stale, and the updater writes it back as it was: the
    markers are spelled as the updater expects, and the content is entirely generated."""
    text = (ROOT / doc).read_text()
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    assert text.count(start) == text.count(end) == 1
    before, rest = text.split(start)
    emptied = before + start + end + rest.split(end)[1]
    assert emptied != text
    assert UPDATER.updated(emptied) == text


def test_readme_shows_its_transcripts() -> None:
    text = (ROOT / "README.md").read_text()
    for command in ("$ cnncalc show vgg16\n", "$ cnncalc check docs/examples/bad_alexnet.yaml\n"):
        assert command in text


def test_readme_notebook_example_prints_what_it_says() -> None:
    """Each ``expression  # value`` line of the README's Python example evaluates to that value."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    checked = 0
    for line in block.splitlines():
        code, _, shown = line.partition("  # ")
        if shown and not code.lstrip().startswith(("import", "report =", "spec =")):
            assert repr(eval(code, namespace)) == shown, (
                line
            )  # the README's own example, not spec text
            checked += 1
        else:
            exec(line, namespace)  # the README's own example, not spec text
    assert checked >= 4
