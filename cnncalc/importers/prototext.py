"""Protocol-buffer text format (Caffe's ``.prototxt``) to located messages.

The grammar is Google's text format (``google/protobuf/text_format.cc``), the part Caffe's files
use::

    message := field*
    field   := NAME ':' value | NAME ':'? '{' message '}' | NAME ':'? '<' message '>'
    value   := NUMBER | STRING+ | NAME | '[' value (',' value)* ']'

with ``#`` comments to the end of the line, and adjacent strings joined. Every field and value keeps
its line and column. Nothing here knows Caffe: :mod:`cnncalc.importers.caffe` reads the messages.
Google's own parser needs Caffe's compiled ``caffe.proto``, and the message it returns keeps no
place for its fields, so this one is written out (about 200 lines, no recursion: a stack holds the
open messages).

Bounds, as for YAML (``source.py``): the text is at most ``MAX_BYTES`` (checked by the caller that
read it), messages nest at most :data:`MAX_DEPTH` levels and a file holds at most
:data:`MAX_FIELDS` fields. Problems are E003 (syntax) and E007 (a limit), located.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from cnncalc.errors import Diagnostic, Span, SpecError, error
from cnncalc.records import Record, field

#: Deepest nesting of messages (Caffe's deepest is 4: layer, param, shape, ...).
MAX_DEPTH = 32
#: Most fields in one file (GoogLeNet's train_val has about 3,000, ResNet-152's deploy 6,000).
MAX_FIELDS = 50_000


class Literal(Record):
    """A scalar value: ``int``, ``float``, ``str`` (a quoted string) or :class:`Name` (an
    enum or ``true``/``false`` written bare)."""

    value: int | float | str
    #: True for a bare word (an enum value such as ``MAX``, or ``true``).
    bare: bool
    span: Span = field(compare=False)


class Message(Record, frozen=False):
    """A message: its fields in file order, each name with its value and the name's place."""

    span: Span
    fields: list[tuple[str, Literal | Message, Span]] = field(default_factory=list)

    def all(self, name: str) -> list[tuple[Literal | Message, Span]]:
        """Every value of the (repeated) field ``name``, in order."""
        return [(value, where) for key, value, where in self.fields if key == name]


_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\v]+|\#[^\n]*)
  | (?P<newline>\n)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[fF]?(?![A-Za-z_]))
  | (?P<name>[-+]?[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[:{}<>\[\],;])
  | (?P<bad>.)
    """,
    re.VERBOSE | re.ASCII,  # ASCII digits and names only, as protobuf's tokenizer
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}
#: Longest number literal read (as YAML's, ``source.py``): Python refuses to convert an integer of
#: more than 4,300 digits, and no network needs more than a few.
MAX_DIGITS = 30


class _Token(NamedTuple):
    kind: str
    text: str
    span: Span


def _tokens(file: str, text: str) -> Iterator[_Token]:
    """The tokens of ``text``, made as the parser reads them: a file that breaks a limit early
    costs no more than its beginning."""
    count, line, start = 0, 1, 0
    for match in _TOKEN.finditer(text):  # the scan runs in C; the loop sees only tokens
        kind = match.lastgroup
        if kind == "space":
            continue
        pos = match.start()
        if kind == "newline":
            line, start = line + 1, pos + 1
            continue
        where = Span(file, line, pos - start + 1)
        if kind == "bad":
            bad = match.group()
            hint = (
                "close the string on the same line"
                if bad in "\"'"
                else "prototxt has fields 'name: value' and messages 'name { ... }'"
            )
            raise SpecError([error("E003", f"prototxt syntax: unexpected {bad!r}", where, hint)])
        if kind == "number" and len(match.group()) > MAX_DIGITS:
            raise SpecError(
                [
                    error(
                        "E007",
                        f"a number of more than {MAX_DIGITS} characters",
                        where,
                        "write a realistic number",
                    )
                ]
            )
        count += 1
        if count > 4 * MAX_FIELDS:
            raise SpecError([_too_many(where)])
        yield _Token(kind or "", match.group(), where)
    yield _Token("end", "", Span(file, line, len(text) - start + 1))


class _Stream:
    """The tokens by index, read from :func:`_tokens` only as far as the parser has looked."""

    def __init__(self, tokens: Iterator[_Token]) -> None:
        self.read: list[_Token] = []
        self.source = tokens

    def __getitem__(self, index: int) -> _Token:
        while index >= len(self.read):
            # past the end token (the parser never looks there) the end token again
            self.read.append(next(self.source, self.read[-1]) if self.read else next(self.source))
        return self.read[index]


def _too_many(where: Span) -> Diagnostic:
    return error(
        "E007",
        f"the file has more than {MAX_FIELDS:,} fields",
        where,
        "a network description has a few thousand",
    )


def _unquote(token: _Token) -> str:
    body = token.text[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _literal(token: _Token) -> Literal:
    if token.kind == "string":
        return Literal(_unquote(token), False, token.span)
    if token.kind == "number":
        text = token.text.rstrip("fF")
        is_int = text.lstrip("+-").isdigit()
        return Literal(int(text) if is_int else float(text), False, token.span)
    return Literal(token.text, True, token.span)


def parse(file: str, text: str) -> Message:
    """Parse ``text`` (read from ``file``) into its top-level message; raises :class:`SpecError`
    (E003, E007) at the first problem, located."""
    tokens = _Stream(_tokens(file, text))
    root = Message(Span(file, 1, 1))
    stack: list[tuple[Message, str]] = [(root, "")]  # open messages and their closing bracket
    count, i = 0, 0

    def fail(token: _Token, message: str, hint: str) -> SpecError:
        return SpecError([error("E003", f"prototxt syntax: {message}", token.span, hint)])

    while True:
        token = tokens[i]
        current, closing = stack[-1]
        if token.kind == "end":
            if len(stack) > 1:
                raise fail(token, f"the file ends inside '{closing}'", f"close with '{closing}'")
            return root
        if token.kind == "punct" and token.text in ("}", ">"):
            if token.text != closing:
                raise fail(token, f"unexpected '{token.text}'", "every '}' closes a '{'")
            stack.pop()
            i += 1
            continue
        if token.kind == "punct" and token.text in (",", ";"):  # optional separators
            i += 1
            continue
        if token.kind != "name":
            raise fail(token, f"expected a field name, not '{token.text}'", "write 'name: value'")
        name, where = token.text, token.span
        i += 1
        count += 1
        if count > MAX_FIELDS:
            raise SpecError([_too_many(token.span)])
        colon = tokens[i].kind == "punct" and tokens[i].text == ":"
        if colon:
            i += 1
        nxt = tokens[i]
        if nxt.kind == "punct" and nxt.text in ("{", "<"):
            if len(stack) > MAX_DEPTH:
                raise SpecError(
                    [
                        error(
                            "E007",
                            f"messages nested deeper than {MAX_DEPTH} levels",
                            nxt.span,
                            "a network description nests a few levels",
                        )
                    ]
                )
            child = Message(nxt.span)
            current.fields.append((name, child, where))
            stack.append((child, "}" if nxt.text == "{" else ">"))
            i += 1
            continue
        if not colon:
            raise fail(nxt, f"expected ':' or '{{' after '{name}'", f"write '{name}: value'")
        if nxt.kind == "punct" and nxt.text == "[":  # the list shorthand: name: [1, 2]
            i += 1
            while not (tokens[i].kind == "punct" and tokens[i].text == "]"):
                item = tokens[i]
                if item.kind not in ("string", "number", "name"):
                    raise fail(item, "expected a value in the list", "e.g. 'dim: [1, 3, 224]'")
                current.fields.append((name, _literal(item), where))
                i += 1
                if tokens[i].kind == "punct" and tokens[i].text == ",":
                    i += 1
            i += 1
            continue
        if nxt.kind not in ("string", "number", "name"):
            raise fail(nxt, f"expected a value after '{name}:'", f"write '{name}: value'")
        value = _literal(nxt)
        i += 1
        if nxt.kind == "string":  # adjacent strings are one: "a" "b" is "ab"
            while tokens[i].kind == "string":
                value = Literal(str(value.value) + _unquote(tokens[i]), False, value.span)
                i += 1
        current.fields.append((name, value, where))
