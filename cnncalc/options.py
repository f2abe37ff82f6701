"""The command line's own value types: ASCII digits only, bounded, every message showing the
user's text visibly. Used by :mod:`cnncalc.cli`; each converts one argument or fails with click's
usage error (exit 2)."""

from __future__ import annotations

import re
from typing import Any

import click

from cnncalc.errors import Problem
from cnncalc.render.escape import visible
from cnncalc.shapes import Shape, parse_volume

#: Largest number any numeric option takes: the largest size a spec may hold
#: (:data:`cnncalc.values.MAX_SIZE`), so every figure stays well inside float range.
MAX_OPTION = 10**7


class Count(click.ParamType):  # type: ignore[type-arg]
    """A whole number written in ASCII digits, between ``minimum`` and ``maximum``. (click's
    ``IntRange`` takes any Unicode digit, so a Bengali four that looks like an eight would be 4,
    and no upper bound, so 10^400 reached float arithmetic.)"""

    name = "integer"

    def __init__(self, minimum: int = 1, maximum: int = MAX_OPTION) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if not re.fullmatch("[+]?[0-9]{1,30}", text):
            shown = visible(str(value)[:40]) + ("…" if len(str(value)) > 40 else "")
            self.fail(f"'{shown}' is not a whole number of at most 30 digits 0-9", param, ctx)
        number = int(text)
        if not self.minimum <= number <= self.maximum:
            self.fail(f"{number:,} is not between {self.minimum} and {self.maximum:,}", param, ctx)
        return number


class VolumeType(click.ParamType):  # type: ignore[type-arg]
    """``HxWxC``, e.g. ``224x224x3`` (``LxC`` and ``DxHxWxC`` for 1-D and 3-D)."""

    name = "HxWxC"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shape:
        if isinstance(value, Shape):
            return value
        try:
            return parse_volume(str(value))
        except Problem as exc:
            self.fail(visible(f"{exc.message}: {exc.hint}"), param, ctx)


class ParamSetting(click.ParamType):  # type: ignore[type-arg]
    """``NAME=VALUE``: a param of the spec and a number or expression."""

    name = "NAME=VALUE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        name, sep, text = str(value).partition("=")
        if not sep or not name.strip() or not text.strip():
            self.fail(
                f"'{visible(str(value))}' is not NAME=VALUE, e.g. v1=1 or width=1.2", param, ctx
            )
        return name.strip(), text.strip()


class AxesType(click.ParamType):  # type: ignore[type-arg]
    """``N`` (every axis), ``HxW`` or ``DxHxW``, e.g. ``3``, ``1x7``, ``3x1x1``: fitted to the
    volume's rank by the command (:func:`cnncalc.arithmetic.widen`)."""

    name = "N|HxW"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        from cnncalc.arithmetic import parse_axes

        if isinstance(value, tuple):
            return value
        try:
            return parse_axes(str(value), param.name if param and param.name else "value")
        except ValueError as exc:
            self.fail(visible(str(exc)), param, ctx)


class PaddingType(click.ParamType):  # type: ignore[type-arg]
    """As in a spec: ``P``, ``PH,PW``, ``TOP,BOTTOM,LEFT,RIGHT``, ``same`` or ``valid``; read by
    the command at its volume's rank (:func:`cnncalc.arithmetic.parse_padding`)."""

    name = "P|same|valid"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return str(value)


class FeaturesType(VolumeType):
    """``HxWxC``, or ``N`` for ``1x1xN`` (the output of an earlier fc)."""

    name = "HxWxC|N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shape:
        if isinstance(value, str) and re.fullmatch("[0-9]{1,30}", value.strip()):
            return Shape(1, 1, Count().convert(value, param, ctx))
        return super().convert(value, param, ctx)


class Quantity(click.ParamType):  # type: ignore[type-arg]
    """A whole number with an optional SI suffix (:func:`cnncalc.limits.quantity`, the parser a
    spec's ``budget:`` uses): ``24GB``, ``5M``, ``600M``, ``1.5G``. ``unit`` is the optional
    trailing letter (``B`` for bytes)."""

    name = "quantity"

    def __init__(self, unit: str = "") -> None:
        self.unit = unit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from cnncalc.limits import quantity

        if isinstance(value, int):
            return value
        try:
            return quantity(str(value), self.unit)
        except ValueError as exc:
            self.fail(f"'{visible(str(value)[:40])}' {exc}", param, ctx)


class BudgetType(click.ParamType):  # type: ignore[type-arg]
    """A ``budget:`` mapping as a spec writes it, in YAML flow style, e.g. ``{peak_memory: {max:
    50MB, batch: 8}}``: read by the spec's own reader (:func:`cnncalc.limits.read_budget`), so
    the figures, settings and sizes are the same on the command line and in a spec."""

    name = "YAML"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.errors import SpecError
        from cnncalc.limits import read_budget
        from cnncalc.source import parse

        if isinstance(value, tuple):
            return value
        try:
            node = parse("--budget", str(value))
        except SpecError as exc:
            self.fail(visible(f"'{str(value)[:60]}': {exc.diagnostics[0].message}"), param, ctx)
        limits, problems = read_budget(node)
        if problems:
            first = problems[0]
            hint = f"; {first.hint}" if first.hint else ""
            self.fail(visible(f"{first.message}{hint}"), param, ctx)
        return limits


class ColumnsType(click.ParamType):  # type: ignore[type-arg]
    """``name,output,params``: the table's columns in order; when every name starts with ``+``,
    the columns are added to the defaults (``+memory,+params%``). Gives the column keys of
    :data:`cnncalc.render.columns.COLUMNS`."""

    name = "NAME,..."

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, ...]:
        from cnncalc.errors import did_you_mean
        from cnncalc.render.columns import BY_KEY, DEFAULT

        if isinstance(value, tuple):
            return value
        names = [name.strip() for name in str(value).split(",") if name.strip()]
        if not names:
            self.fail("give at least one column, e.g. name,output,params", param, ctx)
        adding = all(name.startswith("+") for name in names)
        keys = [name.removeprefix("+") for name in names]
        for key in keys:
            if key not in BY_KEY:
                hint = did_you_mean(key, BY_KEY, "columns: ")
                self.fail(f"no column '{visible(key)}'; {hint}", param, ctx)
        if adding:
            keys = [*DEFAULT, *(key for key in keys if key not in DEFAULT)]
        return tuple(dict.fromkeys(keys))


class DtypeType(click.ParamType):  # type: ignore[type-arg]
    """An element type by any usual spelling (:meth:`cnncalc.metrics.Dtype.parse`)."""

    name = "float32|float16|bfloat16|int8"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.metrics import Dtype

        if isinstance(value, Dtype):
            return value
        try:
            return Dtype.parse(str(value))
        except ValueError as exc:
            self.fail(visible(str(exc)), param, ctx)


class GateType(click.ParamType):  # type: ignore[type-arg]
    """``FIGURE+N%`` or ``FIGURE+N`` (SI suffixes allowed), e.g. ``params+10%``, ``macs+50M``: a
    :class:`cnncalc.budget.Gate`."""

    name = "FIGURE+LIMIT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from fractions import Fraction

        from cnncalc.budget import FIGURES, Gate

        if isinstance(value, Gate):
            return value
        text = str(value).strip()
        found = re.fullmatch(r"([a-z]{1,20})\+(.{1,30})", text)
        if found is None or found[1] not in FIGURES:
            self.fail(
                f"'{visible(text[:40])}' is not FIGURE+LIMIT with FIGURE one of"
                f" {', '.join(FIGURES)}, e.g. params+10% or macs+50M",
                param,
                ctx,
            )
        figure, limit = str(found[1]), str(found[2])
        percent = re.fullmatch(r"([0-9]{1,6}(?:\.[0-9]{1,6})?)%", limit)
        if percent is not None:
            return Gate(figure=figure, percent=Fraction(percent[1]))
        return Gate(figure=figure, amount=Quantity().convert(limit, param, ctx))
