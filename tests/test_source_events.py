"""The located nodes ``source.parse`` builds from libyaml's events are the ones PyYAML's own
composer gives (``yaml.compose`` with the C safe loader): the same tree, raw texts, tags and
places; and a document the composer refuses is refused by ``parse`` too, at the composer's mark.
Checked over every YAML file in the repository and documents made to hit the composer's rules
(aliases, anchors, several documents, tags, empty values)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cnncalc.errors import SpecError
from cnncalc.source import Map, Node, Scalar, Seq, parse

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    path
    for folder in ("architectures", "tests", "docs", "examples")
    if (ROOT / folder).is_dir()
    for path in (ROOT / folder).rglob("*.y*ml")
)
CRAFTED = [
    "a: &x 1\nb: *x\n",
    "a: &x [1, 2]\nb: *x\nc: *x\n",
    "a: *nowhere\n",
    "a: &x 1\nb: &x 2\n",
    "a: 1\n---\nb: 2\n",
    "--- \na: 1\n...\n",
    "a: !!str 064\nb: !!float 1\nc: '1'\nd: \"x\"\n",
    "a: ! 12\nb: !!int 7\n",
    "a:\nb: ~\nc: null\nd: ''\n",
    "a: [&y {k: 1}, *y]\n",
    "- 1\n- two\n- 3.5\n- true\n",
    "a: 1:30\nb: 2001-12-14\nc: =\n",
    "{a: 1, b: [x, {c: d}]}\n",
    "a: &x\n  b: &y 1\n  c: *y\nd: *x\n",
]


def _composed(node: yaml.Node) -> object:
    """A composed node as comparable data: kind, tag, raw text or children, and its mark."""
    mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.value, mark)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", [_composed(child) for child in node.value], mark)
    return ("map", [(_composed(k), _composed(v)) for k, v in node.value], mark)


def _ours(node: Node) -> object:
    mark = (node.span.line, node.span.col)
    if isinstance(node, Scalar):
        return ("scalar", node.raw, mark)
    if isinstance(node, Seq):
        return ("seq", [_ours(child) for child in node.items], mark)
    assert isinstance(node, Map)
    return (
        "map",
        [
            (("scalar", key, (node.keys[key].line, node.keys[key].col)), _ours(value))
            for key, value in node.entries.items()
        ],
        mark,
    )


def _case(text: str) -> None:
    refused_at: set[int | None] | None = None  # the composer's marks' lines, when it refuses
    try:
        expected = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        marks = (exc.problem_mark, exc.context_mark)
        refused_at = {mark.line + 1 for mark in marks if mark is not None} or {None}
    except yaml.YAMLError:  # the reader's refusals carry no mark
        refused_at = {None}
    try:
        found = parse("doc.yaml", text)
    except SpecError as exc:
        where: int | None = exc.diagnostics[0].span.line
    else:
        assert refused_at is None, f"the composer refuses this document, at line(s) {refused_at}"
        assert expected is not None
        assert _ours(found) == _composed(expected)
        return
    # cnncalc may refuse what YAML accepts (tags, YAML 1.1 spellings, duplicate keys ...); where
    # the composer refuses too, it is at one of the composer's marks
    if refused_at is not None and None not in refused_at:
        assert where in refused_at


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_yaml_reads_as_composed(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if len(text) > 1_000_000:
        pytest.skip("over the size bound")
    _case(text)


@pytest.mark.parametrize("text", CRAFTED)
def test_crafted_yaml_reads_as_composed(text: str) -> None:
    _case(text)
