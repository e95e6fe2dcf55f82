"""The safe expression parser: the text of an expression, checked, becomes a graph of Values.

Expressions are read by :func:`parse_expression`, which checks Python's ``ast``
of the text against a whitelist — numbers, variables, ``+ - * / **``, unary
``-``/``+`` and calls of the engine's functions — and then builds the graph
itself. No code is ever evaluated: no ``eval``, ``exec`` or compiling to
bytecode. The ``draw`` command (:mod:`tinygrad_edu.cli.commands`) reads its
expression in two steps, to tell a missing ``--set`` from a bad expression:
:class:`ExpressionSource` (checked text), then :func:`build_graph`.
"""

from __future__ import annotations

import ast
import io
import keyword
import operator
import re
import tokenize
from functools import partial
from typing import Any, Callable, Mapping, NamedTuple, Optional, Union

from .. import ops
from ..checks import type_error
from ..engine import Value, call
from ..modes import no_grad

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ExpressionError",
    "ExpressionSource",
    "Function",
    "build_graph",
    "parse_expression",
    "require_values",
]

MAX_LENGTH = 10_000  # characters in an expression
MAX_DEPTH = 200  # operators, calls and brackets nested in one another (Python's own bracket limit)

Operand = Union[float, Value]  # a constant (computed once, as a number) or a node of the graph


class ExpressionError(ValueError):
    """An expression :func:`parse_expression` refuses; ``str(e)`` names the problem and where it is.

    ``str(e)`` is ``"<problem> at column <column>; <detail>"`` (``at line L, column C``
    for an expression of several lines). ``line`` and ``column`` are 1-based, in
    characters, or None when the problem has no position (an empty expression).
    """

    def __init__(
        self,
        problem: str,
        line: Optional[int] = None,
        column: Optional[int] = None,
        *,
        detail: str = "",
        multiline: bool = False,
    ) -> None:
        self.problem, self.line, self.column, self.detail = problem, line, column, detail
        if column is None:
            where = ""
        elif multiline and line is not None:
            where = f" at line {line}, column {column}"
        else:
            where = f" at column {column}"
        super().__init__(problem + where + (f"; {detail}" if detail else ""))


# ------------------------------------------------------------------ the language


class Function(NamedTuple):
    """A function an expression may call: how it is written, its argument counts, what it does.

    Its first ``numbers_from`` arguments are its inputs (expressions); the rest are its
    ``constants``, numbers given by position or by name, each optional.
    """

    usage: str  # for messages: "leaky_relu(x, k=0.01)"
    arities: tuple[int, ...]  # the numbers of arguments it accepts
    numbers_from: int  # arguments from this index on must be numbers, not expressions of variables
    apply: Callable[..., Value]
    constants: tuple[str, ...] = ()  # the names of those arguments: ("k",)


def _op_function(op: ops.Op, usage: str = "") -> Function:
    """The function that calls ``op`` as its ``call`` reads: inputs, then optional constants."""
    n, constants = len(op.inputs), tuple(name for name, _ in op.params)
    arities = tuple(range(n, n + len(constants) + 1))
    return Function(usage or op.call, arities, n, partial(call, op), constants)


#: Every function an expression may call, by name: the ops of ops.py that users call by name
#: (dot and total take lists, which expressions do not have), and max/min for maximum/minimum.
FUNCTIONS: Mapping[str, Function] = {
    **{name: _op_function(op) for name, op in ops.functions().items() if name not in ("dot", "total")},
    "max": _op_function(ops.MAXIMUM, "max(a, b)"),
    "min": _op_function(ops.MINIMUM, "min(a, b)"),
}

_BINARY_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not",
}  # fmt: skip
_REFUSED: dict[type[ast.AST], str] = {
    ast.Subscript: "subscripts ([...]) are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' and 'or' are not allowed",
    ast.IfExp: "conditional expressions (... if ... else ...) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments (*) are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}


def parse_expression(text: str, values: Mapping[str, float]) -> Value:
    """Build the graph of the expression ``text``, its variables taking ``values``.

    The language is a strict subset of Python's expressions: int and float
    numbers, variables (identifiers, each a leaf ``Value`` labelled with its
    name; a variable used twice is one leaf, so its gradients add up),
    ``+ - * / **``, unary ``-`` and ``+``, and calls of :data:`FUNCTIONS`:
    each op of :mod:`tinygrad_edu.ops` that users call by name, as its
    ``call`` reads (``tanh(x)``, ``maximum(a, b)``, ``leaky_relu(x, k=0.01)``),
    and ``max``/``min``. Inputs may be expressions; constants, such as k, are
    optional numbers, given by position or by name (``leaky_relu(x, 0.1)``,
    ``hardtanh(x, max_val=2)``). Parts without variables are computed once, as
    numbers, with the engine's IEEE rules (``x ** (1/2)`` is a power with a
    constant exponent; ``1/0`` is inf). Results follow IEEE too: ``log(0)`` is
    ``-inf``. An expression without variables gives a leaf.

    Anything else — attributes, subscripts, comparisons, keyword arguments
    other than constants, an expression of variables as a constant, a
    constant the op refuses (``hardtanh(x, 1, -1)``), unknown functions, a
    variable missing from ``values``, text longer than :data:`MAX_LENGTH` or
    nested deeper than :data:`MAX_DEPTH` — raises :class:`ExpressionError`
    naming the problem and its column. Entries of ``values`` the expression
    does not use are ignored.

    >>> from tinygrad_edu import topological_order
    >>> y = parse_expression("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.0})
    >>> y.data                                   # tanh(0)
    0.0
    >>> y.backward()                             # ∂y/∂w = x·(1 − y²), ∂y/∂x = w·(1 − y²)
    >>> sorted((v.label, v.grad) for v in topological_order(y) if v.label)
    [('b', 1.0), ('w', 2.0), ('x', -3.0)]
    >>> parse_expression("x.__class__", {"x": 1.0})
    Traceback (most recent call last):
      ...
    tinygrad_edu.cli.expressions.ExpressionError: attribute access '.__class__' is not allowed at column 2
    """
    source = ExpressionSource(text)
    if not isinstance(values, Mapping):
        type_error("parse_expression", "values", "a dict from variable names to numbers", values)
    names = source.variables()
    require_values(source, names, values, hint="")
    root, _ = build_graph(source, values)
    return root


# ------------------------------------------------------------------ parsing


_LINE_BREAK = re.compile(r"\r\n?|\n")
_LEADING_SPACE = " \t\f\r\n"
_OPEN, _CLOSE = "([{", ")]}"


class ExpressionSource:
    """The text of an expression, its checked ``ast``, and positions in the text as the user typed it."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"parse_expression: text must be a str, got {type(text).__name__}")
        self.multiline = _LINE_BREAK.search(text.rstrip()) is not None  # then positions give the line
        if len(text) > MAX_LENGTH:
            raise self.error(f"expression is too long: {len(text)} characters, the limit is {MAX_LENGTH}")
        # Python refuses an expression that starts indented (" -x", which gets "-x" past argparse):
        # parse it without the leading space, and add that back to every position reported.
        self.body = text.lstrip(_LEADING_SPACE)
        lead = text[: len(text) - len(self.body)]
        self.line_shift = lead.count("\n") + lead.count("\r") - lead.count("\r\n")
        self.column_shift = len(lead) - max(lead.rfind("\n"), lead.rfind("\r")) - 1
        self.lines = _LINE_BREAK.split(self.body)
        if not self.body.strip():
            raise self.error("empty expression")
        self._check_nesting()
        try:
            self.tree = ast.parse(self.body, mode="eval")
        except SyntaxError as e:
            line, column = e.lineno, (e.offset - 1 if e.offset else None)
            if line is not None and column is None and 0 < line <= len(self.lines):
                column = len(self.lines[line - 1])  # Python gives no column for an unexpected end
            raise self.error(f"syntax error: {e.msg}", line, column) from None
        except (RecursionError, MemoryError):  # not reached after _check_nesting; kept as a net
            raise self.error(f"expression is nested too deeply (the limit is {MAX_DEPTH} levels)") from None
        except ValueError as e:  # e.g. lone surrogates in the text
            raise self.error(f"cannot read the expression: {e}") from None

    def error(
        self, problem: str, line: Optional[int] = None, column: Optional[int] = None, detail: str = ""
    ) -> ExpressionError:
        """An ExpressionError at (line, 0-based character column) of ``self.body``, if given."""
        if column is None or line is None:
            return ExpressionError(problem, detail=detail, multiline=self.multiline)
        if line == 1:
            column += self.column_shift
        return ExpressionError(
            problem, line + self.line_shift, column + 1, detail=detail, multiline=self.multiline
        )

    def error_at(
        self,
        problem: str,
        node: Union[ast.expr, ast.keyword],
        at: Optional[tuple[int, int]] = None,
        detail: str = "",
    ) -> ExpressionError:
        """An ExpressionError at ``node``, or at ``at`` = (line, UTF-8 byte column) as ast counts."""
        line, offset = (node.lineno, node.col_offset) if at is None else at
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        column = len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))
        return self.error(problem, line, column, detail)

    def _check_nesting(self) -> None:
        """Refuse text nested deeper than MAX_DEPTH before ``ast.parse``, which recurses, sees it.

        The tokenizer is iterative. Along any path from the root of the syntax
        tree to a leaf, every node comes from an operator, keyword or bracket
        token that is still "open" (not closed by its bracket) where the leaf
        is, so counting those bounds the tree's depth: a chain ``x+x+x`` counts
        each ``+``, ``-(-(x))`` each ``-`` and ``(``.
        """
        depth, opened = 0, list[int]()
        tokens = tokenize.generate_tokens(io.StringIO(self.body).readline)
        try:
            for token in tokens:
                kind, string = token.type, token.string
                if kind == tokenize.STRING and "f" in string[: string.find(string[-1])].lower():
                    # Python 3.11 parses an f-string's inside recursively, out of our sight
                    raise self.error("f-strings are not allowed", *token.start)
                if kind == tokenize.OP and string in _CLOSE:
                    depth = opened.pop() if opened else depth
                elif kind == tokenize.OP or (kind == tokenize.NAME and keyword.iskeyword(string)):
                    depth += 1
                    if string in _OPEN:
                        opened.append(depth)
                if depth > MAX_DEPTH:
                    raise self.error(
                        f"expression is nested too deeply: more than {MAX_DEPTH} levels of operators,"
                        " calls and brackets",
                        *token.start,
                    )
        except (tokenize.TokenError, SyntaxError):
            pass  # a syntax error: ast.parse reports it, with a better message

    def variables(self) -> dict[str, ast.Name]:
        """Check the tree against the whitelist; its variables, each with its first use, in reading order.

        An explicit stack, children pushed right to left: nodes are checked in
        the order they are written, outermost first.
        """
        names: dict[str, ast.Name] = {}
        stack: list[ast.expr] = [self.tree.body]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Constant):
                self.number(node)
            elif isinstance(node, ast.Name):
                names.setdefault(node.id, node)
            elif isinstance(node, ast.BinOp):
                if type(node.op) not in _BINARY_OPERATORS:
                    raise self._operator_error(node)
            elif isinstance(node, ast.UnaryOp):
                if type(node.op) not in _UNARY_OPERATORS:
                    raise self._operator_error(node)
            elif isinstance(node, ast.Call):
                self._check_call(node)
            else:
                raise self._refusal(node)
            stack.extend(reversed(_operands(node)))
        return names

    def number(self, node: ast.Constant) -> float:
        """The value of a number in the expression; anything else is refused."""
        value = node.value
        if type(value) is float:
            return value
        if type(value) is int:
            try:
                return float(value)
            except OverflowError:
                # the literal as written: str() of a huge int fails past 4,300 digits (0x... has more)
                written = ast.get_source_segment(self.body, node) or "the integer"
                problem = f"{_shorten(written)} is too large for a float"
                raise self.error_at(problem, node) from None
        if isinstance(value, bool):
            raise self.error_at(f"{value!r} is not a number", node)
        if isinstance(value, complex):
            raise self.error_at(f"complex numbers are not allowed: {value!r}", node)
        if isinstance(value, (str, bytes)):
            raise self.error_at("strings are not allowed", node)
        raise self.error_at(f"{_shorten(repr(value))} is not a number", node)

    def _check_call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Call)):
                raise self.error_at("only functions can be called", func, detail="by name, like exp(x)")
            raise self._refusal(func)
        spec = FUNCTIONS.get(func.id)
        if spec is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error_at(f"unknown function {func.id!r}", func, detail=f"the functions are {known}")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self._refusal(arg)
        self._check_keywords(node, func.id, spec)
        count = len(node.args) + len(node.keywords)
        if count not in spec.arities or len(node.args) < spec.numbers_from:
            low, high = spec.arities[0], spec.arities[-1]
            counts = str(low) if low == high else f"{low} {'or' if high == low + 1 else 'to'} {high}"
            plural = "" if spec.arities == (1,) else "s"
            problem = f"{func.id} takes {counts} argument{plural}, got {count}"
            raise self.error_at(problem, node, detail=spec.usage)

    def _check_keywords(self, node: ast.Call, name: str, spec: Function) -> None:
        """Keywords may name constants only, each once: ``leaky_relu(x, k=0.1)``."""
        given = list(spec.constants[: max(0, len(node.args) - spec.numbers_from)])  # by position
        for kw in node.keywords:
            if kw.arg is None:
                raise self.error_at("'**' is not allowed", kw, detail=spec.usage)
            if not spec.constants:
                raise self.error_at(f"{name} takes no keyword arguments: {kw.arg}=", kw, detail=spec.usage)
            if kw.arg not in spec.constants:
                detail = f"its constants are {', '.join(spec.constants)}: {spec.usage}"
                raise self.error_at(f"{name} has no constant {kw.arg!r}", kw, detail=detail)
            if kw.arg in given:
                raise self.error_at(f"{name} got {kw.arg!r} twice", kw, detail=spec.usage)
            given.append(kw.arg)

    def _operator_error(self, node: Union[ast.BinOp, ast.UnaryOp]) -> ExpressionError:
        symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
        problem = f"operator {symbol!r} is not allowed"
        detail = "the operators are + - * / **" + (" (a power is x**2)" if symbol == "^" else "")
        if isinstance(node, ast.UnaryOp):
            return self.error_at(problem, node, detail=detail)
        # the operator's own column: between the left operand's end and the right's start
        left, right = node.left, node.right
        if left.end_lineno == right.lineno and left.end_col_offset is not None:
            line = self.lines[right.lineno - 1].encode("utf-8")
            found = line.find(symbol.encode(), left.end_col_offset, right.col_offset)
            if found >= 0:
                return self.error_at(problem, right, (right.lineno, found), detail)
        return self.error_at(problem, node, detail=detail)

    def _refusal(self, node: ast.expr) -> ExpressionError:
        if isinstance(node, ast.Attribute):
            problem = f"attribute access '.{node.attr}' is not allowed"
            if node.end_lineno is None or node.end_col_offset is None:
                return self.error_at(problem, node)
            dot = node.end_col_offset - len(node.attr.encode()) - 1  # just before the name, at the end
            return self.error_at(problem, node, (node.end_lineno, dot))
        problem = _REFUSED.get(type(node), f"{type(node).__name__} expressions are not allowed")
        return self.error_at(problem, node)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _operands(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions a whitelisted node computes from, in reading order."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [*node.args, *(kw.value for kw in node.keywords)]
    return []


def require_values(
    source: ExpressionSource, names: Mapping[str, ast.Name], values: Mapping[str, Any], hint: str
) -> None:
    """Raise for the first variable, in reading order, that has no value (``hint`` may use {name})."""
    for name, node in names.items():
        if name not in values:
            if name in FUNCTIONS:
                problem = f"{name!r} is a function, not a variable"
                raise source.error_at(problem, node, detail=f"call it: {FUNCTIONS[name].usage}")
            raise source.error_at(f"no value for variable {name!r}", node, detail=hint.format(name=name))


# ------------------------------------------------------------------ building


def build_graph(source: ExpressionSource, values: Mapping[str, Any]) -> tuple[Value, dict[str, Value]]:
    """The graph of a checked expression, and its variables' leaves in reading order.

    Post-order with an explicit stack (never recursion): a node is applied once
    its operands' results are on ``results``.
    """
    leaves: dict[str, Value] = {}
    results: list[Operand] = []
    stack: list[tuple[ast.expr, bool]] = [(source.tree.body, False)]
    while stack:
        node, ready = stack.pop()
        operands = _operands(node)
        if operands and not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(operands))
            continue
        args = results[len(results) - len(operands) :]
        del results[len(results) - len(operands) :]
        if isinstance(node, ast.Constant):
            results.append(source.number(node))
        elif isinstance(node, ast.Name):
            if node.id not in leaves:
                leaves[node.id] = Value(values[node.id], label=node.id)
            results.append(leaves[node.id])
        elif isinstance(node, ast.BinOp):
            results.append(_apply(_BINARY_OPERATORS[type(node.op)], args))
        elif isinstance(node, ast.UnaryOp):
            results.append(_apply(_UNARY_OPERATORS[type(node.op)], args))
        else:
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            results.append(_call_function(source, node, args))
    (root,) = results
    return (root if isinstance(root, Value) else Value(root)), leaves


def _call_function(source: ExpressionSource, node: ast.Call, operands: list[Operand]) -> Operand:
    """A checked call of a function of FUNCTIONS, its operands computed: its inputs, then its
    constants by position, then by name. Constants must be numbers."""
    assert isinstance(node.func, ast.Name)
    spec, n = FUNCTIONS[node.func.id], len(node.args)
    args = operands[:n]
    named = {kw.arg: value for kw, value in zip(node.keywords, operands[n:]) if kw.arg is not None}
    # each constant: its name, where it is written, its value
    constants = [*zip(spec.constants, node.args[spec.numbers_from :], args[spec.numbers_from :])]
    constants += zip(named, [kw.value for kw in node.keywords], named.values())
    for name, written, value in constants:
        if isinstance(value, Value):
            problem = f"{name} of {spec.usage} must be a number, not an expression of variables"
            raise source.error_at(problem, written)
    try:
        return _apply(spec.apply, args, named)
    except ValueError as e:  # a constant the op refuses: hardtanh(x, 1, -1)
        raise source.error_at(str(e), node) from None


def _apply(
    fn: Callable[..., Any], args: list[Operand], named: Optional[Mapping[str, Operand]] = None
) -> Operand:
    """``fn(*args, **named)`` in the graph; without variables, a number computed by the engine's
    own forward."""
    named = named or {}
    if any(isinstance(a, Value) for a in args):
        out: Value = fn(*args, **named)
        return out
    with no_grad():  # the same IEEE numerics as the graph: 1/0 is inf, (-8) ** (1/3) is nan
        first = args[0]
        assert not isinstance(first, Value)
        folded: Value = fn(Value(first), *args[1:], **named)
    return folded.data
