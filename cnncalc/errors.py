"""Diagnostics as data: source spans, severities, the table of stable codes, and the errors.

This module owns what a problem *is*; how problems are printed lives in ``render/diagnostics.py``
and how they become an exit code lives in ``cli.py``. Library code never prints. Code that finds
one problem raises :class:`Problem` (code, message, hint, and its place when known), turned into a
:class:`Diagnostic` by :meth:`Problem.diagnostic` where it is caught; loading raises
:class:`SpecError` carrying every :class:`Diagnostic` it found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from enum import Enum
from itertools import islice

from cnncalc.records import Record, field


class Span(Record):
    """A place in a source file. ``line`` and ``col`` are 1-based (PyYAML's 0-based marks are
    converted once, in ``source.py``)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(str, Enum):
    """How bad a problem is. ``note`` is a knowingly accepted approximation (declared rounding):
    fine by default, a failure under ``--strict`` like ``warning``."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


CODES: dict[str, str] = {
    # E0xx: the file itself
    "E001": "file cannot be read",
    "E002": "file is not valid UTF-8 text",
    "E003": "YAML syntax error",
    "E004": "document has the wrong shape (empty, or its root is not a mapping)",
    "E005": "YAML tag that cnncalc does not load",
    "E006": "duplicate key in a mapping",
    "E007": "a limit was exceeded (document size, nesting, layer count or a number's magnitude)",
    # E1xx: the spec language
    "E101": "unknown key",
    "E102": "unknown layer type or block",
    "E103": "value of the wrong type",
    "E104": "value out of range",
    "E105": "required key missing",
    "E106": "malformed expression",
    "E107": "unknown name in an expression",
    "E108": "malformed input volume",
    # E2xx: the layer graph
    "E201": "reference to an unknown layer",
    "E202": "reference to a layer defined later (the graph must be acyclic)",
    "E203": "duplicate layer name",
    "E204": "block uses itself",
    "E205": "merge with too few inputs",
    # E3xx: geometry
    "E301": "window does not fit: (W - F + 2P)/S + 1 is not an integer",
    "E302": "kernel larger than the padded input",
    "E303": "groups do not divide the channels",
    "E304": "merge of incompatible shapes",
    "E306": "layer needs a different input volume",
    # E4xx: budgets
    "E401": "a figure exceeds its budget (budget:, check --max-params, --max-macs)",
    "E402": "a receptive-field budget names a layer without a receptive field",
    # warnings
    "W101": "input volume looks channels-first (CxHxW)",
    # notes
    "N301": "window does not fit; rounded by the declared rule",
}


class Diagnostic(Record):
    """One problem: a stable ``code`` from :data:`CODES`, where, what, and what to do.

    ``related`` carries further places, e.g. the block definition a layer was expanded from.
    """

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[tuple[str, Span], ...] = field(default=())


def fails(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    """True when a diagnostic is an error, or under ``strict`` a warning or an accepted rounding
    note: the one policy behind every exit code and every FAIL."""
    failing = {Severity.ERROR, Severity.WARNING, Severity.NOTE} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


class CnncalcError(Exception):
    """Base class of every error the library raises on purpose."""


class SpecError(CnncalcError):
    """A spec (or file) could not be loaded; carries every diagnostic found, and the text of each
    file read (by the name its spans use), so that a diagnostic can quote its line without
    reading any file again."""

    def __init__(
        self,
        diagnostics: list[Diagnostic] | tuple[Diagnostic, ...],
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.sources: Mapping[str, str] = dict(sources or {})
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.code} {first.message}" if first else "invalid spec")


class Problem(CnncalcError):
    """One problem found by code that may not know where it is: a shape rule (a window that does
    not fit), an expression, a field's value, a ``--set`` override. It carries the same code,
    message and hint a :class:`Diagnostic` does; ``span`` is known where the text was read (a
    field's value) and attached by whoever catches it otherwise (the layer's place, in
    ``infer.py``). :meth:`diagnostic` is the one conversion."""

    def __init__(
        self, code: str, message: str, hint: str | None = None, span: Span | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.span = span

    def diagnostic(
        self,
        span: Span | None = None,
        *,
        context: str = "",
        related: tuple[tuple[str, Span], ...] = (),
    ) -> Diagnostic:
        """This problem as an error at ``span`` (default: its own), its message after
        ``context`` (e.g. the layer and its input volume)."""
        where = span or self.span
        if where is None:
            raise ValueError(f"{self.code} {self.message}: a diagnostic needs a place")
        return Diagnostic(
            code=self.code,
            severity=Severity.ERROR,
            message=context + self.message,
            span=where,
            hint=self.hint,
            related=related,
        )


#: A "did you mean" hint compares a word of at most 40 characters with at most this many choices
#: (difflib's cost grows with each, and a hostile spec can define thousands of names) ...
MAX_CLOSE_CHOICES = 100
#: ... and, when none is close, lists at most this many.
MAX_LISTED = 100
#: Problems collected from one spec before reading it further is abandoned (compilers'
#: -fmax-errors):
#: each costs a hint, and a spec with more has one mistake repeated.
MAX_PROBLEMS = 100


def did_you_mean(word: str, choices: Collection[str], listing: str = "expected one of: ") -> str:
    """A hint for an unknown ``word``: the closest of ``choices`` (difflib's ratio of at least
    0.6), else ``listing`` followed by the choices. Bounded in cost and length however many
    choices there are."""
    from difflib import (
        get_close_matches,
    )  # only when there is a problem: difflib costs a millisecond to import

    close = (
        get_close_matches(word, list(islice(choices, MAX_CLOSE_CHOICES)), n=1, cutoff=0.6)
        if len(word) <= 40
        else []
    )
    if close:
        return f"did you mean '{close[0]}'?"
    shown = ", ".join(islice(choices, MAX_LISTED))
    more = len(choices) - MAX_LISTED
    return listing + (shown or "none") + (f" and {more:,} more" if more > 0 else "")


#: Other frameworks' layer names (PyTorch's ``nn``, Keras', Caffe's), written in lower case
#: without ``_``, ``.`` or a module prefix, and the cnncalc type each is. Every type named here is
#: registered (tests/test_new_user.py).
FRAMEWORK_NAMES: dict[str, str] = {
    **dict.fromkeys(
        ("conv1d", "conv2d", "conv3d", "convolution", "convolution1d", "convolution2d"), "conv"
    ),
    "convolution3d": "conv",
    **dict.fromkeys(("depthwiseconv2d", "depthwiseconvolution2d"), "dwconv"),
    **dict.fromkeys(("linear", "dense", "innerproduct", "fullyconnected"), "fc"),
    **dict.fromkeys(
        ("batchnorm1d", "batchnorm2d", "batchnorm3d", "batchnormalization", "bn"), "batchnorm"
    ),
    "layernormalization": "layernorm",
    **dict.fromkeys(("localresponsenorm", "localresponsenormalization"), "lrn"),
    **{f"{name}{n}d": "maxpool" for name in ("maxpool", "maxpooling") for n in (1, 2, 3)},
    **{f"{name}{n}d": "avgpool" for name in ("avgpool", "averagepooling") for n in (1, 2, 3)},
    **{f"adaptiveavgpool{n}d": "adaptive_avgpool" for n in (1, 2, 3)},
    **{f"adaptivemaxpool{n}d": "adaptive_maxpool" for n in (1, 2, 3)},
    **{
        f"{name}{n}d": "gap"
        for name in ("globalaveragepooling", "globalavgpool")
        for n in (1, 2, 3)
    },
    **{
        f"{name}{n}d": "global_maxpool"
        for name in ("globalmaxpooling", "globalmaxpool")
        for n in (1, 2, 3)
    },
    **dict.fromkeys(("leakyrelu",), "leaky_relu"),
    "swish": "silu",
    **{f"{name}{n}d": "dropout" for name in ("dropout", "spatialdropout") for n in (1, 2, 3)},
    **{f"zeropadding{n}d": "zeropad" for n in (1, 2, 3)},
    **dict.fromkeys(("concatenate", "cat"), "concat"),
    "multiply": "mul",
    **{f"convtranspose{n}d": "conv_transpose" for n in (1, 2, 3)},
    **{f"conv{n}dtranspose": "conv_transpose" for n in (1, 2, 3)},
    "deconvolution": "conv_transpose",
    **{f"upsampling{n}d": "upsample" for n in (1, 2, 3)},
    "interpolate": "upsample",
    **{f"cropping{n}d": "crop" for n in (1, 2, 3)},
    "centercrop": "crop",
    "pixelshuffle": "pixel_shuffle",
    "pixelunshuffle": "pixel_unshuffle",
    "maxunpool2d": "maxunpool",
    "instancenorm2d": "instancenorm",
    "groupnormalization": "groupnorm",
}


def framework_hint(kind: str) -> str | None:
    """The hint for an unknown layer type that another framework names (``Conv2d``, ``Dense``,
    ``BatchNorm2d``, ``ConvTranspose2d``), or ``None``."""
    key = re.sub(r"[^a-z0-9]", "", kind.rsplit(".", 1)[-1].lower())
    if key not in FRAMEWORK_NAMES:
        return None
    return f"'{kind}' is '{FRAMEWORK_NAMES[key]}' in cnncalc"


def gave_up(span: Span) -> Diagnostic:
    """The last diagnostic of a spec abandoned after :data:`MAX_PROBLEMS` problems."""
    return error(
        "E007",
        f"gave up after {MAX_PROBLEMS} problems",
        span,
        "fix these first: later problems may be the same mistake repeated",
    )


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    """Shorthand for an error-severity diagnostic."""
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, span=span, hint=hint)
