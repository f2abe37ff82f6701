"""A small, safe arithmetic language for spec values: ``filters * 4``, ``channels // 2``,
``make_divisible(32 * width, 8)``, ``2 if first else 1``.

Spec text is never handed to Python's ``eval`` or ``ast``: this module tokenizes and parses it
itself, knows only numbers, names bound by the spec (block arguments, ``params``) and a fixed set of
functions, and bounds the length, nesting and magnitude of everything, so a hostile spec cannot run
code or make a number explode.

Only ASCII is read: numbers are the digits ``0-9`` and names are ASCII letters, digits and ``_``;
the one dotted form is ``input.`` and a name (``input.h``, the input volume's height, bound by
:func:`cnncalc.spec.input_names`), so ``width.__class__`` stays a syntax error.
(Unicode regular expressions and ``str.isdigit`` also take ``৪``, a Bengali four that looks like
an eight, and ``int`` reads it as 4.)

The work is bounded, not only the text. Every value, intermediate ones and function arguments
included, stays within :data:`MAX_MAGNITUDE` (floats finite), and a power or ``round`` that would
leave that range is refused *before* it is computed, so each operation costs a bounded amount.
The evaluation steps (tree nodes) of a whole spec are counted against a :func:`budget` that its
reader and expander open, as SQLite's progress handler counts virtual-machine steps: block
instances and repeats evaluate the same text many times, so the length of each text alone does
not bound the total.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Union

from cnncalc.errors import Problem, did_you_mean

Number = int | float
#: What a name may stand for: a number, or a pair ``(h, w)`` (a block argument such as a kernel
#: ``[1, 7]``). Arithmetic on a pair works element-wise (``kernel // 2`` is ``(0, 3)``).
Value = Number | tuple[Number, ...]
#: A parsed expression: a number, a name, or an operator applied to sub-trees.
Tree = Union[int, float, str, tuple[str, tuple["Tree", ...]]]  # noqa: UP007 - recursive alias needs Union

MAX_LENGTH = 300
MAX_NESTING = 24
MAX_MAGNITUDE = 10**15
#: ``round(x, n)`` takes ``|n|`` up to the digits of :data:`MAX_MAGNITUDE`: beyond them rounding
#: changes nothing (or gives 0), while ``round(5, -10**8)`` would make Python compute 10^(10^8).
MAX_DIGITS = len(str(MAX_MAGNITUDE)) - 1
#: Evaluation steps (tree nodes) a :func:`budget` allows by default: about a second of evaluation
#: (a step of arithmetic costs about a microsecond), some 600 times what the most expression-heavy
#: built-in (EfficientNet-B7: 1,711) needs.
MAX_STEPS = 1_000_000

#: ``re.ASCII``: ``\d`` and ``\s`` would otherwise match any Unicode digit and space.
_TOKEN = re.compile(
    r"\s*(?:(\d+\.\d*|\.\d+|\d+)|(input\.[A-Za-z_][A-Za-z_0-9]*|[A-Za-z_][A-Za-z_0-9]*)|(//|\*\*|==|!=|<=|>=|[-+*/%()<>,]))",
    re.ASCII,
)
_SPACE = " \t\n\r\f\v"
_NUMBER_START = "0123456789."
_NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
_KEYWORDS = {"if", "else", "and", "or", "not"}


class Budget:
    """Evaluation steps allowed and used; see :func:`budget`."""

    __slots__ = ("hint", "limit", "used")

    def __init__(self, limit: int, hint: str) -> None:
        self.limit = limit
        self.hint = hint
        self.used = 0

    @property
    def exhausted(self) -> bool:
        return self.used > self.limit

    def charge(self, steps: int) -> None:
        """Count ``steps`` more, refusing (E007) once the total passes the limit."""
        self.used += steps
        if self.used > self.limit:
            raise Problem(
                "E007",
                f"expressions take more than {self.limit:,} evaluation steps in all",
                self.hint,
            )


_BUDGET: ContextVar[Budget | None] = ContextVar("cnncalc_expr_budget", default=None)


@contextmanager
def budget(
    steps: int = MAX_STEPS, hint: str = "use fewer or shorter expressions"
) -> Iterator[Budget]:
    """Count every :func:`evaluate` inside the ``with`` against ``steps`` tree nodes (an
    evaluation is charged its tree's size, an upper bound of the nodes it visits), refusing with
    ``hint`` past them. Budgets nest: the innermost one counts. Without one, only each
    expression's own size bounds it."""
    counter = Budget(steps, hint)
    token = _BUDGET.set(counter)
    try:
        yield counter
    finally:
        _BUDGET.reset(token)


def make_divisible(value: Number, divisor: Number = 8, min_value: Number | None = None) -> int:
    """Round ``value`` to the nearest multiple of ``divisor``, never going more than 10% below it.

    The channel rounding of MobileNet v2/v3 and EfficientNet (torchvision's ``_make_divisible``).
    """
    floor_value = int(divisor if min_value is None else min_value)
    rounded = max(floor_value, int(value + divisor / 2) // int(divisor) * int(divisor))
    if rounded < 0.9 * value:
        rounded += int(divisor)
    return rounded


def _round(value: Number, ndigits: int | None = None) -> Number:
    """Python's ``round``, with ``ndigits`` within :data:`MAX_DIGITS` either way."""
    if isinstance(ndigits, int) and abs(ndigits) > MAX_DIGITS:
        raise Problem(
            "E007",
            f"round() takes from -{MAX_DIGITS} to {MAX_DIGITS} digits, not {ndigits:,}",
            f"values stay below 10^{MAX_DIGITS}, so more digits change nothing",
        )
    return round(value, ndigits)


FUNCTIONS: dict[str, Callable[..., Number]] = {
    "min": min,
    "max": max,
    "ceil": math.ceil,
    "floor": math.floor,
    "round": _round,
    "int": int,
    "make_divisible": make_divisible,
}


#: Parsed texts with their sizes (tree nodes) and the names they use.
_CACHE: dict[str, tuple[Tree, int, frozenset[str]]] = {}


def parse(text: str) -> Tree:
    """Parse ``text`` into a tree (cached: blocks evaluate the same text once per instance).

    Parsing and evaluation recurse, so both the parser's nesting (parentheses, signs, powers) and
    the tree's depth (a chain ``1+1+...+1`` is as deep as it is long) are capped at
    :data:`MAX_NESTING`.
    """
    return _parsed(text)[0]


def names(text: str) -> frozenset[str]:
    """The names ``text`` uses (not its functions): what its value depends on besides numbers."""
    return _parsed(text)[2]


def _parsed(text: str) -> tuple[Tree, int, frozenset[str]]:
    found = _CACHE.get(text)
    if found is None:
        tree = _Parser(text).parse()
        found = (tree, *_measure(tree))
        if len(_CACHE) < 10_000:
            _CACHE[text] = found
    return found


def _measure(tree: Tree) -> tuple[int, frozenset[str]]:
    """The size of ``tree`` and the names in it, walked without recursion; refuses a tree deeper
    than :data:`MAX_NESTING`."""
    size, used = 0, set[str]()
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        size += 1
        if depth > MAX_NESTING:
            raise Problem(
                "E007",
                f"expression nested deeper than {MAX_NESTING} levels",
                "simplify it, or split it with params",
            )
        if isinstance(node, str):
            used.add(node)
        elif isinstance(node, tuple):
            stack.extend((arg, depth + 1) for arg in node[1])
    return size, frozenset(used)


def evaluate(text: str, env: Mapping[str, Value]) -> Value:
    """Evaluate ``text`` with the variables in ``env``, charged to the open :func:`budget`."""
    tree, size, _ = _parsed(text)
    counter = _BUDGET.get()
    if counter is not None:
        counter.charge(size)
    return _eval(tree, env)


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
        end = len(text.rstrip(_SPACE))
        while pos < end:
            match = _TOKEN.match(text, pos)
            if not match:
                raise _unexpected(text, pos + len(text[pos:]) - len(text[pos:].lstrip(_SPACE)))
            token = match.group(match.lastindex or 0)
            if match.lastindex == 1 and len(token) > 1 and token[0] == "0" and token.isdigit():
                raise Problem(
                    "E106",
                    f"the number '{token}' in '{text}' has a leading zero",
                    f"YAML 1.1 and C read it as octal; write {int(token)} if you mean it",
                )
            tokens.append(token)
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
        if token[0] in _NUMBER_START:
            return _check(float(token) if "." in token else int(token))
        if token[0] in _NAME_START:
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


def _unexpected(text: str, at: int) -> Problem:
    """E106 for the character at ``at``, named when it is not ASCII (a digit of another script
    looks like one of ours, and may even look like another: ``৪`` is a Bengali four)."""
    char = text[at]
    if char.isascii():
        return Problem(
            "E106",
            f"unexpected character {char!r} in '{text}'",
            "expressions use numbers, names, + - * / // % ** ( ) and if/else",
        )
    import unicodedata  # only on this error path

    name = unicodedata.name(char, "no name")
    return Problem(
        "E106",
        f"unexpected character {char!r} (U+{ord(char):04X} {name}) at character {at + 1} of"
        f" '{text}'",
        "numbers use the ASCII digits 0-9 and names the ASCII letters, digits and _; retype it",
    )


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
    if op == "**" and _power_bits(a, b) > MAX_MAGNITUDE.bit_length():
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


def _power_bits(a: Number, b: Number) -> float:
    """A lower bound of the bits of ``|a ** b|``: ``b * floor(log2 |a|)``, so a power is refused
    before Python computes it (``2 ** 10**9`` would take seconds). Below the bound the result has
    under twice the bits of :data:`MAX_MAGNITUDE`, cheap to compute and then checked exactly."""
    if abs(a) < 2 or b <= 0:
        # An int base of 0 or 1 stays within 1, a negative exponent gives a float, and a float
        # power costs the same at any size (an overflow is caught where it is computed).
        return 0
    return b * (math.frexp(abs(a))[1] - 1)


def _number(value: Value, where: str) -> Number:
    if isinstance(value, tuple):
        raise Problem(
            "E103",
            f"a {list_noun(value)} {list(value)} cannot be {where}",
            f"use a number here; arithmetic on a {list_noun(value)} works element-wise",
        )
    return value


def list_noun(value: tuple[Number, ...]) -> str:
    """How a message names a list value: a ``pair`` of two numbers (an image's axes), else a
    ``list``."""
    return "pair" if len(value) == 2 else "list"


def _elementwise(apply: Callable[..., Number], values: list[Value]) -> Value:
    """``apply`` to numbers, or element by element when a value is a list (one number per axis;
    numbers broadcast, lists must be as long as each other)."""
    lengths = {len(v) for v in values if isinstance(v, tuple)}
    if not lengths:
        return apply(*values)
    if len(lengths) > 1:
        raise Problem(
            "E103",
            "lists of " + " and ".join(str(n) for n in sorted(lengths)) + " numbers cannot be"
            " combined",
            "give every list one number per axis",
        )
    count = lengths.pop()
    return tuple(
        apply(*(v[axis] if isinstance(v, tuple) else v for v in values)) for axis in range(count)
    )


def _eval(tree: Tree, env: Mapping[str, Value]) -> Value:
    if isinstance(tree, int | float):
        return tree
    if isinstance(tree, str):
        try:
            return env[tree]
        except KeyError:
            raise Problem(
                "E107", f"unknown name '{tree}'", did_you_mean(tree, env.keys(), "names in scope: ")
            ) from None
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
    values: list[Value] = []
    for arg in args:  # leaves inline, not in a call each: a Python frame per node is the cost
        if isinstance(arg, str):
            try:
                values.append(env[arg])
                continue
            except KeyError:
                pass  # _eval reports the unknown name
        values.append(arg if isinstance(arg, int | float) else _eval(arg, env))
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
    a, b = values
    if not isinstance(a, tuple) and not isinstance(b, tuple):
        return _binary(op, a, b)  # the common case, without a closure and a scan per step
    return _elementwise(lambda x, y: _binary(op, x, y), values)
