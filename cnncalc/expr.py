"""A small, safe arithmetic language for spec values: ``filters * 4``, ``channels // 2``,
``make_divisible(32 * width, 8)``, ``2 if first else 1``.

Spec text is never handed to Python's ``eval`` or ``ast``: this module tokenizes and parses it
itself, knows only numbers, names bound by the spec (block arguments, ``params``) and a fixed set of
functions, and bounds the length, nesting and magnitude of everything, so a hostile spec cannot run
code or make a number explode.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Union

from cnncalc.errors import Problem, did_you_mean

Number = int | float
#: What a name may stand for: a number, or a pair ``(h, w)`` (a block argument such as a kernel
#: ``[1, 7]``). Arithmetic on a pair works element-wise (``kernel // 2`` is ``(0, 3)``).
Value = Number | tuple[Number, Number]
#: A parsed expression: a number, a name, or an operator applied to sub-trees.
Tree = Union[int, float, str, tuple[str, tuple["Tree", ...]]]  # noqa: UP007 - recursive alias needs Union

MAX_LENGTH = 300
MAX_NESTING = 24
MAX_MAGNITUDE = 10**15

_TOKEN = re.compile(
    r"\s*(?:(\d+\.\d*|\.\d+|\d+)|([A-Za-z_][A-Za-z_0-9]*)|(//|\*\*|==|!=|<=|>=|[-+*/%()<>,]))"
)
_KEYWORDS = {"if", "else", "and", "or", "not"}


def make_divisible(value: Number, divisor: Number = 8, min_value: Number | None = None) -> int:
    """Round ``value`` to the nearest multiple of ``divisor``, never going more than 10% below it.

    The channel rounding of MobileNet v2/v3 and EfficientNet (torchvision's ``_make_divisible``).
    """
    floor_value = int(divisor if min_value is None else min_value)
    rounded = max(floor_value, int(value + divisor / 2) // int(divisor) * int(divisor))
    if rounded < 0.9 * value:
        rounded += int(divisor)
    return rounded


FUNCTIONS: dict[str, Callable[..., Number]] = {
    "min": min,
    "max": max,
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
    "int": int,
    "make_divisible": make_divisible,
}


_CACHE: dict[str, Tree] = {}


def parse(text: str) -> Tree:
    """Parse ``text`` into a tree (cached: blocks evaluate the same text once per instance).

    Parsing and evaluation recurse, so both the parser's nesting (parentheses, signs, powers) and
    the tree's depth (a chain ``1+1+...+1`` is as deep as it is long) are capped at
    :data:`MAX_NESTING`.
    """
    tree = _CACHE.get(text)
    if tree is None:
        tree = _Parser(text).parse()
        if _depth(tree) > MAX_NESTING:
            raise Problem(
                "E007",
                f"expression nested deeper than {MAX_NESTING} levels",
                "simplify it, or split it with params",
            )
        if len(_CACHE) < 10_000:
            _CACHE[text] = tree
    return tree


def _depth(tree: Tree) -> int:
    """How deep ``tree`` is, counted without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, tuple):
            stack.extend((arg, depth + 1) for arg in node[1])
    return deepest


def evaluate(text: str, env: Mapping[str, Value]) -> Value:
    """Evaluate ``text`` with the variables in ``env``."""
    return _eval(parse(text), env)


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise Problem(
                "E007", f"expression longer than {MAX_LENGTH} characters", "split it with params"
            )
        self.text = text
        self.tokens = self.tokenize(text)
        self.pos = 0
        self.depth = 0

    @staticmethod
    def tokenize(text: str) -> list[str]:
        tokens: list[str] = []
        pos = 0
        end = len(text.rstrip())
        while pos < end:
            match = _TOKEN.match(text, pos)
            if not match:
                raise Problem(
                    "E106",
                    f"unexpected character {text[pos:].lstrip()[0]!r} in '{text}'",
                    "expressions use numbers, names, + - * / // % ** ( ) and if/else",
                )
            tokens.append(match.group(match.lastindex or 0))
            pos = match.end()
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            want = f"'{expected}'" if expected else "a value"
            got = f"'{token}'" if token else "the end"
            raise Problem(
                "E106",
                f"expected {want} but found {got} in '{self.text}'",
                "check the expression's syntax",
            )
        self.pos += 1
        return token

    def parse(self) -> Tree:
        if not self.tokens:
            raise Problem("E106", "empty expression", "write a number or an expression")
        tree = self.ternary()
        if self.peek() is not None:
            raise Problem(
                "E106",
                f"unexpected '{self.peek()}' in '{self.text}'",
                "check the expression's syntax",
            )
        return tree

    def nest(self) -> None:
        """Count one level of recursion (a parenthesis, sign or power), refusing too many."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise Problem(
                "E007",
                f"expression nested deeper than {MAX_NESTING} levels",
                "simplify it, or split it with params",
            )

    def ternary(self) -> Tree:
        self.nest()
        value = self.binary(0)
        if self.peek() == "if":
            self.take()
            condition = self.binary(0)
            self.take("else")
            value = ("if", (condition, value, self.ternary()))
        self.depth -= 1
        return value

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("==", "!=", "<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "/", "//", "%"),
    )

    def binary(self, level: int) -> Tree:
        if level == len(self._LEVELS):
            return self.unary()
        if level == 2 and self.peek() == "not":
            self.take()
            self.nest()
            operand = self.binary(level)
            self.depth -= 1
            return ("not", (operand,))
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            op = self.take()
            left = (op, (left, self.binary(level + 1)))
        return left

    def unary(self) -> Tree:
        if self.peek() in ("-", "+"):
            op = self.take()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            return ("neg", (operand,)) if op == "-" else operand
        base = self.atom()
        if self.peek() == "**":
            self.take()
            self.nest()
            exponent = self.unary()
            self.depth -= 1
            return ("**", (base, exponent))
        return base

    def atom(self) -> Tree:
        token = self.take()
        if token == "(":
            inner = self.ternary()
            self.take(")")
            return inner
        if token[0].isdigit() or token[0] == ".":
            return _check(float(token) if "." in token else int(token))
        if token[0].isalpha() or token[0] == "_":
            if token in _KEYWORDS:
                raise Problem(
                    "E106",
                    f"unexpected '{token}' in '{self.text}'",
                    "check the expression's syntax",
                )
            if self.peek() == "(":
                return self.call(token)
            return token
        raise Problem(
            "E106", f"unexpected '{token}' in '{self.text}'", "check the expression's syntax"
        )

    def call(self, name: str) -> Tree:
        if name not in FUNCTIONS:
            raise Problem(
                "E107", f"unknown function '{name}'", did_you_mean(name, FUNCTIONS, "functions: ")
            )
        self.take("(")
        args: list[Tree] = []
        if self.peek() != ")":
            args.append(self.ternary())
            while self.peek() == ",":
                self.take()
                args.append(self.ternary())
        self.take(")")
        return ("call:" + name, tuple(args))


def _check(value: Number) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise Problem("E104", "expression is not a finite number", "avoid dividing by zero")
    if abs(value) > MAX_MAGNITUDE:
        raise Problem(
            "E007", f"expression value exceeds {MAX_MAGNITUDE:.0e}", "use smaller numbers"
        )
    return value


def _binary(op: str, a: Number, b: Number) -> Number:
    if op in ("/", "//", "%") and b == 0:
        raise Problem("E104", "division by zero in an expression", "check the divisor")
    if op == "**" and (abs(b) > 64 or abs(a) > 10**6):
        raise Problem("E007", "power too large in an expression", "use smaller numbers")
    if op == "**" and a == 0 and b < 0:
        raise Problem("E104", "zero to a negative power in an expression", "check the exponent")
    if op == "**" and a < 0 and not float(b).is_integer():
        raise Problem(
            "E104",
            "a negative number to a fractional power in an expression",
            "the result would not be a real number",
        )
    result: Number
    match op:
        case "+":
            result = a + b
        case "-":
            result = a - b
        case "*":
            result = a * b
        case "/":
            result = a / b
        case "//":
            result = a // b
        case "%":
            result = a % b
        case "**":
            try:
                result = a**b
            except OverflowError:  # a float power past the float range
                raise Problem(
                    "E007", f"expression value exceeds {MAX_MAGNITUDE:.0e}", "use smaller numbers"
                ) from None
        case "==":
            result = int(a == b)
        case "!=":
            result = int(a != b)
        case "<":
            result = int(a < b)
        case "<=":
            result = int(a <= b)
        case ">":
            result = int(a > b)
        case _:
            result = int(a >= b)
    return _check(result)


def _number(value: Value, where: str) -> Number:
    if isinstance(value, tuple):
        raise Problem(
            "E103",
            f"a pair {list(value)} cannot be {where}",
            "use a number here; arithmetic on a pair works element-wise",
        )
    return value


def _elementwise(apply: Callable[..., Number], values: list[Value]) -> Value:
    """``apply`` to numbers, or element by element when a value is a pair (numbers broadcast)."""
    if not any(isinstance(v, tuple) for v in values):
        return apply(*values)
    first = apply(*(v[0] if isinstance(v, tuple) else v for v in values))
    second = apply(*(v[1] if isinstance(v, tuple) else v for v in values))
    return (first, second)


def _eval(tree: Tree, env: Mapping[str, Value]) -> Value:
    if isinstance(tree, int | float):
        return tree
    if isinstance(tree, str):
        if tree not in env:
            raise Problem(
                "E107", f"unknown name '{tree}'", did_you_mean(tree, env.keys(), "names in scope: ")
            )
        return env[tree]
    op, args = tree
    if op == "if":
        condition, then, otherwise = args
        return (
            _eval(then, env)
            if _number(_eval(condition, env), "a condition")
            else _eval(otherwise, env)
        )
    if op == "and":
        return _eval(args[1], env) if _number(_eval(args[0], env), "a condition") else 0
    if op == "or":
        first = _eval(args[0], env)
        return first if _number(first, "a condition") else _eval(args[1], env)
    values = [_eval(arg, env) for arg in args]
    if op == "neg":
        return _elementwise(lambda a: -a, values)
    if op == "not":
        return int(not _number(values[0], "a condition"))
    if op.startswith("call:"):
        name = op[5:]
        try:
            return _elementwise(lambda *xs: _check(FUNCTIONS[name](*xs)), values)
        except (
            TypeError,
            ValueError,
            ArithmeticError,
        ) as exc:  # e.g. make_divisible(8, 0.5): a divisor that truncates to 0
            raise Problem(
                "E106", f"bad arguments to {name}(): {exc}", "check the function's arguments"
            ) from None
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return _binary(op, _number(values[0], "compared"), _number(values[1], "compared"))
    return _elementwise(lambda a, b: _binary(op, a, b), values)
