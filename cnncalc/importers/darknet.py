"""Darknet ``.cfg`` to a cnncalc spec, as darknet computes it.

Each rule cites pjreddie/darknet (commit f6afaab) and AlexeyAB/darknet (commit 59596d7):

- The file (``src/parser.c``, ``read_cfg``): every whitespace character is removed from a line
  (``strip``), so spaces may sit anywhere; a line starting ``[`` opens a section, ``#`` and ``;``
  start comments, others are ``key=value``. Sections repeat, so this is not an INI file
  ``configparser`` can hold. A duplicate key is refused (darknet keeps the first silently).
- ``[net]`` (or ``[network]``) comes first: ``width``, ``height`` and ``channels`` are the input
  (``--input`` overrides). Layers are numbered from 0 after it.
- ``[convolutional]`` (``parse_convolutional``; ``convolutional_layer.c``): ``filters``, ``size``,
  ``stride`` (or ``stride_x``/``stride_y``), ``pad=1`` meaning ``size/2`` else ``padding``,
  ``groups``, ``dilation`` (AlexeyAB: cuDNN is given ``pad*dilation``), ``batch_normalize``,
  ``activation`` (default ``logistic``); ``out = (in + 2 pad - size)/stride + 1`` in integers (the
  spec's ``rounding: floor``). With ``batch_normalize`` the conv has no bias: the BN's scale and
  shift are trainable, its rolling mean and variance are buffers.
- ``[maxpool]`` (``parse_maxpool``; ``maxpool_layer.c``): ``size`` (default ``stride``),
  ``stride`` (default 1), ``padding`` a total defaulting to ``size - 1``, ``padding/2`` of it
  before; ``out = (in + padding - size)/stride + 1``. ``[local_avgpool]`` (AlexeyAB) likewise.
  ``[avgpool]`` averages the whole map.
- ``[route]`` (``parse_route``; ``route_layer.c``): ``layers`` relative (negative) or absolute,
  concatenated on channels; AlexeyAB's ``groups``/``group_id`` keep part ``group_id`` of
  ``groups`` of each input's channels. ``[shortcut]`` adds ``from`` (several in AlexeyAB) to the
  previous layer, then ``activation`` (default ``linear``). ``[scale_channels]`` multiplies.
- ``[connected]`` (``connected_layer.c``): ``output``, ``batch_normalize``, ``activation``
  (default ``logistic``). ``[dropout]`` ``probability``; ``[softmax]``; ``[batchnorm]``;
  ``[normalization]`` (LRN: ``size``, ``alpha``, ``beta``, ``kappa``).
- ``[upsample]`` (``parse_upsample``; ``upsample_layer.c``): ``stride`` (default 2) times
  nearest, ``out = in * stride``; ``scale`` multiplies the values, not the size. A negative
  stride is darknet's downsample (refused: no cnncalc type sums ``stride x stride`` blocks).
- ``[reorg]`` (``parse_reorg``; ``reorg_layer.c``): ``stride`` (default 1), ``out = in/stride``
  per side, ``c * stride^2`` channels, or the reverse with ``reverse=1``: cnncalc's
  ``pixel_unshuffle`` (``pixel_shuffle``). darknet's ``reorg_cpu`` orders the channels
  differently from PyTorch's ``PixelUnshuffle`` (it reads the input as ``c/stride^2`` channels of
  a map ``stride`` times larger), but the shape, the copy and the counts are the same, and no
  figure cnncalc gives depends on the order. ``flatten`` and ``extra`` are refused.
- ``[deconvolutional]`` (``parse_deconvolutional``; ``deconvolutional_layer.c``): ``filters``,
  ``size``, ``stride``, ``pad=1`` meaning ``size/2`` else ``padding``, ``batch_normalize``,
  ``activation`` (default ``logistic``); ``out = (in - 1) stride + size - 2 pad``; weights
  ``c*n*size*size``; as for a conv, with ``batch_normalize`` the ``biases`` are BN's shift
  (``forward_deconvolutional_layer`` adds them only without it). No groups or dilation.
- ``[yolo]``, ``[region]``, ``[detection]`` and ``[cost]`` pass their input through (they compute
  the loss and decode boxes): no layer.

A section cnncalc cannot compute yet is E102 "... is not supported yet" with what it needs
(:data:`PENDING`); adding one is a handler in :data:`HANDLERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from cnncalc.errors import MAX_PROBLEMS, Problem, Span, SpecError, did_you_mean, error
from cnncalc.importers.items import (
    INPUT,
    FieldValue,
    Network,
    not_supported_yet,
    pair_or_one,
    unknown_hint,
)
from cnncalc.records import Record, field
from cnncalc.shapes import Rounding, Shape, volume
from cnncalc.spec import Spec

#: Most sections in one file (YOLOv4 has 162; AlexeyAB's largest cfgs a few hundred).
MAX_SECTIONS = 20_000
#: A whole number as darknet's files write it (ASCII digits: ``str.isdigit`` takes ``²`` too).
_WHOLE = re.compile(r"-?[0-9]+\Z")
#: Most options in one file.
MAX_OPTIONS = 200_000

#: ``string_to_layer_type`` in parser.c: the short names of sections.
SYNONYMS = {
    "conv": "convolutional",
    "deconv": "deconvolutional",
    "conn": "connected",
    "max": "maxpool",
    "avg": "avgpool",
    "soft": "softmax",
    "lrn": "normalization",
    "network": "net",
}
#: Sections cnncalc cannot compute yet, with what each needs.
PENDING = {
    "reorg3d": "AlexeyAB's 3-D reorg rule",
    "crop": "a crop type",
    "local": "a locally connected type (unshared weights)",
    "rnn": "recurrent layer types",
    "gru": "recurrent layer types",
    "lstm": "recurrent layer types",
    "crnn": "recurrent layer types",
    "conv_lstm": "recurrent layer types",
    "l2norm": "an L2-normalisation type",
    "logistic": "a logistic loss type",
    "iseg": "an instance segmentation head type",
    "sam": "a spatial attention multiply (element-wise, no broadcast)",
    "gaussian_yolo": "a Gaussian YOLO head",
    "contrastive": "a contrastive head",
    "implicit": "an implicit-knowledge type",
    "empty": "an empty type",
    "silence": "a silence type",
}
#: darknet activations (``activations.c``, ``get_activation``) as cnncalc layers; ``linear`` is
#: none. ``leaky`` is ``0.1 x`` below zero (``leaky_activate``).
ACTIVATIONS: dict[str, tuple[str, dict[str, FieldValue]] | None] = {
    "linear": None,
    "logistic": ("sigmoid", {}),
    "relu": ("relu", {}),
    "leaky": ("leaky_relu", {"slope": 0.1}),
    "tanh": ("tanh", {}),
    "relu6": ("relu6", {}),
    "swish": ("silu", {}),
    "gelu": ("gelu", {}),
    "hard_sigmoid": ("hardsigmoid", {}),
    # elu_activate: exp(x) - 1 below zero, PyTorch's alpha 1
    "elu": ("elu", {}),
    # selu_activate: 1.0507 and 1.6732, PyTorch's constants to the digits darknet writes
    "selu": ("selu", {}),
    # AlexeyAB's mish_yashas: x tanh(softplus(x))
    "mish": ("mish", {}),
}
PENDING_ACTIVATIONS = (
    "hard_mish",
    "loggy",
    "ramp",
    "relie",
    "plse",
    "hardtan",
    "lhtan",
    "stair",
    "normalize_channels",
    "normalize_channels_softmax",
    "normalize_channels_softmax_maxval",
    "revleaky",
)


class Option(Record):
    """``key=value`` of a section, with the places of both."""

    value: str
    key_span: Span
    span: Span


class Section(Record, frozen=False):
    """``[name]`` and its options."""

    name: str
    span: Span
    options: dict[str, Option] = field(default_factory=dict)


def sections(file: str, text: str) -> list[Section]:
    """``read_cfg`` (parser.c): the sections of ``text`` in order; raises :class:`SpecError`
    (E003 syntax, E006 duplicate key, E007 a limit)."""
    found: list[Section] = []
    problems = []
    options = 0
    for number, line in enumerate(text.split("\n"), 1):
        # strip() removes every whitespace character; keep each kept one's column
        squeezed = "".join(line.split())  # strip(): every whitespace character goes
        if not squeezed or squeezed[0] in "#;":
            continue
        where = Span(file, number, len(line) - len(line.lstrip()) + 1)
        if squeezed[0] == "[":
            if not squeezed.endswith("]") or len(squeezed) < 3:
                problems.append(
                    error("E003", "cfg syntax: a section header is '[name]'", where, "e.g. [net]")
                )
                continue
            if len(found) >= MAX_SECTIONS:
                raise SpecError(
                    [
                        error(
                            "E007",
                            f"more than {MAX_SECTIONS:,} sections",
                            where,
                            "a network has hundreds",
                        )
                    ],
                    {file: text},
                )
            found.append(Section(squeezed[1:-1], where))
            continue
        equals = squeezed.find("=")
        if equals <= 0 or equals == len(squeezed) - 1:
            problems.append(
                error(
                    "E003",
                    f"cfg syntax: '{squeezed[:40]}' is not key=value",
                    where,
                    "write key=value",
                )
            )
            continue
        if not found:
            problems.append(
                error("E003", "cfg syntax: an option before any section", where, "start with [net]")
            )
            continue
        options += 1
        if options > MAX_OPTIONS:
            raise SpecError(
                [
                    error(
                        "E007",
                        f"more than {MAX_OPTIONS:,} options",
                        where,
                        "a network has thousands",
                    )
                ],
                {file: text},
            )
        key, value = squeezed[:equals], squeezed[equals + 1 :]
        section = found[-1]
        if key in section.options:
            problems.append(
                error(
                    "E006",
                    f"duplicate key '{key}' in [{section.name}]",
                    where,
                    f"darknet reads the first, line {section.options[key].key_span.line};"
                    " delete one",
                )
            )
            continue
        after = line.index("=") + 1  # the first '=' is the same with or without the spaces
        value_col = after + len(line[after:]) - len(line[after:].lstrip()) + 1
        section.options[key] = Option(value, where, Span(file, number, value_col))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise SpecError(problems, {file: text})
    return found


def load(file: str, text: str) -> Spec:
    """The spec of the darknet network in ``text``; raises :class:`SpecError` with every problem,
    located in the cfg."""
    return _Reader(file, text, sections(file, text)).read()


class _Reader:
    def __init__(self, file: str, text: str, found: list[Section]) -> None:
        self.net = Network(file, text)
        self.sections = found
        #: The cnncalc layer whose output is darknet layer ``i``'s output.
        self.outputs: list[str] = []
        self.shape: Shape | None = None

    def problem(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.net.problem(code, message, span, hint)

    def integer(self, s: Section, key: str, default: int, minimum: int = 0) -> int:
        """``option_find_int``, strictly: a whole number (darknet's ``atoi`` would read ``3x``
        as 3); -1 after reporting a problem."""
        option = s.options.get(key)
        if option is None:
            return default
        text = option.value
        if not _WHOLE.match(text) or len(text) > 12:
            self.problem("E103", f"'{key}' must be a whole number, not '{text}'", option.span)
            return -1
        value = int(text)
        if value < minimum:
            self.problem("E104", f"'{key}' must be at least {minimum}, not {value}", option.span)
            return -1
        if value > 10**7:
            self.problem("E007", f"'{key}' is {value:,}, above 10,000,000", option.span)
            return -1
        return value

    def real(self, s: Section, key: str, default: float) -> float:
        option = s.options.get(key)
        if option is None:
            return default
        try:
            value = float(option.value)
        except ValueError:
            value = float("nan")
        if not (0 <= value < 1e6):
            self.problem("E103", f"'{key}' must be a number, not '{option.value}'", option.span)
            return default
        return value

    def span(self, s: Section, key: str) -> Span:
        option = s.options.get(key)
        return option.span if option else s.span

    def read(self) -> Spec:
        net = self.net
        first = self.sections[0] if self.sections else None
        if first is None or SYNONYMS.get(first.name, first.name) != "net":
            where = first.span if first else Span(net.file, 1, 1)
            raise SpecError(
                [error("E105", "the first section must be [net] or [network]", where, "add [net]")],
                {net.file: net.text},
            )
        size = [self.integer(first, k, 0, 0) for k in ("height", "width", "channels")]
        shape = None
        if min(size) == 0:
            self.problem(
                "E105",
                "[net] needs height, width and channels",
                first.span,
                "e.g. height=224 width=224 channels=3",
            )
        elif min(size) > 0:
            try:
                shape = volume(
                    (size[0], size[1]), size[2]
                )  # the one check of an input, as for YAML
            except Problem as problem:
                net.problems.append(problem.diagnostic(first.span))
        self.shape = shape
        for index, section in enumerate(self.sections[1:]):
            if len(net.problems) >= MAX_PROBLEMS:
                break
            kind = SYNONYMS.get(section.name, section.name)
            handler = HANDLERS.get(kind)
            if handler is not None:
                handler(self, section, index)
            elif kind in PENDING:
                net.problems.append(
                    not_supported_yet(f"darknet [{section.name}]", PENDING[kind], section.span)
                )
            else:
                self.problem(
                    "E102",
                    f"unknown darknet section [{section.name}]",
                    section.span,
                    unknown_hint(kind, [*HANDLERS, *PENDING], "section"),
                )
            if len(self.outputs) == index:  # it failed, and said why: later indices still count
                self.outputs.append("")
        stem = Path(net.file).stem if net.file not in ("-", "<stdin>") else "spec"
        return net.spec(
            name=stem,
            title="",
            source=f"darknet cfg {Path(net.file).name}",
            description="",
            input=shape,
            rounding=Rounding.FLOOR,
        )

    # -- helpers ---------------------------------------------------------------------------------
    def add(
        self,
        kind: str,
        name: str,
        s: Section,
        inputs: list[str],
        fields: dict[str, FieldValue] | None = None,
        keys: dict[str, str] | None = None,
    ) -> str:
        """One cnncalc layer; a field's place is the option it came from (``keys``), else the
        section header."""
        located = {k: (v, self.span(s, (keys or {}).get(k, k))) for k, v in (fields or {}).items()}
        return self.net.add(kind, name, s.span, inputs, located)

    def activation(self, s: Section, index: int, default: str, current: str) -> str:
        option = s.options.get("activation")
        word = option.value if option else default
        where = option.span if option else s.span
        if word in PENDING_ACTIVATIONS:
            self.net.problems.append(
                not_supported_yet(
                    f"darknet activation '{word}'", f"a {word} activation type", where
                )
            )
            return current
        if word not in ACTIVATIONS:
            self.problem(
                "E102",
                f"unknown darknet activation '{word}'",
                where,
                did_you_mean(word, ACTIVATIONS),
            )
            return current
        found = ACTIVATIONS[word]
        if found is None:
            return current
        kind, fields = found
        return self.net.add(
            kind, f"{word}{index}", where, [current], {k: (v, where) for k, v in fields.items()}
        )

    def layer_ref(self, text: str, s: Section, key: str, index: int) -> str | None:
        """A route or shortcut index: negative counts back from this layer (``parse_route``)."""
        where = self.span(s, key)
        if not _WHOLE.match(text) or len(text) > 10:
            self.problem("E103", f"'{key}' must list layer indices, not '{text}'", where)
            return None
        found = int(text) + index if text.startswith("-") else int(text)
        if not 0 <= found < index:
            self.problem(
                "E201",
                f"'{key}={text}' names layer {found}, not one of the {index} layers before",
                where,
                f"use an index from 0 to {index - 1}, or -1 to -{index}"
                if index
                else "the first layer has no layer before it",
            )
            return None
        name = self.outputs[found]
        if not name:
            return None  # that layer failed, and said why
        return name

    def previous(self, index: int) -> str:
        """The output of darknet layer ``index - 1``, every layer's default input."""
        return self.outputs[index - 1] if index else INPUT

    def channels(self, name: str, where: Span) -> int | None:
        shape = self.shape
        return None if shape is None else self.net.channels(name, shape, Rounding.FLOOR, where)

    def same_window(self, s: Section) -> tuple[tuple[int, int], int] | None:
        """``stride_y``, ``stride_x`` (default ``stride``) and ``size`` (default given)."""
        stride = self.integer(s, "stride", 1, 1)
        stride_y = self.integer(s, "stride_y", stride, 1)
        stride_x = self.integer(s, "stride_x", stride, 1)
        if min(stride, stride_x, stride_y) < 0:
            return None
        return (stride_y, stride_x), stride


def _convolutional(r: _Reader, s: Section, index: int) -> None:
    filters = r.integer(s, "filters", 1, 1)
    size = r.integer(s, "size", 1, 1)
    window = r.same_window(s)
    pad = r.integer(s, "pad", 0)
    padding = size // 2 if pad > 0 else r.integer(s, "padding", 0)
    groups = r.integer(s, "groups", 1, 1)
    dilation = r.integer(s, "dilation", 1, 1) if size > 1 else 1
    bn = r.integer(s, "batch_normalize", 0)
    if min(filters, size, pad, padding, groups, dilation, bn) < 0 or window is None:
        return
    stride = window[0]
    fields: dict[str, FieldValue] = {"filters": filters, "kernel": size}
    if stride != (1, 1):
        fields["stride"] = pair_or_one(*stride)
    keys = {"kernel": "size", "pad": "padding" if pad == 0 else "pad"}
    if padding:
        fields["pad"] = padding * dilation  # AlexeyAB gives cuDNN pad*dilation
    if dilation != 1:
        fields["dilation"] = dilation
    if groups != 1:
        fields["groups"] = groups
    if bn:
        fields["bias"] = False
        keys["bias"] = "batch_normalize"
    current = r.add("conv", f"conv{index}", s, [r.previous(index)], fields, keys)
    if bn:
        current = r.add("batchnorm", f"bn{index}", s, [current])
    r.outputs.append(r.activation(s, index, "logistic", current))


def _deconvolutional(r: _Reader, s: Section, index: int) -> None:
    filters = r.integer(s, "filters", 1, 1)
    size = r.integer(s, "size", 1, 1)
    stride = r.integer(s, "stride", 1, 1)
    pad = r.integer(s, "pad", 0)
    padding = size // 2 if pad > 0 else r.integer(s, "padding", 0)
    bn = r.integer(s, "batch_normalize", 0)
    if min(filters, size, stride, pad, padding, bn) < 0:
        return
    fields: dict[str, FieldValue] = {"filters": filters, "kernel": size}
    if stride != 1:
        fields["stride"] = stride
    if padding:
        fields["pad"] = padding
    keys = {"kernel": "size", "pad": "padding" if pad == 0 else "pad"}
    if bn:
        fields["bias"] = False
        keys["bias"] = "batch_normalize"
    current = r.add("conv_transpose", f"deconv{index}", s, [r.previous(index)], fields, keys)
    if bn:
        current = r.add("batchnorm", f"bn{index}", s, [current])
    r.outputs.append(r.activation(s, index, "logistic", current))


def _upsample(r: _Reader, s: Section, index: int) -> None:
    option = s.options.get("stride")
    if option is not None and option.value.startswith("-"):
        r.net.problems.append(
            not_supported_yet(
                "darknet's downsample ([upsample] with a negative stride)",
                "a type that sums each stride x stride block",
                option.span,
            )
        )
        return
    stride = r.integer(s, "stride", 2, 1)
    if stride < 0:
        return
    r.outputs.append(
        r.add(
            "upsample",
            f"upsample{index}",
            s,
            [r.previous(index)],
            {"scale": stride},
            {"scale": "stride"},
        )
    )


def _reorg(r: _Reader, s: Section, index: int) -> None:
    for key in ("flatten", "extra"):
        if key in s.options and s.options[key].value != "0":
            r.net.problems.append(
                not_supported_yet(
                    f"a [reorg] with '{key}'", "a flattening reorg rule", r.span(s, key)
                )
            )
            return
    stride = r.integer(s, "stride", 1, 1)
    reverse = r.integer(s, "reverse", 0)
    if min(stride, reverse) < 0:
        return
    kind = "pixel_shuffle" if reverse else "pixel_unshuffle"
    r.outputs.append(
        r.add(
            kind,
            f"reorg{index}",
            s,
            [r.previous(index)],
            {"factor": stride},
            {"factor": "stride"},
        )
    )


def _maxpool(r: _Reader, s: Section, index: int, kind: str = "maxpool") -> None:
    window = r.same_window(s)
    if window is None:
        return
    stride, plain = window
    size = r.integer(s, "size", plain, 1)
    padding = r.integer(s, "padding", size - 1)
    if min(size, padding) < 0:
        return
    before = padding // 2  # maxpool_layer.c: the window starts -pad/2
    # the spec's rounding is floor, as darknet's integer division
    fields: dict[str, FieldValue] = {"kernel": size, "stride": pair_or_one(*stride)}
    if padding:
        fields["pad"] = (before, padding - before, before, padding - before)
    name = f"{'max' if kind == 'maxpool' else 'avg'}{index}"
    r.outputs.append(
        r.add(kind, name, s, [r.previous(index)], fields, {"kernel": "size", "pad": "padding"})
    )


def _local_avgpool(r: _Reader, s: Section, index: int) -> None:
    _maxpool(r, s, index, "avgpool")


def _avgpool(r: _Reader, s: Section, index: int) -> None:
    r.outputs.append(r.add("gap", f"avg{index}", s, [r.previous(index)]))


def _route(r: _Reader, s: Section, index: int) -> None:
    option = s.options.get("layers")
    if option is None:
        r.problem("E105", "[route] needs 'layers'", s.span, "e.g. layers=-1,-4")
        return
    refs = [r.layer_ref(part, s, "layers", index) for part in option.value.split(",")]
    groups = r.integer(s, "groups", 1, 1)
    group_id = r.integer(s, "group_id", 0)
    if any(ref is None for ref in refs) or min(groups, group_id) < 0:
        return
    if group_id >= groups:
        r.problem(
            "E104", f"group_id {group_id} must be below groups {groups}", r.span(s, "group_id")
        )
        return
    inputs = [ref for ref in refs if ref is not None]
    if groups > 1:  # route_layer.c: part group_id of each input's channels
        parts = []
        for number, ref in enumerate(inputs):
            channels = r.channels(ref, s.span)
            if channels is None:
                return
            if channels % groups:
                r.problem(
                    "E303",
                    f"groups={groups} does not divide {channels} channels",
                    r.span(s, "groups"),
                )
                return
            part = channels // groups
            parts.append(
                r.add(
                    "slice",
                    f"route{index}" if len(inputs) == 1 else f"route{index}.{number}",
                    s,
                    [ref],
                    {"channels": part, "start": part * group_id},
                    {"channels": "groups", "start": "group_id"},
                )
            )
        inputs = parts
        if len(inputs) == 1:
            r.outputs.append(inputs[0])
            return
    kind = "concat" if len(inputs) > 1 else "identity"
    r.outputs.append(r.add(kind, f"route{index}", s, inputs))


def _shortcut(r: _Reader, s: Section, index: int, kind: str = "add") -> None:
    option = s.options.get("from")
    if option is None:
        r.problem("E105", f"[{s.name}] needs 'from'", s.span, "e.g. from=-3")
        return
    if s.options.get("weights_type", Option("none", s.span, s.span)).value != "none":
        r.net.problems.append(
            not_supported_yet(
                "a weighted [shortcut]", "a weighted-sum merge type", r.span(s, "weights_type")
            )
        )
        return
    refs = [r.layer_ref(part, s, "from", index) for part in option.value.split(",")]
    if any(ref is None for ref in refs):
        return
    inputs = [r.previous(index), *(ref for ref in refs if ref is not None)]
    current = r.add(kind, f"{'shortcut' if kind == 'add' else 'scale'}{index}", s, inputs)
    r.outputs.append(r.activation(s, index, "linear", current))


def _scale_channels(r: _Reader, s: Section, index: int) -> None:
    _shortcut(r, s, index, "mul")


def _connected(r: _Reader, s: Section, index: int) -> None:
    units = r.integer(s, "output", 1, 1)
    bn = r.integer(s, "batch_normalize", 0)
    if min(units, bn) < 0:
        return
    fields: dict[str, FieldValue] = {"units": units}
    if bn:
        fields["bias"] = False
    current = r.add(
        "fc",
        f"fc{index}",
        s,
        [r.previous(index)],
        fields,
        {"units": "output", "bias": "batch_normalize"},
    )
    if bn:
        current = r.add("batchnorm", f"bn{index}", s, [current])
    r.outputs.append(r.activation(s, index, "logistic", current))


def _dropout(r: _Reader, s: Section, index: int) -> None:
    p = r.real(s, "probability", 0.5)
    if not 0 <= p < 1:
        r.problem("E104", f"'probability' must be in [0, 1), not {p}", r.span(s, "probability"))
        return
    r.outputs.append(
        r.add("dropout", f"dropout{index}", s, [r.previous(index)], {"p": p}, {"p": "probability"})
    )


def _softmax(r: _Reader, s: Section, index: int) -> None:
    r.outputs.append(r.add("softmax", f"softmax{index}", s, [r.previous(index)]))


def _batchnorm(r: _Reader, s: Section, index: int) -> None:
    r.outputs.append(r.add("batchnorm", f"bn{index}", s, [r.previous(index)]))


def _activation(r: _Reader, s: Section, index: int) -> None:
    r.outputs.append(r.activation(s, index, "linear", r.previous(index)))


def _normalization(r: _Reader, s: Section, index: int) -> None:
    size = r.integer(s, "size", 5, 1)
    if size < 0:
        return
    fields: dict[str, FieldValue] = {
        "size": size,
        "alpha": r.real(s, "alpha", 0.0001),
        "beta": r.real(s, "beta", 0.75),
        "k": r.real(s, "kappa", 1.0),
    }
    r.outputs.append(r.add("lrn", f"lrn{index}", s, [r.previous(index)], fields, {"k": "kappa"}))


def _pass_through(r: _Reader, s: Section, index: int) -> None:
    r.outputs.append(r.previous(index))


Handler = Callable[[_Reader, Section, int], None]

HANDLERS: dict[str, Handler] = {
    "convolutional": _convolutional,
    "deconvolutional": _deconvolutional,
    "upsample": _upsample,
    "reorg": _reorg,
    "maxpool": _maxpool,
    "local_avgpool": _local_avgpool,
    "avgpool": _avgpool,
    "route": _route,
    "shortcut": _shortcut,
    "scale_channels": _scale_channels,
    "connected": _connected,
    "dropout": _dropout,
    "softmax": _softmax,
    "batchnorm": _batchnorm,
    "activation": _activation,
    "normalization": _normalization,
    "yolo": _pass_through,
    "region": _pass_through,
    "detection": _pass_through,
    "cost": _pass_through,
}
