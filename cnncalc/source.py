"""Bytes to located YAML values: every key and value keeps its file, line and column.

PyYAML is used only to *parse* (libyaml's event stream; never to compose or construct): no tag is
ever turned into a Python object, so ``!!python/...`` cannot run code. Building the nodes from the
events ourselves (one pass of libyaml, with its composer's refusals) lets us keep the raw text of
scalars (to reject YAML 1.1 booleans such as ``yes`` and the numbers YAML 1.1 and 1.2 read apart,
such as ``064``), detect duplicate keys (PyYAML silently keeps the last one) and bound the cost of
aliases (a "billion laughs" document). Characters that YAML forbids, or that would make lines
and columns differ from what an editor shows, are refused before parsing (:func:`parse`).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from typing import TYPE_CHECKING, Any

import yaml

from cnncalc.errors import Diagnostic, Span, SpecError, error
from cnncalc.records import Record, field

if TYPE_CHECKING:  # pathlib costs ~2 ms to import (urllib, ipaddress): strings do here
    from pathlib import Path

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
#: Deepest nesting of mappings and sequences accepted, measured on the parser's events before any
#: node is built (:func:`_measure`). Nodes are built without recursion; the bound is on what the
#: later steps walk.
MAX_DEPTH = 200

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value", "merge")
}
#: Plain scalars that YAML 1.1 resolves to types cnncalc has no use for (dates, ``=``, ``<<``) stay
#: text.
_TEXT_TAGS = {_TAG + t for t in ("str", "timestamp", "value", "merge")}
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_BOOL_WORDS = {"true", "false", "True", "False", "TRUE", "FALSE"}
#: Longest text of a scalar quoted in a message.
QUOTED = 40


class Scalar(Record):
    """A YAML scalar: its value (str, int, float, bool or None), raw text and whether it was
    quoted (or tagged ``!!str``: text by the author's choice either way)."""

    value: str | int | float | bool | None
    raw: str
    quoted: bool
    span: Span = field(compare=False)


class Seq(Record):
    """A YAML sequence."""

    items: tuple[Node, ...]
    span: Span = field(compare=False)


class Map(Record):
    """A YAML mapping with string keys; ``keys`` holds each key's own span."""

    entries: dict[str, Node]
    keys: dict[str, Span]
    span: Span = field(compare=False)

    def get(self, key: str) -> Node | None:
        return self.entries.get(key)


Node = Scalar | Seq | Map


def describe(node: Node) -> str:
    """A short phrase for error messages, as a person would name the value: ``a list of 3 items``,
    ``an empty mapping``, ``a mapping with 2 keys``, ``the string 'abc'``, ``the number 2.5``,
    ``an empty value``. A long string is cut to :data:`QUOTED` characters."""
    if isinstance(node, Seq):
        n = len(node.items)
        return "an empty list" if n == 0 else f"a list of {n} item{'s' if n > 1 else ''}"
    if isinstance(node, Map):
        n = len(node.entries)
        return "an empty mapping" if n == 0 else f"a mapping with {n} key{'s' if n > 1 else ''}"
    if node.value is None:
        return "an empty value" if node.raw == "" else "null"
    raw = node.raw if len(node.raw) <= QUOTED else node.raw[: QUOTED - 3] + "..."
    if isinstance(node.value, bool):
        return f"the boolean {raw}"
    if isinstance(node.value, int | float):
        return f"the number {raw}"
    return f"the string '{raw}'"


def kind(node: Node) -> str:
    """What ``node`` is, without its content: for a file that may not be a spec at all, whose text
    is never quoted (``a string``, ``a number``, ``a list``)."""
    if isinstance(node, Seq | Map):
        return describe(node)
    if node.value is None:
        return "null"
    if isinstance(node.value, bool):
        return "a boolean"
    return "a number" if isinstance(node.value, int | float) else "a string"


def path_kind(path: str | Path) -> str | None:
    """``"dir"``, ``"file"`` (regular) or ``"other"`` for what ``path`` names, links followed;
    ``None`` when nothing can be found there. Never raises, unlike ``Path.is_file()`` on a name
    too long for the system or one with a NUL byte, which a spec's ``extends`` may hold."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


#: Folders whose files belong to the system, never to a spec. /proc/self/environ is a "regular
#: file" holding the process's environment, secrets included: a spec (or a symbolic link in a
#: repository under check) must not get it quoted into a message.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def is_system_path(path: str | Path) -> bool:
    """True when ``path``, symbolic links followed, lies in one of :data:`SYSTEM_FOLDERS`."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return any(is_below(real, folder) for folder in SYSTEM_FOLDERS)


def is_below(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, component by component (as
    ``PurePath.is_relative_to``: ``/procfs`` is not below ``/proc``); both absolute and
    normalised."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def shown_path(path: str) -> str:
    """``path`` as a message shows it: relative to the working folder when below it."""
    here = os.getcwd()
    absolute = os.path.abspath(path)
    return os.path.relpath(absolute, here) if is_below(absolute, here) else path


def read_bytes(path: str) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of the regular file at ``path``, or :class:`SpecError`
    E001.

    Files of the system (:func:`is_system_path`) are never read. Only regular files are opened:
    opening a FIFO for reading would wait for a writer, and opening
    some devices has side effects. ``O_NONBLOCK`` keeps the open itself from waiting should the path
    be swapped for a FIFO between the check and the open.
    """
    where = Span(path, 1, 1)
    if is_system_path(path):
        raise SpecError(
            [
                error(
                    "E001",
                    "a system file (under /proc, /sys or /dev), not a spec",
                    where,
                    "pass a spec file",
                )
            ]
        )
    try:
        mode = os.stat(path).st_mode
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
        before = data[: exc.start].decode("utf-8-sig")  # valid, or the error would be there
        line, col = position(before, len(before))
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        message = (
            "the file is UTF-16 text (it starts with a UTF-16 byte order mark)"
            if utf16
            else f"byte 0x{data[exc.start]:02x} is not valid UTF-8"
        )
        raise SpecError(
            [error("E002", message, Span(path, line, col), "save the file as UTF-8 text")]
        ) from None
    return text


#: Characters refused anywhere in a spec (a leading byte order mark is removed before): the C0 and
#: C1 controls but tab, line feed and carriage return (YAML 1.2, section 5.1, allows none of them);
#: NEL, LS and PS, which YAML 1.1 and libyaml count as line breaks and editors do not, so lines
#: would be numbered unlike the editor shows them; a byte order mark past the start, invisible; and
#: the bidirectional controls, which make a line display in another order than it is read
#: ("Trojan Source", CVE-2021-42574); and lone surrogates, which only a Python string can hold.
#: Without them, ``str.splitlines()`` splits exactly where YAML does.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_BREAKS = re.compile("\r\n|\r|\n")
_SEPARATORS = {
    "\x85": "next-line character",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}
_CONTROL_NAMES = {
    "\x08": "backspace",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x1b": "escape",
    "\x7f": "delete",
}


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``text[offset]`` as an editor shows them: lines end at a line
    feed, a carriage return or both (the YAML 1.2 line breaks), columns count characters."""
    breaks = _BREAKS.findall(text, 0, offset)
    last = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
    return len(breaks) + 1, offset - last


def _forbidden(char: str) -> tuple[str, str]:
    """Message and hint for a character of :data:`_FORBIDDEN`."""
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        return "file contains a NUL character: binary, not a spec", "pass a YAML spec file"
    if char in _SEPARATORS:
        return (
            f"the {_SEPARATORS[char]} {code}: YAML 1.1 reads it as a line break, editors and"
            " YAML 1.2 do not",
            "end the line with a plain newline",
        )
    if char == "\ufeff":
        return (
            f"an invisible byte order mark ({code}) inside the file",
            "remove it: a byte order mark may only open the file",
        )
    if char in "\ufffe\uffff" or unicodedata.category(char) == "Cs":
        return f"the character {code} is not allowed in YAML", "remove it"
    if unicodedata.category(char) == "Cf":
        return (
            f"the invisible bidirectional control {code} ({unicodedata.name(char).lower()}) makes"
            " the line display in another order than it is read",
            "remove it",
        )
    name = _CONTROL_NAMES.get(char)
    return (
        f"the control character {code}{f' ({name})' if name else ''} is not allowed in YAML",
        f'remove it; inside a double-quoted string write it as "\\x{ord(char):02x}"',
    )


def parse(path: str, text: str) -> Node:
    """Read ``text`` into located nodes, or raise :class:`SpecError` with E002-E007."""
    # a byte order mark may open the text (read_text removes it; text given to the library may not)
    if (found := _FORBIDDEN.search(text, 1 if text.startswith("\ufeff") else 0)) is not None:
        line, col = position(text, found.start())
        message, hint = _forbidden(found.group())
        raise SpecError([error("E002", message, Span(path, line, col), hint)])
    try:
        events = _measure(path, text)
    except yaml.MarkedYAMLError as exc:
        raise SpecError([_syntax_error(path, text.splitlines(), exc)]) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [error("E003", f"YAML error: {exc}", Span(path, 1, 1), "fix the YAML syntax")]
        ) from None
    root = _Walker(path).walk(events)
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
    first = next(event for event in events if isinstance(event, yaml.NodeEvent))
    if (
        isinstance(first, yaml.ScalarEvent)
        and first.value == ""
        and not first.style
        and _tag(first) == _NULL
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
    return root


def _syntax_error(path: str, lines: list[str], exc: yaml.MarkedYAMLError) -> Diagnostic:
    """E003 at the place of PyYAML's problem (libyaml marks, 0-based), in words: its messages come
    in two halves (context, problem) that read well only together, and name no anchor."""
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
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    here = line[mark.column :] if mark else ""
    hint = "fix the YAML syntax at this place"
    name = _ANCHOR.match(here[1:])
    if problem == "second occurrence" and here.startswith("&") and exc.context_mark and name:
        first = exc.context_mark.line + 1
        return error(
            "E003",
            f"anchor &{name.group()} is defined twice (first at line {first})",
            span,
            "rename one of them: each alias must name one anchor",
        )
    if problem == "found undefined alias" and here.startswith("*") and name:
        return error(
            "E003",
            f"alias *{name.group()} names no anchor defined above it",
            span,
            f"define '&{name.group()}' on a value before this alias",
        )
    # libyaml's message does not name the character; look at the line itself for a tab
    if "\t" in problem or "tab" in problem or "\t" in line[: mark.column + 1 if mark else 0]:
        hint = "YAML indents with spaces, never tabs"
    return error("E003", f"YAML syntax error: {problem}", span, hint)


#: An anchor or alias name after its ``&`` or ``*``: up to a space or a flow indicator.
_ANCHOR = re.compile(r"[^\s,\[\]{}]+")


def _measure(path: str, text: str) -> list[yaml.Event]:
    """The parser's events for ``text``, after refusing a document nested deeper than
    :data:`MAX_DEPTH` or expanding to more than :data:`MAX_NODES` nodes, and then what libyaml's
    composer refuses (an alias to no anchor, an anchor defined twice, a second document), with its
    messages and marks.

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
    # The composer's checks, on the first document only (the composer stops at the second); the
    # first refusal is raised once the limits above hold for the whole stream, as before composing.
    anchors: dict[str, Any] = {}  # the first document's anchors: the mark where each is defined
    refused: yaml.MarkedYAMLError | None = None
    documents = 0
    root: yaml.Event | None = None  # the first document's root node
    events = []
    for event in yaml.parse(text, Loader=_Loader):
        events.append(event)
        # the commonest events first
        if isinstance(event, yaml.ScalarEvent):
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
                            _where(path, event),
                            "flatten the document",
                        )
                    ]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = stack.pop()
            if anchor is not None:
                unfinished.discard(anchor)
                sizes[anchor] = count - start
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in unfinished:
                message = (
                    f"alias *{event.anchor} repeats a node that contains it: the document is"
                    " infinite"
                )
                raise SpecError([error("E007", message, _where(path, event), "remove the alias")])
            count += sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents == 2 and refused is None and root is not None:
                refused = _composer_error(
                    "expected a single document in the stream",
                    root.start_mark,
                    "but found another document",
                    event.start_mark,
                )
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
                        _where(path, event),
                        hint,
                    )
                ]
            )
        if documents == 1 and refused is None and isinstance(event, yaml.NodeEvent):
            root = root or event
            if event.anchor is not None:  # an anchor, or the one an alias names
                refused = _composer_refusal(event, anchors)
    if refused is not None:
        raise refused
    return events


def _composer_refusal(
    event: yaml.NodeEvent, anchors: dict[str, Any]
) -> yaml.MarkedYAMLError | None:
    """What libyaml's composer raises at ``event`` (``_compose_node`` in PyYAML's ``_yaml.pyx``),
    given the ``anchors`` defined before it (updated here); ``None`` when it accepts the event."""
    if isinstance(event, yaml.AliasEvent):
        if event.anchor not in anchors:
            return _composer_error(None, None, "found undefined alias", event.start_mark)
    elif event.anchor is not None:
        if event.anchor in anchors:
            return _composer_error(
                "found duplicate anchor; first occurrence",
                anchors[event.anchor],
                "second occurrence",
                event.start_mark,
            )
        anchors[event.anchor] = event.start_mark
    return None


def _composer_error(
    context: str | None, context_mark: Any, problem: str, problem_mark: Any
) -> yaml.MarkedYAMLError:
    """The error libyaml's composer raises, at the C parser's marks (which PyYAML's type stubs
    leave out of ``ComposerError``'s)."""
    return yaml.composer.ComposerError(context, context_mark, problem, problem_mark)


def _where(path: str, event: yaml.Event) -> Span:
    """Where ``event`` starts (libyaml's marks are 0-based)."""
    mark = event.start_mark
    return Span(path, mark.line + 1, mark.column + 1) if mark else Span(path, 1, 1)


def _tag(event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> str:
    """The tag libyaml's composer gives the node ``event`` starts: its own, or for none (or the
    non-specific ``!``) the one YAML 1.1's resolver gives a plain scalar's text, else the string,
    mapping or sequence tag."""
    if event.tag is not None and event.tag != "!":
        return event.tag
    if isinstance(event, yaml.ScalarEvent):
        plain, _ = event.implicit
        if not plain or (event.value and event.value[0] not in _RESOLVER.yaml_implicit_resolvers):
            # what the resolver gives without a call: it reads only plain text, by a table of
            # patterns keyed by the first character (SafeLoader's has no others)
            return _STR
        tag: str = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        return tag
    return _MAP if isinstance(event, yaml.MappingStartEvent) else _SEQ


class _Walker:
    """Located nodes from a document's events, without recursion, so deep documents cannot exhaust
    the stack."""

    def __init__(self, path: str) -> None:
        self.path = path

    def walk(self, events: list[yaml.Event]) -> Node | None:
        """The first document's root, or ``None`` when the stream holds no document. Scalars are
        converted in document order and a collection after its children, as a recursive walk
        would, so the first problem in the document is the one reported; an alias stands for the
        node its anchor names. The document's size and depth were bounded by :func:`_measure`,
        aliases included."""
        stack: list[tuple[yaml.CollectionStartEvent, list[Node]]] = []  # the open collections
        anchored: dict[str | None, Node] = {}
        for event in events:
            done: Node
            if isinstance(event, yaml.ScalarEvent):
                done, anchor = self.scalar(event), event.anchor
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append((event, []))
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                start, children = stack.pop()
                done, anchor = self.collection(start, children), start.anchor
            elif isinstance(event, yaml.AliasEvent):
                done, anchor = anchored[event.anchor], None
            else:
                continue  # the stream's and the documents' own events
            if anchor is not None:
                anchored[anchor] = done
            if not stack:
                return done
            stack[-1][1].append(done)
        return None

    def collection(self, start: yaml.CollectionStartEvent, children: list[Node]) -> Node:
        self.check_tag(start, _MAP if isinstance(start, yaml.MappingStartEvent) else _SEQ)
        if isinstance(start, yaml.SequenceStartEvent):
            return Seq(tuple(children), _where(self.path, start))
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
        return Map(entries, keys, _where(self.path, start))

    def check_tag(self, start: yaml.ScalarEvent | yaml.CollectionStartEvent, default: str) -> str:
        """The node's tag (:func:`_tag`), refused (E005) unless it is ``default`` or, for a scalar,
        one of :data:`_SCALAR_TAGS`."""
        tag = _tag(start)
        if tag != default and not (isinstance(start, yaml.ScalarEvent) and tag in _SCALAR_TAGS):
            raise SpecError(
                [
                    error(
                        "E005",
                        f"YAML tag '{tag}' is not loaded",
                        _where(self.path, start),
                        "cnncalc reads plain YAML data only (safe loading): remove the tag",
                    )
                ]
            )
        return tag

    def scalar(self, event: yaml.ScalarEvent) -> Scalar:
        tag = self.check_tag(event, _STR)
        return _scalar(event.value, tag, event.style in ("'", '"'), _where(self.path, event))


def plain_scalar(text: str, span: Span) -> Scalar:
    """``text`` read as YAML reads a plain (unquoted) scalar, by the same rules as a spec's: the
    command line's ``--set v=064`` is refused as ``v: 064`` is, and ``--set v=1e3`` is what
    ``v: 1e3`` is."""
    return _scalar(text, _implicit_tag(text), False, span)


_RESOLVER = yaml.resolver.Resolver()
#: The tags whose text :func:`_scalar` checks against what YAML 1.1 would resolve it to.
_RESOLVED = {_TAG + t for t in ("int", "float", "bool", "null", "str")}


def _implicit_tag(raw: str) -> str:
    """The tag YAML 1.1's resolver gives ``raw`` as a plain scalar."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, raw, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _scalar(raw: str, tag: str, quoted: bool, span: Span) -> Scalar:
    """A scalar's value from its text and the tag YAML 1.1's resolver gave it, or
    :class:`SpecError` for the spellings YAML readers disagree on."""
    value: str | int | float | bool | None
    if tag == _INT and _DECIMAL.fullmatch(raw):
        return Scalar(
            _to_int(raw, span), raw, quoted, span
        )  # nearly every number: no more to check
    if tag == _STR and (quoted or not _TEXT_IN_1_1.fullmatch(raw)):
        return Scalar(raw, raw, quoted, span)  # text that every YAML reader reads as text
    if not quoted and tag in _RESOLVED:
        implicit = _implicit_tag(raw)
        if implicit != tag:  # an explicit tag: !!str 064 is text, !!float 1 a float
            if tag == _STR:
                return Scalar(raw, raw, True, span)
            if not (tag == _FLOAT and implicit == _INT):
                what = {"int": "an integer", "float": "a number", "bool": "a boolean"}
                shown = raw if len(raw) <= QUOTED else raw[: QUOTED - 3] + "..."
                name = tag.removeprefix(_TAG)
                raise SpecError(
                    [
                        error(
                            "E103",
                            f"'{shown}' is not {what.get(name, name)}, as its tag !!{name} says",
                            span,
                            "remove the tag, or write a value of its type",
                        )
                    ]
                )
        _refuse_ambiguous_number(raw, implicit, span)
    if quoted or tag in _TEXT_TAGS:
        value = raw
    elif tag == _NULL:
        value = None
    elif tag == _BOOL:
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
    elif tag == _INT:
        value = _to_int(raw, span)
    elif tag == _FLOAT:
        value = _to_float(raw)
    else:
        value = raw
    return Scalar(value, raw, quoted, span)


#: The integers of YAML 1.2's core schema that YAML 1.1 reads alike: decimal, no leading zero.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
#: Plain scalars that YAML 1.1 reads as text and YAML 1.2 as an integer (its core schema, section
#: 10.3.2): octal ``0o17``, and decimals with a leading zero that are not 1.1 octal (``08``).
_TEXT_IN_1_1 = re.compile(r"[-+]?0[oO][0-7]+|[-+]?0[0-9]+")


def _refuse_ambiguous_number(raw: str, tag: str, span: Span) -> None:
    """E103 for a plain scalar that YAML 1.1 (PyYAML's resolver, which gave ``tag``) and YAML 1.2
    (most other tools) read as different numbers, or one as a number and the other as text: a
    leading zero (1.1: octal, ``064`` is 52), ``0o``, ``0x``, ``0b``, ``_`` between digits and base
    60 (``1:30`` is 90), in integers and floats. A spec must mean the same to every reader, so such
    a scalar is refused wherever it stands, like ``yes``; quoted, it is text."""
    if tag == _INT:
        if _DECIMAL.fullmatch(raw):
            return
    elif tag == _FLOAT:
        if "_" not in raw and ":" not in raw:
            return
    elif not _TEXT_IN_1_1.fullmatch(raw):
        return
    shown = raw if len(raw) <= QUOTED else raw[: QUOTED - 3] + "..."
    body = raw.lstrip("+-").lower()
    if ":" in body:
        reason = f"'{shown}' is a YAML 1.1 base-60 number ({_sexagesimal(body)}), text in YAML 1.2"
    elif body.startswith("0o"):
        reason = f"'{shown}' is an octal number in YAML 1.2 and text in YAML 1.1"
    elif body.startswith("0x"):
        reason = f"'{shown}' is a hexadecimal number: sizes and counts are written in decimal"
    elif body.startswith("0b"):
        reason = f"'{shown}' is a binary number in YAML 1.1 and text in YAML 1.2"
    elif "_" in body:
        reason = f"'{shown}' has '_' between digits: a number in YAML 1.1, text in YAML 1.2"
    elif tag == _INT:
        reason = f"'{shown}' has a leading zero: YAML 1.1 reads the octal {int(body, 8)}"
    else:
        reason = f"'{shown}' has a leading zero: text in YAML 1.1, a number in YAML 1.2"
    raise SpecError(
        [error("E103", reason, span, "write a plain decimal number, or quote it if you mean text")]
    )


def _sexagesimal(body: str) -> str:
    """YAML 1.1's value of a base-60 number, for the message (``1:30`` is 90)."""
    if len(body) > 30:
        return "a large number"
    whole, point, fraction = body.partition(".")
    total = 0
    for part in whole.replace("_", "").split(":"):
        total = total * 60 + int(part)
    return f"{total}{point}{fraction.replace('_', '')}"


def _to_int(raw: str, span: Span) -> int:
    """A decimal integer (:func:`_refuse_ambiguous_number` has refused every other form)."""
    if len(raw.lstrip("+-")) > 30:
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
    return int(raw)


def _to_float(raw: str) -> float:
    """A YAML float: decimal digits with a point (ASCII only, as YAML's resolver matched them),
    or one of the spellings of infinity and not-a-number."""
    lowered = raw.lower()
    if lowered.endswith((".inf", ".nan")):
        return float(lowered.replace(".", ""))
    return float(raw)
