"""Importers: the formats CNNs were published in, read into the :class:`~cnncalc.spec.Spec` a YAML
file gives, so show, check, diff, receptive fields and JSON work on them unchanged.

- :mod:`cnncalc.importers.caffe`: Caffe ``.prototxt`` (on :mod:`~cnncalc.importers.prototext`,
  the protocol-buffer text format);
- :mod:`cnncalc.importers.darknet`: darknet ``.cfg``;
- :mod:`cnncalc.importers.convert`: an imported spec written back as cnncalc YAML.

The format is chosen by the file's extension (:data:`EXTENSIONS`), or forced by name. Each format
also has its own figures, computed the way its tool prints them (:func:`native_figures`), to set
beside cnncalc's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from cnncalc.errors import SpecError
from cnncalc.source import read_bytes, read_text

if TYPE_CHECKING:  # api imports this package to dispatch; the report is only a type here
    from pathlib import Path

    from cnncalc.api import Report
    from cnncalc.spec import Spec


class Format(str, Enum):
    """A file format cnncalc reads besides its own YAML."""

    CAFFE = "caffe"
    DARKNET = "darknet"


#: How each format is named in messages.
NAMES = {Format.CAFFE: "Caffe", Format.DARKNET: "darknet"}
#: The extension that selects each format.
EXTENSIONS = {".prototxt": Format.CAFFE, ".cfg": Format.DARKNET}


def format_of(path: str | Path, forced: Format | None = None) -> Format | None:
    """The format of ``path``: ``forced`` when given, else by extension; ``None`` for YAML."""
    return forced or EXTENSIONS.get(os.path.splitext(path)[1].lower())


def reader(fmt: Format) -> Callable[[str, str], Spec]:
    """The importer of ``fmt``: file name and text to a spec (raises ``SpecError``)."""
    if fmt is Format.CAFFE:
        from cnncalc.importers import caffe

        return caffe.load
    from cnncalc.importers import darknet

    return darknet.load


_CAFFE_LAYER = re.compile(r"\blayers?\s*:?\s*[{<]")


def describes_network(path: str) -> bool:
    """Whether a file with an importer's extension, found by walking a folder, is a network and
    not another file that shares the extension: a Caffe ``solver.prototxt`` (no layer) or a
    ``setup.cfg`` (its first section is not ``[net]``). A file that cannot be read or decoded
    counts as one, so that ``check`` reports it."""
    fmt = format_of(path)
    try:
        text = read_text(path, read_bytes(path))
    except SpecError:
        return True
    if fmt is Format.CAFFE:
        return _CAFFE_LAYER.search(text) is not None
    lines = ("".join(line.split()) for line in text.split("\n"))
    first = next((line for line in lines if line and line[0] not in "#;"), "")
    return first in ("[net]", "[network]")


def import_path(path: str | Path, fmt: Format) -> Spec:
    """Read the file at ``path`` (bounded as a YAML spec is) and import it as ``fmt``."""
    file = str(path)
    return reader(fmt)(file, read_text(file, read_bytes(file)))


def native_figures(report: Report, fmt: Format) -> list[tuple[str, str]]:
    """The figures the format's own tool gives for this network, as (name, value), computed by its
    rules from the layers cnncalc inferred:

    - darknet: the "BFLOPs" darknet prints, pjreddie's (``convolutional_layer.c``: 2 x conv MACs,
      summed) and AlexeyAB's ("Total BFLOPS", ``parser.c``: conv 2 x MACs, plus ``size*size*c``
      per maxpool output position, ``maxpool_layer.c``, plus one per output element and ``from``
      layer of a shortcut, ``shortcut_layer.c``; a deconvolutional, upsample or reorg layer sets no
      ``bflops``); and the floats of a ``.weights`` file
      (``save_weights``: each conv or connected layer's biases, weights and, with batch_normalize,
      scales, rolling mean and variance, which are cnncalc's parameters plus buffers), with its
      size after the 20-byte header (major, minor, revision, a 64-bit ``seen``);
    - caffe: the floats of a ``.caffemodel``'s blobs: parameters, plus BatchNorm's three blobs per
      layer (mean and variance, cnncalc's buffers, and one moving-average factor).
    """
    from cnncalc.layers.conv import Conv, DepthwiseConv
    from cnncalc.layers.merge import Add
    from cnncalc.layers.norm import BatchNorm
    from cnncalc.layers.pool import AvgPool, MaxPool

    totals = report.totals
    if fmt is Format.CAFFE:
        norms = sum(isinstance(x.node.layer, BatchNorm) for x in report.layers)
        floats = totals.params + totals.buffers + norms
        return [(".caffemodel floats", f"{floats:,}")]
    conv = sum(x.cost.macs for x in report.layers if isinstance(x.node.layer, Conv | DepthwiseConv))
    pools = sum(
        x.output.numel * x.node.layer.kernel[0] * x.node.layer.kernel[1]
        for x in report.layers
        if isinstance(x.node.layer, MaxPool | AvgPool)
    )
    shortcuts = sum(
        x.output.numel * (len(x.inputs) - 1) for x in report.layers if isinstance(x.node.layer, Add)
    )
    floats = totals.params + totals.buffers
    return [
        ("BFLOPs (pjreddie)", f"{2 * conv / 1e9:.3f}"),
        ("BFLOPS (AlexeyAB)", f"{(2 * conv + pools + shortcuts) / 1e9:.3f}"),
        (".weights floats", f"{floats:,} ({20 + 4 * floats:,} bytes)"),
    ]
