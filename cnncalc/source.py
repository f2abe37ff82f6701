"""Bytes to located YAML values: every key and value keeps its file, line and column.

PyYAML is used only to *compose* (never construct): no tag is ever turned into a Python object,
so ``!!python/...`` cannot run code. Walking the node graph ourselves lets us keep the raw text of
scalars (to reject YAML 1.1 booleans such as ``yes``), detect duplicate keys (PyYAML silently keeps
the last one) and bound the cost of aliases (a "billion laughs" document).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cnncalc.errors import Span, SpecError, error

try:  # the libyaml C parser is several times faster; fall back to pure Python where absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest spec file or standard input read, in bytes (the largest built-in is a few kilobytes).
MAX_BYTES = 1_000_000
#: Most YAML nodes a document may expand to (aliases count each time they are used). Composing and
#: walking cost about 15 microseconds a node, so this keeps any document under a second; the
#: largest built-in has under 1,000.
MAX_NODES = 50_000
#: Deepest nesting of mappings and sequences accepted. libyaml's composer recurses in C, so a
#: deeper document could overflow the C stack: :func:`parse` measures the depth before composing.
MAX_DEPTH = 200

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value", "merge")
}
#: Plain scalars that YAML 1.1 resolves to types cnncalc has no use for (dates, ``=``, ``<<``) stay
#: text.
_TEXT_TAGS = {_TAG + t for t in ("str", "timestamp", "value", "merge")}
_BOOL_WORDS = {"true", "false", "True", "False", "TRUE", "FALSE"}


@dataclass(frozen=True, slots=True)
class Scalar:
    """A YAML scalar: its value (str, int, float, bool or None), raw text and whether it was
    quoted."""

    value: str | int | float | bool | None
    raw: str
    quoted: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Seq:
    """A YAML sequence."""

    items: tuple[Node, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Map:
    """A YAML mapping with string keys; ``keys`` holds each key's own span."""

    entries: dict[str, Node]
    keys: dict[str, Span]
    span: Span = field(compare=False)

    def get(self, key: str) -> Node | None:
        return self.entries.get(key)


Node = Scalar | Seq | Map


def describe(node: Node) -> str:
    """A short phrase for error messages: ``a list``, ``the string 'abc'``, ``the number 2.5``."""
    if isinstance(node, Seq):
        return "a list"
    if isinstance(node, Map):
        return "a mapping"
    if node.value is None:
        return "null"
    if isinstance(node.value, bool):
        return f"the boolean {node.raw}"
    if isinstance(node.value, int | float):
        return f"the number {node.raw}"
    return f"the string '{node.raw}'"


def path_kind(path: str | Path) -> str | None:
    """``"dir"``, ``"file"`` (regular) or ``"other"`` for what ``path`` names, links followed;
    ``None`` when nothing can be found there. Never raises, unlike ``Path.is_file()`` on a name
    too long for the system or one with a NUL byte, which a spec's ``extends`` may hold."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return None
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def read_bytes(path: str) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of the regular file at ``path``, or :class:`SpecError`
    E001.

    Only regular files are opened: opening a FIFO for reading would wait for a writer, and opening
    some devices has side effects. ``O_NONBLOCK`` keeps the open itself from waiting should the path
    be swapped for a FIFO between the check and the open.
    """
    where = Span(path, 1, 1)
    try:
        mode = Path(path).stat().st_mode
        if stat.S_ISDIR(mode):
            raise SpecError(
                [
                    error(
                        "E001",
                        "is a directory, not a spec file",
                        where,
                        "pass a .yaml file, or use 'cnncalc check DIR'",
                    )
                ]
            )
        if not stat.S_ISREG(mode):
            raise SpecError(
                [
                    error(
                        "E001",
                        "not a regular file (a device, FIFO or socket)",
                        where,
                        "pass a spec file",
                    )
                ]
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise SpecError(
                    [
                        error(
                            "E001",
                            "not a regular file (a device, FIFO or socket)",
                            where,
                            "pass a spec file",
                        )
                    ]
                )
            return stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(
            [
                error(
                    "E001",
                    "no such file",
                    where,
                    "check the path, or run 'cnncalc list' for the built-in names",
                )
            ]
        ) from None
    except OSError as exc:
        raise SpecError(
            [
                error(
                    "E001",
                    f"cannot read: {exc.strerror or exc}",
                    where,
                    "check the file's permissions",
                )
            ]
        ) from None


def read_text(path: str, data: bytes) -> str:
    """Decode ``data`` read from ``path`` as UTF-8 (a BOM is allowed), or raise E002 at the first
    bad byte.

    Callers read at most ``MAX_BYTES + 1`` bytes, so a longer input is refused here (E007)."""
    if len(data) > MAX_BYTES:
        raise SpecError(
            [
                error(
                    "E007",
                    f"the input is larger than {MAX_BYTES:,} bytes",
                    Span(path, 1, 1),
                    "a spec is a few kilobytes: pass a spec file",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        message = (
            "the file is UTF-16 text (it starts with a UTF-16 byte order mark)"
            if utf16
            else f"byte 0x{data[exc.start]:02x} is not valid UTF-8"
        )
        raise SpecError(
            [error("E002", message, Span(path, line, col), "save the file as UTF-8 text")]
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise SpecError(
            [
                error(
                    "E002",
                    "file contains a NUL character: binary, not a spec",
                    Span(path, line, col),
                    "pass a YAML spec file",
                )
            ]
        )
    return text


def parse(path: str, text: str) -> Node:
    """Compose ``text`` into located nodes, or raise :class:`SpecError` with E003-E007."""
    try:
        _measure(path, text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        lines = text.splitlines()
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context_mark and (mark is None or mark.line >= len(lines)):
            # "unexpected end of stream": point where the unclosed string or bracket opened
            mark, problem = exc.context_mark, f"{exc.context}: {problem}"
        span = (
            Span(path, mark.line + 1, mark.column + 1)
            if mark and mark.line < len(lines)
            else Span(path, max(len(lines), 1), 1)
        )
        # libyaml's message does not name the character; look at the line itself for a tab
        line = lines[mark.line] if mark and mark.line < len(lines) else ""
        tabbed = (
            "\t" in problem or "tab" in problem or "\t" in line[: mark.column + 1 if mark else 0]
        )
        hint = "YAML indents with spaces, never tabs" if tabbed else None
        raise SpecError(
            [
                error(
                    "E003",
                    f"YAML syntax error: {problem}",
                    span,
                    hint or "fix the YAML syntax at this place",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [error("E003", f"YAML error: {exc}", Span(path, 1, 1), "fix the YAML syntax")]
        ) from None
    except RecursionError:
        raise SpecError(
            [
                error(
                    "E007",
                    "YAML nesting is too deep",
                    Span(path, 1, 1),
                    f"nest at most {MAX_DEPTH} levels",
                )
            ]
        ) from None
    if root is None:
        raise SpecError(
            [
                error(
                    "E004",
                    "the file is empty",
                    Span(path, 1, 1),
                    "a spec is a mapping with at least 'input' and 'layers'",
                )
            ]
        )
    if (
        isinstance(root, yaml.ScalarNode)
        and root.tag == _TAG + "null"
        and root.value == ""
        and not root.style
    ):
        # a lone '---': the empty value is placed after it, possibly past the last line
        raise SpecError(
            [
                error(
                    "E004",
                    "the document is empty",
                    Span(path, 1, 1),
                    "a spec is a mapping with at least 'input' and 'layers'",
                )
            ]
        )
    return _Walker(path).walk(root)


def _measure(path: str, text: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` or expanding to more than
    :data:`MAX_NODES` nodes, from the parser's event stream, before anything is composed.

    Events come from libyaml's iterative parser, so this pass is cheap and cannot overflow a stack;
    it stops at the first event past a limit. An alias counts the whole subtree it repeats, which
    catches a "billion laughs" document after a few hundred events.
    """
    count = 0
    sizes: dict[str, int] = {}  # expanded size of each finished anchored node
    stack: list[
        tuple[str | None, int]
    ] = []  # per open collection: its anchor, the count at its start
    unfinished: set[str] = set()  # anchors of open collections: an alias to one would be a cycle

    def where(
        event: yaml.Event,
    ) -> Span:  # only for a message: a Span per event would cost a third of parsing
        mark = event.start_mark
        return Span(path, mark.line + 1, mark.column + 1) if mark else Span(path, 1, 1)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in unfinished:
                message = (
                    f"alias *{event.anchor} repeats a node that contains it: the document is"
                    " infinite"
                )
                raise SpecError([error("E007", message, where(event), "remove the alias")])
            count += sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            count += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            count += 1
            stack.append((event.anchor, count - 1))
            if event.anchor is not None:
                unfinished.add(event.anchor)
            if len(stack) > MAX_DEPTH:
                raise SpecError(
                    [
                        error(
                            "E007",
                            f"YAML nesting deeper than {MAX_DEPTH} levels",
                            where(event),
                            "flatten the document",
                        )
                    ]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = stack.pop()
            if anchor is not None:
                unfinished.discard(anchor)
                sizes[anchor] = count - start
        if count > MAX_NODES:
            hint = (
                "aliases (*name) multiply a document's size: write it without them"
                if sizes
                else "describe repeated layers with blocks and 'repeat'"
            )
            raise SpecError(
                [
                    error(
                        "E007",
                        f"the document expands to more than {MAX_NODES:,} YAML nodes",
                        where(event),
                        hint,
                    )
                ]
            )


class _Walker:
    """Iterative conversion of a composed node graph, so deep documents cannot exhaust the stack."""

    def __init__(self, path: str) -> None:
        self.path = path

    def span(self, node: yaml.Node) -> Span:
        return Span(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def walk(self, root: yaml.Node) -> Node:
        # Post-order over an explicit stack: (yaml node, converted children or None). The document's
        # size and depth were bounded by _measure, aliases included.
        stack: list[tuple[yaml.Node, list[Node] | None]] = [(root, None)]
        done: list[Node] = []
        while stack:
            node, children = stack.pop()
            if children is None:
                if isinstance(node, yaml.ScalarNode):
                    done.append(self.scalar(node))
                    continue
                subnodes = (
                    [v for pair in node.value for v in pair]
                    if isinstance(node, yaml.MappingNode)
                    else list(node.value)
                )
                stack.append((node, []))
                stack.extend((child, None) for child in reversed(subnodes))
                continue
            count = len(node.value) * (2 if isinstance(node, yaml.MappingNode) else 1)
            converted = done[len(done) - count :] if count else []
            del done[len(done) - count :]
            done.append(self.collection(node, converted))
        return done[0]

    def collection(self, node: yaml.Node, children: list[Node]) -> Node:
        self.check_tag(node, _TAG + ("map" if isinstance(node, yaml.MappingNode) else "seq"))
        if isinstance(node, yaml.SequenceNode):
            return Seq(tuple(children), self.span(node))
        entries: dict[str, Node] = {}
        keys: dict[str, Span] = {}
        for key, value in zip(children[0::2], children[1::2], strict=True):
            if isinstance(key, Scalar) and key.raw == "<<" and not key.quoted:
                raise SpecError(
                    [
                        error(
                            "E005",
                            "merge keys (<<) are not supported",
                            key.span,
                            "write the keys out, or use a block with arguments",
                        )
                    ]
                )
            if (
                not isinstance(key, Scalar)
                or key.value is None
                or isinstance(key.value, bool | float)
            ):
                raise SpecError(
                    [
                        error(
                            "E103",
                            f"a mapping key must be a name, not {describe(key)}",
                            key.span,
                            "use a plain word as the key",
                        )
                    ]
                )
            name = str(key.value) if not isinstance(key.value, str) else key.value
            if name in entries:
                raise SpecError(
                    [
                        error(
                            "E006",
                            f"duplicate key '{name}' (first at line {keys[name].line})",
                            key.span,
                            "each key may appear once in a mapping: remove or rename one",
                        )
                    ]
                )
            entries[name] = value
            keys[name] = key.span
        return Map(entries, keys, self.span(node))

    def check_tag(self, node: yaml.Node, default: str) -> None:
        tag = node.tag or default
        if tag != default and not (isinstance(node, yaml.ScalarNode) and tag in _SCALAR_TAGS):
            raise SpecError(
                [
                    error(
                        "E005",
                        f"YAML tag '{tag}' is not loaded",
                        self.span(node),
                        "cnncalc reads plain YAML data only (safe loading): remove the tag",
                    )
                ]
            )

    def scalar(self, node: yaml.ScalarNode) -> Scalar:
        self.check_tag(node, _TAG + "str")
        raw: str = node.value
        quoted = node.style in ("'", '"')
        span = self.span(node)
        tag = node.tag
        value: str | int | float | bool | None
        if quoted or tag in _TEXT_TAGS:
            value = raw
        elif tag == _TAG + "null":
            value = None
        elif tag == _TAG + "bool":
            if raw not in _BOOL_WORDS:
                raise SpecError(
                    [
                        error(
                            "E103",
                            f"'{raw}' is a YAML 1.1 boolean, ambiguous here",
                            span,
                            "write true or false, or quote it if you mean text",
                        )
                    ]
                )
            value = raw.lower() == "true"
        elif tag == _TAG + "int":
            value = _to_int(raw, span)
        elif tag == _TAG + "float":
            try:
                value = float(raw.replace("_", ""))
            except ValueError:  # '.inf' and '.nan' spellings
                value = {".inf": float("inf"), "-.inf": float("-inf")}.get(
                    raw.lower(), float("nan")
                )
        else:
            value = raw
        return Scalar(value, raw, quoted, span)


def _to_int(raw: str, span: Span) -> int:
    text = raw.replace("_", "")
    if len(text) > 30:
        raise SpecError(
            [
                error(
                    "E007",
                    f"the number {raw[:20]}... is too large",
                    span,
                    "numbers are limited to 30 digits",
                )
            ]
        )
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    base = 10
    for prefix, b in (("0x", 16), ("0o", 8), ("0b", 2)):
        if body.lower().startswith(prefix):
            body, base = body[2:], b
    if base == 10 and ":" in body:  # YAML 1.1 sexagesimal (1:30), a classic surprise
        raise SpecError(
            [
                error(
                    "E103",
                    f"'{raw}' is a YAML 1.1 base-60 number",
                    span,
                    "quote it if you mean text",
                )
            ]
        )
    if base == 10 and len(body) > 1 and body.startswith("0"):
        base = 8
    try:
        return sign * int(body, base)
    except ValueError:
        raise SpecError(
            [error("E103", f"'{raw}' is not a number", span, "write a decimal integer")]
        ) from None
