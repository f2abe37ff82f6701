"""Reading YAML (cnncalc/source.py): places as an editor shows them, the characters and number
spellings refused and why, and how values are named in messages."""

from __future__ import annotations

import math

import pytest

from cnncalc import load
from cnncalc.errors import Span, SpecError
from cnncalc.source import Map, Scalar, describe, kind, parse, plain_scalar, position
from cnncalc.spec import with_params

HERE = Span("<test>", 1, 1)


def first(text: str) -> tuple[str, int, int, str]:
    with pytest.raises(SpecError, match=r"\w") as caught:
        parse("<test>", text)
    d = caught.value.diagnostics[0]
    return d.code, d.span.line, d.span.col, d.message


def value_of(text: str) -> object:
    root = parse("<test>", f"x: {text}\n")
    assert isinstance(root, Map)
    node = root.entries["x"]
    assert isinstance(node, Scalar)
    return node.value


@pytest.mark.parametrize(
    ("text", "offset", "place"),
    [
        ("ab\ncd", 4, (2, 2)),
        ("ab\r\ncd", 5, (2, 2)),  # CR LF is one break
        ("ab\rcd\ref", 7, (3, 2)),  # old Mac line ends, as YAML and editors count them
        ("abc", 0, (1, 1)),
    ],
)
def test_position_counts_lines_as_an_editor(text: str, offset: int, place: tuple[int, int]) -> None:
    assert position(text, offset) == place


@pytest.mark.parametrize(
    ("char", "message"),
    [
        ("\x0c", "the control character U+000C (form feed) is not allowed in YAML"),
        ("\x01", "the control character U+0001 is not allowed in YAML"),
        ("\x7f", "the control character U+007F (delete) is not allowed in YAML"),
        ("\x1b", "the control character U+001B (escape) is not allowed in YAML"),
        ("\x85", "the next-line character U+0085: YAML 1.1 reads it as a line break, editors"),
        ("\u2028", "the line separator U+2028: YAML 1.1 reads it as a line break"),
        ("\ufeff", "an invisible byte order mark (U+FEFF) inside the file"),
        ("\u202e", "the invisible bidirectional control U+202E (right-to-left override)"),
        ("\ud800", "the character U+D800 is not allowed in YAML"),
    ],
)
def test_a_refused_character_is_placed_on_its_own_line(char: str, message: str) -> None:
    """Line 5, column 6, whatever the character: libyaml used to put some at 1:1 and count NEL,
    LS and PS as line breaks."""
    code, line, col, text = first(f"a: 1\nb: 2\nc: 3\nd: 4\ne: x{char}y\n")
    assert (code, line, col) == ("E002", 5, 5)
    assert text.startswith(message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("064", "'064' has a leading zero: YAML 1.1 reads the octal 52"),
        ("08", "'08' has a leading zero: text in YAML 1.1, a number in YAML 1.2"),
        ("0o17", "'0o17' is an octal number in YAML 1.2 and text in YAML 1.1"),
        ("0x40", "'0x40' is a hexadecimal number: sizes and counts are written in decimal"),
        ("0b101", "'0b101' is a binary number in YAML 1.1 and text in YAML 1.2"),
        ("1_000", "'1_000' has '_' between digits: a number in YAML 1.1, text in YAML 1.2"),
        ("1_0.5", "'1_0.5' has '_' between digits: a number in YAML 1.1, text in YAML 1.2"),
        ("1:30", "'1:30' is a YAML 1.1 base-60 number (90), text in YAML 1.2"),
        ("-1:30.5", "'-1:30.5' is a YAML 1.1 base-60 number (90.5), text in YAML 1.2"),
    ],
)
def test_number_spellings_yaml_readers_disagree_on(raw: str, message: str) -> None:
    assert first(f"x: {raw}\n") == ("E103", 1, 4, message)
    with pytest.raises(SpecError, match=r"YAML 1|decimal") as caught:
        plain_scalar(raw, HERE)
    assert caught.value.diagnostics[0].message == message


@pytest.mark.parametrize(
    ("raw", "value"),
    [("16", 16), ("+16", 16), ("-0", 0), ("016.5", 16.5), ("'064'", "064"), ("title08", "title08")],
)
def test_spellings_every_reader_agrees_on(raw: str, value: object) -> None:
    assert value_of(raw) == value


@pytest.mark.parametrize("raw", [".inf", "+.inf", "-.inf", ".NaN"])
def test_infinities_and_nan_are_read_as_such(raw: str) -> None:
    found = value_of(raw)
    assert isinstance(found, float)
    assert not math.isfinite(found)
    assert (found < 0) == raw.startswith("-")


@pytest.mark.parametrize("text", ["16", "1.5", "true", "~", "", "1e3", "width * 2"])
def test_the_command_line_reads_a_value_as_a_spec_does(text: str) -> None:
    assert plain_scalar(text, HERE).value == value_of(text)


def test_set_refuses_what_a_spec_refuses() -> None:
    with pytest.raises(SpecError, match="leading zero") as caught:
        with_params(load("resnet50"), {"v1": "064"})
    assert caught.value.diagnostics[0].code == "E103"


@pytest.mark.parametrize(
    ("text", "described", "kinded"),
    [
        ("x: {}", "an empty mapping", "an empty mapping"),
        ("x: {a: 1, b: 2}", "a mapping with 2 keys", "a mapping with 2 keys"),
        ("x: []", "an empty list", "an empty list"),
        ("x: [1]", "a list of 1 item", "a list of 1 item"),
        ("x:", "an empty value", "null"),
        ("x: ~", "null", "null"),
        ("x: abc", "the string 'abc'", "a string"),
        ("x: " + "a" * 50, "the string '" + "a" * 37 + "...'", "a string"),
        ("x: 2.5", "the number 2.5", "a number"),
        ("x: true", "the boolean true", "a boolean"),
    ],
)
def test_describe_names_a_value_as_a_person_would(text: str, described: str, kinded: str) -> None:
    root = parse("<test>", text)
    assert isinstance(root, Map)
    assert describe(root.entries["x"]) == described
    assert kind(root.entries["x"]) == kinded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: &x 2\n", ("E003", 2, 4, "anchor &x is defined twice (first at line 1)")),
        ("a: *nowhere\n", ("E003", 1, 4, "alias *nowhere names no anchor defined above it")),
    ],
)
def test_anchor_problems_read_as_sentences(text: str, expected: tuple[str, int, int, str]) -> None:
    assert first(text) == expected


def test_a_leading_byte_order_mark_is_allowed_in_text_given_to_the_library() -> None:
    assert isinstance(parse("<test>", "\ufeffx: 1\n"), Map)
    assert first("x: 1\n\ufeffy: 2\n")[:3] == ("E002", 2, 1)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("!!float 1", 1.0), ("!!str 064", "064"), ("!!int 12", 12), ('!!int "12"', 12)],
)
def test_an_explicit_tag_is_obeyed(raw: str, value: object) -> None:
    found = value_of(raw)
    assert (found, type(found)) == (value, type(value))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("!!int 1.5", "'1.5' is not an integer, as its tag !!int says"),
        ("!!float abc", "'abc' is not a number, as its tag !!float says"),
        ("!!bool 1", "'1' is not a boolean, as its tag !!bool says"),
        ("!!null 5", "'5' is not null, as its tag !!null says"),
        ("!!float 064", "'064' has a leading zero: YAML 1.1 reads the octal 52"),
    ],
)
def test_an_explicit_tag_on_text_of_another_type(raw: str, message: str) -> None:
    assert first(f"x: {raw}\n") == ("E103", 1, 4, message)
