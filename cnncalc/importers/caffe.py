"""Caffe ``.prototxt`` to a cnncalc spec, as Caffe computes it.

Each rule cites BVLC/caffe (``src/caffe/``, commit 9b89154):

- The net is the TEST phase (``Net(param_file, TEST)``, ``net.cpp``); a layer is kept when one of
  its ``include`` rules meets the state, or, with none, when no ``exclude`` rule does
  (``Net::FilterNet`` and ``Net::StateMeetsRule``: phase, min/max level, stages). Layers with no
  rule are in every phase.
- V1 files (``layers { type: CONVOLUTION }``) name types by enum; ``util/upgrade_proto.cpp``
  (``UpgradeV1LayerType``) gives each its V2 name, which :data:`V1_TYPES` holds.
- The input: ``input:`` with four ``input_dim`` (N, C, H, W) or an ``input_shape { dim }``, an
  ``Input`` layer's ``input_param { shape { dim } }``, or a data layer's
  ``transform_param { crop_size }`` (channels are not declared there: 3 is assumed and said so).
  A batch other than 1 is reported in the description; figures are per image.
- A blob is named by ``top``; a layer whose ``top`` is its ``bottom`` works in place, and the blob
  then names its output. A bottom no layer above produces is E201 at the bottom.
- Convolution (``layers/base_conv_layer.cpp``, ``conv_layer.cpp``): ``kernel_size``, ``stride``,
  ``pad``, ``dilation`` once for both axes or twice (h, w), or ``*_h``/``*_w``; ``group``;
  ``bias_term``; ``out = (in + 2 pad - (dilation (k - 1) + 1)) / stride + 1`` in integers: the
  spec's ``rounding: floor``.
- Pooling (``layers/pooling_layer.cpp``, ``Reshape``): ``pool`` MAX (the default) or AVE; the
  stride defaults to 1, not to the kernel; ``out = ceil((in + 2 pad - k) / stride) + 1``, and when
  ``pad > 0`` a last window starting in the padding is dropped. That is cnncalc's ``ceil`` except
  without padding for a kernel narrower than its stride (Caffe keeps a window past the input):
  that one case is refused. ``round_mode: FLOOR`` is ``floor``. ``global_pooling`` is ``gap``
  (``AVE``) or ``global_maxpool`` (``MAX``).
- InnerProduct flattens (``inner_product_layer.cpp``, ``axis: 1``). BatchNorm has no trainable
  parameter (mean, variance and a moving-average factor, ``batch_norm_layer.cpp``); a Scale right
  after it on its top (``scale_layer.cpp``: ``gamma``, and ``beta`` with ``bias_term``) folds with
  it into one ``batchnorm`` (affine). A Scale with two bottoms multiplies them, no parameters.
- Deconvolution (``deconv_layer.cpp``, ``compute_output_shape``): ``convolution_param`` as
  Convolution; ``out = stride (in - 1) + dilation (k - 1) + 1 - 2 pad``, PyTorch's
  ``ConvTranspose2d`` without output padding: ``conv_transpose``. Weights ``C_in x
  num_output/group x k x k``.
- PReLU (``prelu_layer.cpp``): one learned slope per channel, or one with ``channel_shared``.
  ELU (``elu_layer.cpp``): ``alpha`` (default 1).
- Crop (``crop_layer.cpp``, ``Reshape``): the first bottom is cut to the second's size on every
  axis from ``axis`` (default 2; axes N, C, H, W), each starting at ``offset`` (one for all those
  axes, or one per axis, or 0). The sides are fixed from the shapes at the file's input.
- Reshape (``reshape_layer.cpp``): ``shape { dim }`` replaces axes ``axis`` (default 0) to
  ``axis + num_axes`` (default -1: to the end) of the bottom's N, C, H, W; a dim 0 copies the
  bottom's axis at its place, one -1 is inferred from the element count. The result must keep a
  batch of 1 first and have at most four axes (N, C[, H[, W]]).
- Split only copies (its tops name its bottom); Slice cuts channels at ``slice_point``s.

A type cnncalc cannot compute yet is E102 "... is not supported yet" with what it needs
(:data:`PENDING`); adding one is a handler in :data:`HANDLERS`. A type Caffe lacks (a custom
layer such as SENet's ``Axpy``) is E102 "unknown".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from cnncalc.errors import MAX_PROBLEMS, Problem, Span, SpecError, did_you_mean
from cnncalc.importers.items import (
    INPUT,
    FieldValue,
    Network,
    not_supported_yet,
    pair_or_one,
    unknown_hint,
)
from cnncalc.importers.prototext import Literal, Message, parse
from cnncalc.records import Record
from cnncalc.shapes import Rounding, Shape, volume
from cnncalc.spec import Spec

#: ``UpgradeV1LayerType`` in ``util/upgrade_proto.cpp``: V1 enum names to V2 type names.
V1_TYPES = {
    "ABSVAL": "AbsVal",
    "ACCURACY": "Accuracy",
    "ARGMAX": "ArgMax",
    "BNLL": "BNLL",
    "CONCAT": "Concat",
    "CONTRASTIVE_LOSS": "ContrastiveLoss",
    "CONVOLUTION": "Convolution",
    "DECONVOLUTION": "Deconvolution",
    "DATA": "Data",
    "DROPOUT": "Dropout",
    "DUMMY_DATA": "DummyData",
    "EUCLIDEAN_LOSS": "EuclideanLoss",
    "ELTWISE": "Eltwise",
    "EXP": "Exp",
    "FLATTEN": "Flatten",
    "HDF5_DATA": "HDF5Data",
    "HDF5_OUTPUT": "HDF5Output",
    "HINGE_LOSS": "HingeLoss",
    "IM2COL": "Im2col",
    "IMAGE_DATA": "ImageData",
    "INFOGAIN_LOSS": "InfogainLoss",
    "INNER_PRODUCT": "InnerProduct",
    "LRN": "LRN",
    "MEMORY_DATA": "MemoryData",
    "MULTINOMIAL_LOGISTIC_LOSS": "MultinomialLogisticLoss",
    "MVN": "MVN",
    "POOLING": "Pooling",
    "POWER": "Power",
    "RELU": "ReLU",
    "SIGMOID": "Sigmoid",
    "SIGMOID_CROSS_ENTROPY_LOSS": "SigmoidCrossEntropyLoss",
    "SILENCE": "Silence",
    "SOFTMAX": "Softmax",
    "SOFTMAX_LOSS": "SoftmaxWithLoss",
    "SPLIT": "Split",
    "SLICE": "Slice",
    "TANH": "TanH",
    "WINDOW_DATA": "WindowData",
    "THRESHOLD": "Threshold",
}
#: Data layers: their first top is the image, the others (labels) feed only training heads.
DATA_TYPES = {"Data", "ImageData", "WindowData", "HDF5Data", "MemoryData", "DummyData", "Input"}
#: Training heads and sinks: they read labels or produce nothing an architecture has.
HEADS = {
    "Accuracy",
    "ContrastiveLoss",
    "EuclideanLoss",
    "HingeLoss",
    "InfogainLoss",
    "MultinomialLogisticLoss",
    "SigmoidCrossEntropyLoss",
    "SoftmaxWithLoss",
    "Silence",
    "HDF5Output",
}
#: Caffe types cnncalc cannot compute yet, with what each needs. Adding one: move it to
#: :data:`HANDLERS` with a handler.
PENDING = {
    "Embed": "an embedding type",
    "Bias": "a per-channel bias type",
    "AbsVal": "an abs activation type",
    "BNLL": "a softplus activation type",
    "Power": "a power type ((shift + scale x)^power)",
    "Exp": "an exp type",
    "Log": "a log type",
    "Threshold": "a threshold type",
    "MVN": "a mean-variance normalisation type",
    "ArgMax": "an argmax type",
    "Im2col": "an im2col type",
    "SPP": "a spatial pyramid pooling type",
    "Tile": "a tile type",
    "Reduction": "a reduction type",
    "RNN": "recurrent layer types",
    "LSTM": "recurrent layer types",
    "Recurrent": "recurrent layer types",
    "Parameter": "a parameter-blob type",
    "Filter": "a filter type",
    "BatchReindex": "a batch reindex type",
    "Swish": "a swish activation with Caffe's beta (swish_param)",
    "Clip": "a clip activation type",
}


class Blob(Record):
    """A ``bottom`` or ``top``: the blob's name and where it is written."""

    name: str
    span: Span


class CaffeLayer(Record):
    """One kept layer of the file: its name, V2 type, blobs and message."""

    name: str
    type: str
    span: Span
    bottoms: tuple[Blob, ...]
    tops: tuple[Blob, ...]
    message: Message


def load(file: str, text: str) -> Spec:
    """The spec of the Caffe net in ``text`` (read from ``file``); raises :class:`SpecError` with
    every problem, located in the prototxt."""
    try:
        root = parse(file, text)
    except SpecError as exc:
        raise SpecError(exc.diagnostics, {file: text}) from None
    return _Reader(file, text, root).read()


class _Reader:
    def __init__(self, file: str, text: str, root: Message) -> None:
        self.net = Network(file, text)
        self.root = root
        #: Blob name -> the cnncalc layer that last wrote it (``input`` for the network input).
        self.blobs: dict[str, str] = {}
        #: Label blobs of data layers: only training heads read them.
        self.labels: set[str] = set()
        self.input: Shape | None = None
        self.notes: list[str] = []

    # -- values ----------------------------------------------------------------------------------
    def problem(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.net.problem(code, message, span, hint)

    def literal(self, message: Message, name: str) -> Literal | None:
        """The last value of field ``name`` (protobuf keeps the last of a repeated optional)."""
        found = message.all(name)
        if not found:
            return None
        value, where = found[-1]
        if isinstance(value, Message):
            self.problem("E103", f"'{name}' must be a value, not a message", where)
            return None
        return value

    def whole(self, message: Message, name: str, default: int | None, minimum: int = 0) -> int:
        """A non-negative integer field (Caffe's ``uint32``), or ``default`` when absent (-1
        after reporting a problem)."""
        value = self.literal(message, name)
        if value is None:
            return -1 if default is None else default
        return self.check_whole(value, name, minimum)

    def check_whole(self, value: Literal, name: str, minimum: int) -> int:
        if isinstance(value.value, int) and not value.bare and value.value >= minimum:
            return value.value
        self.problem(
            "E103" if not isinstance(value.value, int) else "E104",
            f"'{name}' must be a whole number of at least {minimum}, not {value.value!r}",
            value.span,
            f"write e.g. '{name}: {max(minimum, 1)}'",
        )
        return -1

    def wholes(self, message: Message, name: str, minimum: int = 0) -> list[int]:
        """Every value of a repeated integer field (-1 for each wrong one, reported)."""
        out = []
        for value, where in message.all(name):
            if isinstance(value, Message):
                self.problem("E103", f"'{name}' must be a number, not a message", where)
                return []
            out.append(self.check_whole(value, name, minimum))
        return out

    def real(self, message: Message, name: str, default: float) -> float:
        value = self.literal(message, name)
        if value is None:
            return default
        if isinstance(value.value, int | float) and not value.bare:
            return float(value.value)
        self.problem("E103", f"'{name}' must be a number, not {value.value!r}", value.span)
        return default

    def flag(self, message: Message, name: str, default: bool) -> bool:
        value = self.literal(message, name)
        if value is None:
            return default
        if value.bare and value.value in ("true", "false"):
            return value.value == "true"
        if isinstance(value.value, int) and value.value in (0, 1) and not value.bare:
            return bool(value.value)
        self.problem("E103", f"'{name}' must be true or false, not {value.value!r}", value.span)
        return default

    def word(self, message: Message, name: str, default: str, choices: tuple[str, ...]) -> str:
        """An enum field: its bare name (``MAX``), or a quoted name as text format also reads."""
        value = self.literal(message, name)
        if value is None:
            return default
        if isinstance(value.value, str) and value.value in choices:
            return value.value
        self.problem(
            "E103",
            f"'{name}' must be one of {', '.join(choices)}, not {value.value!r}",
            value.span,
            did_you_mean(str(value.value), choices),
        )
        return default

    def text(self, message: Message, name: str) -> str | None:
        value = self.literal(message, name)
        if value is None:
            return None
        if isinstance(value.value, str):
            return value.value
        self.problem("E103", f"'{name}' must be a string, not {value.value!r}", value.span)
        return None

    def param(self, layer: CaffeLayer, name: str) -> Message:
        found = layer.message.all(name)
        if not found:
            return Message(layer.span)
        value, where = found[-1]
        if isinstance(value, Message):
            return value
        self.problem("E103", f"'{name}' must be a message '{name} {{ ... }}'", where)
        return Message(layer.span)

    def axis_pair(
        self, p: Message, name: str, default: int | None, minimum: int, axes: str = ""
    ) -> tuple[int, int]:
        """``name`` once (both axes) or twice (h, w), or ``{axes}_h`` and ``{axes}_w`` (``axes``
        defaults to ``name``: ``stride_h``, but ``kernel_h`` for ``kernel_size``), as
        ``base_conv_layer.cpp`` and ``pooling_layer.cpp`` read them; (-1, -1) after a problem."""
        h_name, w_name = f"{axes or name}_h", f"{axes or name}_w"
        if p.all(h_name) or p.all(w_name):
            if not (p.all(h_name) and p.all(w_name)):
                self.problem("E105", f"give both '{h_name}' and '{w_name}'", p.span)
                return -1, -1
            return self.whole(p, h_name, None, minimum), self.whole(p, w_name, None, minimum)
        values = self.wholes(p, name, minimum)
        if not values:
            if default is None:
                self.problem("E105", f"the layer needs '{name}'", p.span, f"add '{name}: N'")
                return -1, -1
            return default, default
        if len(values) > 2:
            self.problem("E103", f"'{name}' is given {len(values)} times; at most 2 (h, w)", p.span)
            return -1, -1
        return values[0], values[-1]

    # -- the net ---------------------------------------------------------------------------------
    def read(self) -> Spec:
        net, root = self.net, self.root
        name = self.text(root, "name") or ""
        state = self.state()
        self.declared_input()
        layers = self.layers(state)
        index = 0
        while index < len(layers) and len(net.problems) < MAX_PROBLEMS:
            layer = layers[index]
            after = layers[index + 1] if index + 1 < len(layers) else None
            if after is not None and self.folds(layer, after):
                self.fold(layer, after)
                index += 2
            else:
                self.layer(layer)
                index += 1
        stem = Path(net.file).stem if net.file not in ("-", "<stdin>") else "spec"
        return net.spec(
            name=stem,
            title=name,
            source=f"Caffe prototxt {Path(net.file).name}, TEST phase",
            description="; ".join(self.notes),
            input=self.input,
            rounding=Rounding.FLOOR,
        )

    def folds(self, norm: CaffeLayer, scale: CaffeLayer) -> bool:
        """A BatchNorm followed by a one-bottom Scale with ``bias_term`` on its top: together
        PyTorch's affine ``BatchNorm2d`` (gamma and beta from the Scale, mean and variance from
        the BatchNorm)."""
        return (
            norm.type == "BatchNorm"
            and scale.type == "Scale"
            and len(norm.bottoms) == len(norm.tops) == len(scale.bottoms) == 1
            and scale.bottoms[0].name == norm.tops[0].name
            and self.flag(self.param(scale, "scale_param"), "bias_term", False)
        )

    def fold(self, norm: CaffeLayer, scale: CaffeLayer) -> None:
        """One affine ``batchnorm``, named after the BatchNorm, for both layers' tops."""
        source = self.source(norm.bottoms[0])
        if source is not None:
            made = self.emit(norm, "batchnorm", [source])
            for top in scale.tops:
                self.blobs[top.name] = made

    def channels(self, name: str, where: Span) -> int | None:
        found = self.shape(name, where)
        return None if found is None else found.c

    def shape(self, name: str, where: Span) -> Shape | None:
        if self.input is None:
            return None
        return self.net.shape(name, self.input, Rounding.FLOOR, where)

    def state(self) -> tuple[int, set[str]]:
        """The file's ``state { level stage }``; the phase is always TEST."""
        found = self.root.all("state")
        if not found or not isinstance(found[-1][0], Message):
            return 0, set()
        message = found[-1][0]
        level = self.literal(message, "level")
        stages = {str(v.value) for v, _ in message.all("stage") if isinstance(v, Literal)}
        return (level.value if level and isinstance(level.value, int) else 0), stages

    def meets(self, rule: Message, state: tuple[int, set[str]]) -> bool:
        """``Net::StateMeetsRule``: phase, level bounds and stages, at phase TEST."""
        level, stages = state
        phase = self.literal(rule, "phase")
        if phase is not None and phase.value != "TEST":
            return False
        low, high = self.literal(rule, "min_level"), self.literal(rule, "max_level")
        if low is not None and isinstance(low.value, int) and level < low.value:
            return False
        if high is not None and isinstance(high.value, int) and level > high.value:
            return False
        wanted = {str(v.value) for v, _ in rule.all("stage") if isinstance(v, Literal)}
        unwanted = {str(v.value) for v, _ in rule.all("not_stage") if isinstance(v, Literal)}
        return wanted <= stages and not unwanted & stages

    def layers(self, state: tuple[int, set[str]]) -> list[CaffeLayer]:
        """The layers of the TEST net, V1 types renamed (``Net::FilterNet``)."""
        kept: list[CaffeLayer] = []
        for key, value, where in self.root.fields:
            if key not in ("layer", "layers") or not isinstance(value, Message):
                continue
            includes = [r for r, _ in value.all("include") if isinstance(r, Message)]
            excludes = [r for r, _ in value.all("exclude") if isinstance(r, Message)]
            if includes and not any(self.meets(r, state) for r in includes):
                continue
            if not includes and any(self.meets(r, state) for r in excludes):
                continue
            type_value = self.literal(value, "type")
            if type_value is None:
                hint = "a V0 file ('layers { layer { ... } }'): upgrade it with Caffe's tool"
                self.problem("E105", "the layer has no 'type'", where, hint)
                continue
            kind = str(type_value.value)
            kind = V1_TYPES.get(kind, kind) if key == "layers" else kind
            name = self.text(value, "name") or f"{kind.lower()}{len(kept) + 1}"
            bottoms = tuple(self.blob_list(value, "bottom"))
            tops = tuple(self.blob_list(value, "top"))
            kept.append(CaffeLayer(name, kind, type_value.span, bottoms, tops, value))
        return kept

    def blob_list(self, message: Message, name: str) -> list[Blob]:
        out = []
        for value, where in message.all(name):
            if isinstance(value, Literal) and isinstance(value.value, str):
                out.append(Blob(value.value, value.span))
            else:
                self.problem("E103", f"'{name}' must be a blob name in quotes", where)
        return out

    # -- the input -------------------------------------------------------------------------------
    def set_input(self, dims: list[int], span: Span, blob: str) -> None:
        if self.input is not None:
            self.problem(
                "E103",
                f"a second network input '{blob}': cnncalc networks have one input",
                span,
                "keep one input",
            )
            return
        if len(dims) == 4:
            batch, c, h, w = dims
        elif len(dims) == 2:
            batch, c, h, w = dims[0], dims[1], 1, 1
        else:
            self.problem(
                "E108",
                f"an input shape needs 4 dims (N, C, H, W), not {len(dims)}",
                span,
                "e.g. 'dim: 1 dim: 3 dim: 224 dim: 224'",
            )
            return
        try:
            self.input = volume((h, w), c)  # the one check of an input, as for YAML
        except Problem as problem:
            self.net.problems.append(problem.diagnostic(span))
            return
        self.blobs[blob] = INPUT
        if batch != 1:
            self.notes.append(f"the file declares a batch of {batch}; figures are per image")

    def declared_input(self) -> None:
        """``input:`` with ``input_dim`` (four per input) or ``input_shape { dim }``."""
        names = [(v, w) for v, w in self.root.all("input") if isinstance(v, Literal)]
        dims = self.wholes(self.root, "input_dim")
        shapes = [v for v, _ in self.root.all("input_shape") if isinstance(v, Message)]
        for index, (value, where) in enumerate(names):
            if index < len(shapes):
                self.set_input(self.wholes(shapes[index], "dim"), where, str(value.value))
            elif dims:
                self.set_input(dims[4 * index : 4 * index + 4], where, str(value.value))
            else:
                self.problem(
                    "E105",
                    f"input '{value.value}' has no size",
                    where,
                    "add four 'input_dim' (N, C, H, W) or 'input_shape { dim ... }'",
                )

    def data_layer(self, layer: CaffeLayer) -> None:
        """An ``Input`` layer's shape, or the crop or size of a data layer."""
        if not layer.tops:
            self.problem("E105", f"data layer '{layer.name}' has no top", layer.span)
            return
        first, rest = layer.tops[0], layer.tops[1:]
        self.labels.update(t.name for t in rest)
        if layer.type == "Input":
            shape = self.param(layer, "input_param").all("shape")
            if shape and isinstance(shape[0][0], Message):
                self.set_input(self.wholes(shape[0][0], "dim"), layer.span, first.name)
                return
        elif layer.type == "MemoryData":
            p = self.param(layer, "memory_data_param")
            c, h, w = (self.whole(p, k, 0) for k in ("channels", "height", "width"))
            if min(c, h, w) > 0:
                self.set_input([1, c, h, w], layer.span, first.name)
                return
        else:
            crop = self.whole(self.param(layer, "transform_param"), "crop_size", 0)
            if crop > 0:
                self.notes.append(
                    f"input {crop}x{crop} from '{layer.name}' crop_size; 3 channels assumed (a"
                    " data layer does not declare them)"
                )
                self.set_input([1, 3, crop, crop], layer.span, first.name)
                return
        if first.name in self.blobs:  # the TRAIN and TEST data layers of one blob: sized once
            return
        self.problem(
            "E105",
            f"data layer '{layer.name}' declares no input size",
            layer.span,
            "give its transform_param a crop_size, or use an Input layer with input_param",
        )

    # -- layers ----------------------------------------------------------------------------------
    def source(self, blob: Blob) -> str | None:
        found = self.blobs.get(blob.name)
        if found is None:
            self.problem(
                "E201",
                f"bottom '{blob.name}' is produced by no layer above",
                blob.span,
                did_you_mean(blob.name, list(self.blobs)),
            )
        return found

    def layer(self, layer: CaffeLayer) -> None:
        if layer.type in DATA_TYPES:
            self.data_layer(layer)
            return
        if layer.type in HEADS or any(b.name in self.labels for b in layer.bottoms):
            return
        handler = HANDLERS.get(layer.type)
        if handler is None:
            if layer.type in PENDING:
                self.net.problems.append(
                    not_supported_yet(
                        f"Caffe layer type '{layer.type}'", PENDING[layer.type], layer.span
                    )
                )
            else:
                self.problem(
                    "E102",
                    f"unknown Caffe layer type '{layer.type}'",
                    layer.span,
                    unknown_hint(layer.type, [*HANDLERS, *PENDING], "layer type"),
                )
            return
        if not layer.bottoms:
            self.problem("E105", f"layer '{layer.name}' has no bottom", layer.span)
            return
        inputs = [self.source(b) for b in layer.bottoms]
        if any(i is None for i in inputs):
            return
        handler(self, layer, [i for i in inputs if i is not None])

    def emit(
        self,
        layer: CaffeLayer,
        kind: str,
        inputs: list[str],
        fields: dict[str, FieldValue] | None = None,
        p: Message | None = None,
    ) -> str:
        """Add one cnncalc layer for ``layer`` and point its tops at it. Each field keeps the
        place of the Caffe parameter in ``p`` it came from (:data:`CAFFE_NAMES`), so a value
        cnncalc refuses is shown where it is written."""

        def where(key: str) -> Span:
            name = CAFFE_NAMES.get(key, key)
            found = (p.all(name) or p.all(f"{name.removesuffix('_size')}_h")) if p else []
            return found[-1][0].span if found else layer.span

        made = self.net.add(
            kind,
            layer.name,
            layer.span,
            inputs,
            {k: (v, where(k)) for k, v in (fields or {}).items()},
        )
        for top in layer.tops:
            self.blobs[top.name] = made
        return made

    def window(self, p: Message, conv: bool) -> dict[str, FieldValue] | None:
        """Kernel, stride (default 1) and padding of a convolution or pooling."""
        kernel = self.axis_pair(p, "kernel_size", None, 1, "kernel")
        stride = self.axis_pair(p, "stride", 1, 1)
        pad = self.axis_pair(p, "pad", 0, 0)
        if min(*kernel, *stride, *pad) < 0:
            return None
        fields: dict[str, FieldValue] = {"kernel": pair_or_one(*kernel)}
        if stride != (1, 1) or not conv:  # cnncalc's pooling stride defaults to the kernel
            fields["stride"] = pair_or_one(*stride)
        if pad != (0, 0):
            fields["pad"] = pair_or_one(*pad)
        return fields


Handler = Callable[[_Reader, CaffeLayer, list[str]], None]
#: The Caffe parameter each cnncalc field comes from, where the names differ.
CAFFE_NAMES = {
    "filters": "num_output",
    "units": "num_output",
    "kernel": "kernel_size",
    "groups": "group",
    "bias": "bias_term",
    "size": "local_size",
    "p": "dropout_ratio",
    "slope": "negative_slope",
    "rounding": "round_mode",
}


def _convolution(r: _Reader, layer: CaffeLayer, inputs: list[str], kind: str = "conv") -> None:
    p = r.param(layer, "convolution_param")
    filters = r.whole(p, "num_output", None, 1)
    if filters < 0 and not p.all("num_output"):
        r.problem("E105", f"{layer.type} needs 'num_output'", p.span, "add 'num_output: N'")
    fields = r.window(p, conv=True)
    dilation = r.axis_pair(p, "dilation", 1, 1)
    groups = r.whole(p, "group", 1, 1)
    if fields is None or filters < 0 or groups < 0 or min(dilation) < 0:
        return
    fields = {"filters": filters, **fields}
    if dilation != (1, 1):
        fields["dilation"] = pair_or_one(*dilation)
    if groups != 1:
        fields["groups"] = groups
    if not r.flag(p, "bias_term", True):
        fields["bias"] = False
    r.emit(layer, kind, inputs, fields, p)


def _deconvolution(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    _convolution(r, layer, inputs, "conv_transpose")


def _prelu(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "prelu_param")
    shared = r.flag(p, "channel_shared", False)
    r.emit(layer, "prelu", inputs, {} if shared else {"per_channel": True}, p)


def _elu(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "elu_param")
    alpha = r.real(p, "alpha", 1.0)
    r.emit(layer, "elu", inputs, {} if alpha == 1.0 else {"alpha": alpha}, p)


def _blob_shape(x: Shape) -> list[int]:
    """A cnncalc volume as Caffe's blob axes for one image: N, C, H, W."""
    return [1, x.c, *x.spatial]


def _canonical_axis(r: _Reader, p: Message, default: int, axes: int, span: Span) -> int | None:
    """``Blob::CanonicalAxisIndex``: a negative axis counts from the end."""
    value = r.literal(p, "axis")
    axis = default
    if value is not None:
        if not isinstance(value.value, int) or value.bare:
            r.problem("E103", f"'axis' must be a whole number, not {value.value!r}", value.span)
            return None
        axis = value.value
        span = value.span
    found = axis + axes if axis < 0 else axis
    if not 0 <= found < axes:
        r.problem("E104", f"axis {axis} is outside the blob's axes N, C, H, W", span)
        return None
    return found


def _crop(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    if len(inputs) != 2:
        r.problem(
            "E105", "Crop needs two bottoms: the data and the blob giving the size", layer.span
        )
        return
    p = r.param(layer, "crop_param")
    axis = _canonical_axis(r, p, 2, 4, layer.span)
    offsets = r.wholes(p, "offset")
    if axis is None or min(offsets, default=0) < 0:
        return
    if len(offsets) > 1 and axis + len(offsets) != 4:
        r.problem(
            "E104",
            f"{len(offsets)} offsets for the {4 - axis} axes from axis {axis}",
            layer.span,
            "give one offset for all, or one per axis (crop_layer.cpp)",
        )
        return
    if axis < 2:
        r.net.problems.append(
            not_supported_yet("a Crop of the batch or channels", "a channel crop", layer.span)
        )
        return
    data, size = (r.shape(name, layer.span) for name in inputs)
    if data is None or size is None:
        return
    have, want = _blob_shape(data), _blob_shape(size)
    cut = []
    for i in (2, 3):
        offset = 0 if i < axis else (offsets or [0])[i - axis if len(offsets) > 1 else 0]
        new = want[i] if i >= axis else have[i]
        if offset + new > have[i]:
            r.problem(
                "E306",
                f"Crop of {have[i]} to {new} at offset {offset} runs past the data"
                f" on axis {'HW'[i - 2]}",
                layer.span,
                "Caffe checks offset + size <= the data's size",
            )
            return
        cut += [offset, have[i] - new - offset]
    r.emit(layer, "crop", inputs[:1], {"sides": (cut[0], cut[1], cut[2], cut[3])}, p)


def _reshape(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "reshape_param")
    found = p.all("shape")
    if not found or not isinstance(found[-1][0], Message):
        r.problem("E105", "Reshape needs 'reshape_param { shape { dim } }'", p.span)
        return
    dims: list[int] = []
    for value, where in found[-1][0].all("dim"):
        if not isinstance(value, Literal) or not isinstance(value.value, int) or value.bare:
            r.problem("E103", "'dim' must be a whole number", where)
            return
        if value.value < -1:
            r.problem(
                "E104", f"'dim' must be -1 (inferred), 0 (copied) or more, not {value.value}", where
            )
            return
        dims.append(value.value)
    if dims.count(-1) > 1:
        r.problem("E104", "Reshape infers at most one dim (-1)", found[-1][1])
        return
    x = r.shape(inputs[0], layer.span)
    if x is None:
        return
    bottom = _blob_shape(x)
    # reshape_layer.cpp: a negative axis is num_axes + axis + 1, and axis num_axes appends
    start = _canonical_axis(r, p, 0, 5, layer.span)
    count = r.whole(p, "num_axes", None, -1) if p.all("num_axes") else -1
    if start is None or count < -1:
        return
    end = 4 if count == -1 else start + count
    if end > 4:
        r.problem("E104", f"num_axes {count} from axis {start} passes the 4 axes", layer.span)
        return
    new = [bottom[start + i] if d == 0 else d for i, d in enumerate(dims)]
    if any(d == 0 and start + i >= 4 for i, d in enumerate(dims)):
        r.problem("E104", "a dim 0 copies an axis the bottom does not have", found[-1][1])
        return
    result = bottom[:start] + new + bottom[end:]
    known = 1
    for d in result:
        known *= d if d != -1 else 1
    if -1 in result:
        if known == 0 or x.numel % known:
            r.problem(
                "E306",
                f"Reshape cannot infer a dim: {x.numel:,} elements by {known:,}",
                found[-1][1],
            )
            return
        result[result.index(-1)] = x.numel // known
    if result[0] != 1 or not 2 <= len(result) <= 4:
        r.net.problems.append(
            not_supported_yet(
                f"a Reshape to {' x '.join(map(str, result))}",
                "a shape other than 1 x C[ x H[ x W]] (one image)",
                layer.span,
            )
        )
        return
    c, h, w = [*result[1:], 1, 1][:3]
    r.emit(layer, "reshape", inputs, {"shape": (h, w, c)}, p)


def _pooling(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "pooling_param")
    method = r.word(p, "pool", "MAX", ("MAX", "AVE", "STOCHASTIC"))
    if method == "STOCHASTIC":
        r.net.problems.append(
            not_supported_yet("stochastic pooling", "a stochastic pooling type", layer.span)
        )
        return
    if r.flag(p, "global_pooling", False):
        r.emit(layer, "gap" if method == "AVE" else "global_maxpool", inputs)
        return
    fields = r.window(p, conv=False)
    if fields is None:
        return
    ceil = r.word(p, "round_mode", "CEIL", ("CEIL", "FLOOR")) == "CEIL"
    kernel, stride = (_pair(fields[k]) for k in ("kernel", "stride"))
    pad = _pair(fields.get("pad", 0))
    if any(p_ >= k for p_, k in zip(pad, kernel, strict=True)):  # pooling_layer.cpp: CHECK_LT
        r.problem(
            "E104",
            f"pooling pad {pad[0]}x{pad[1]} must be smaller than the kernel"
            f" {kernel[0]}x{kernel[1]}",
            layer.span,
            "Caffe refuses padding as large as the pooling window",
        )
        return
    if ceil and pad == (0, 0) and any(k < s for k, s in zip(kernel, stride, strict=True)):
        # pooling_layer.cpp drops a window past the input only when pad > 0; cnncalc's ceil always
        r.net.problems.append(
            not_supported_yet(
                "Caffe's ceil rounding of an unpadded window narrower than its stride",
                "a Caffe rounding dialect (the last window kept past the input)",
                layer.span,
            )
        )
        return
    fields["rounding"] = "ceil" if ceil else "floor"
    r.emit(layer, "maxpool" if method == "MAX" else "avgpool", inputs, fields, p)


def _pair(value: FieldValue) -> tuple[int, int]:
    if isinstance(value, tuple):
        return value[0], value[-1]
    assert isinstance(value, int)
    return value, value


def _inner_product(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "inner_product_param")
    units = r.whole(p, "num_output", None, 1)
    if units < 0 and not p.all("num_output"):
        r.problem("E105", "InnerProduct needs 'num_output'", p.span, "add 'num_output: N'")
    if r.whole(p, "axis", 1) != 1:
        r.net.problems.append(
            not_supported_yet("InnerProduct on an axis other than 1", "an axis field", layer.span)
        )
        return
    if units < 0:
        return
    fields: dict[str, FieldValue] = {"units": units}
    if not r.flag(p, "bias_term", True):
        fields["bias"] = False
    r.emit(layer, "fc", inputs, fields, p)


def _relu(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "relu_param")
    slope = r.real(p, "negative_slope", 0.0)
    if slope:
        r.emit(layer, "leaky_relu", inputs, {"slope": slope}, p)
    else:
        r.emit(layer, "relu", inputs)


def _same(kind: str) -> Handler:
    """A Caffe type that is one cnncalc type with no field."""

    def handle(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
        r.emit(layer, kind, inputs)

    return handle


def _lrn(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "lrn_param")
    region = r.word(p, "norm_region", "ACROSS_CHANNELS", ("ACROSS_CHANNELS", "WITHIN_CHANNEL"))
    if region == "WITHIN_CHANNEL":
        r.net.problems.append(
            not_supported_yet("LRN within a channel", "a spatial LRN type", layer.span)
        )
        return
    size = r.whole(p, "local_size", 5, 1)
    if size < 0:
        return
    # lrn_layer.cpp: (k + alpha/n * sum of squares)^beta, as PyTorch's LocalResponseNorm
    fields: dict[str, FieldValue] = {
        "size": size,
        "alpha": r.real(p, "alpha", 1.0),
        "beta": r.real(p, "beta", 0.75),
        "k": r.real(p, "k", 1.0),
    }
    r.emit(layer, "lrn", inputs, fields, p)


def _batch_norm(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    r.emit(layer, "batchnorm", inputs, {"affine": False})


def _scale(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    if len(inputs) == 2:  # scale_layer.cpp: the second bottom is the scale, no parameters
        r.emit(layer, "mul", inputs)
        return
    if r.flag(r.param(layer, "scale_param"), "bias_term", False):
        r.net.problems.append(
            not_supported_yet(
                "a Scale with bias_term not right after a BatchNorm",
                "a per-channel scale-and-shift type",
                layer.span,
            )
        )
        return
    r.emit(layer, "layer_scale", inputs)


def _eltwise(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    op = r.word(r.param(layer, "eltwise_param"), "operation", "SUM", ("SUM", "PROD", "MAX"))
    if op == "MAX":
        r.net.problems.append(
            not_supported_yet("Eltwise MAX", "an element-wise max merge type", layer.span)
        )
        return
    r.emit(layer, "add" if op == "SUM" else "mul", inputs)


def _concat(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "concat_param")
    axis = r.whole(p, "axis", r.whole(p, "concat_dim", 1))
    if axis != 1:
        r.net.problems.append(
            not_supported_yet(
                f"Concat on axis {axis}", "concatenation off the channels", layer.span
            )
        )
        return
    if len(inputs) == 1:
        r.emit(layer, "identity", inputs)
        return
    r.emit(layer, "concat", inputs)


def _dropout(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "dropout_param")
    r.emit(layer, "dropout", inputs, {"p": r.real(p, "dropout_ratio", 0.5)}, p)


def _split(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    for top in layer.tops:  # split_layer.cpp shares the bottom's data: no new layer
        r.blobs[top.name] = inputs[0]


def _slice(r: _Reader, layer: CaffeLayer, inputs: list[str]) -> None:
    p = r.param(layer, "slice_param")
    axis = r.whole(p, "axis", r.whole(p, "slice_dim", 1))
    if axis != 1:
        r.net.problems.append(
            not_supported_yet(f"Slice on axis {axis}", "slicing off the channels", layer.span)
        )
        return
    points = r.wholes(p, "slice_point")
    channels = r.channels(inputs[0], layer.span)
    if channels is None:
        return
    if not points:  # slice_layer.cpp: equal parts, one per top
        if channels % len(layer.tops):
            r.problem(
                "E303", f"{len(layer.tops)} tops do not divide {channels} channels", layer.span
            )
            return
        step = channels // len(layer.tops)
        points = [step * i for i in range(1, len(layer.tops))]
    bounds = [0, *points, channels]
    if len(bounds) != len(layer.tops) + 1 or any(a >= b for a, b in itertools.pairwise(bounds)):
        r.problem(
            "E104",
            f"slice points {points} do not cut {channels} channels into {len(layer.tops)} tops",
            layer.span,
        )
        return
    for top, start, end in zip(layer.tops, bounds, bounds[1:], strict=False):
        fields: dict[str, FieldValue] = {"channels": end - start, "start": start}
        r.blobs[top.name] = r.net.add(
            "slice",
            f"{layer.name}/{top.name}",
            layer.span,
            inputs,
            {k: (v, layer.span) for k, v in fields.items()},
        )


HANDLERS: dict[str, Handler] = {
    "Convolution": _convolution,
    "Deconvolution": _deconvolution,
    "PReLU": _prelu,
    "ELU": _elu,
    "Crop": _crop,
    "Reshape": _reshape,
    "Pooling": _pooling,
    "InnerProduct": _inner_product,
    "ReLU": _relu,
    "Sigmoid": _same("sigmoid"),
    "TanH": _same("tanh"),
    "Softmax": _same("softmax"),
    "Flatten": _same("flatten"),
    "LRN": _lrn,
    "BatchNorm": _batch_norm,
    "Scale": _scale,
    "Eltwise": _eltwise,
    "Concat": _concat,
    "Dropout": _dropout,
    "Split": _split,
    "Slice": _slice,
}
