"""The commands of ``python -m tinygrad_edu``: the argument parser, ``draw`` and ``demo``, and :func:`main`.

``draw`` builds an expression's graph from labelled leaf Values (read by
:mod:`tinygrad_edu.cli.expressions`), runs ``backward()``, prints the result
and each variable's value and gradient, and draws the graph with
:func:`tinygrad_edu.viz.render`; ``demo`` runs :mod:`tinygrad_edu.cli.demo`.
Exit status: 0 on success, 2 for a usage error (a bad expression or ``--set``),
1 when drawing fails.
"""

from __future__ import annotations

import argparse
import keyword
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Mapping, NoReturn, Optional, Sequence, TypeAlias

from ..engine import Value
from .expressions import FUNCTIONS, ExpressionError, ExpressionSource, build_graph, require_values

__all__ = ["build_parser", "main"]

OUTPUT_SUFFIXES = (".svg", ".png", ".pdf", ".dot")  # the formats viz.render writes


class _Exit(Exception):
    """argparse wants to stop (after --help, or on an error): main() returns ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _UsageError(Exception):
    """A bad command line that argparse cannot see (a malformed --set, an unknown suffix)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line, ``error: ...``, and returns instead of exiting."""

    def exit(self, status: int = 0, message: Optional[str] = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # what add_subparsers returns


def _comma_lines(items: Sequence[str], width: int = 78, indent: str = "  ") -> str:
    """``items`` separated by commas, in lines of at most ``width`` characters (unless an item
    alone is longer), never breaking inside an item."""
    lines, line = [], ""
    for item in [f"{item}," for item in items[:-1]] + list(items[-1:]):
        if line and len(indent + line + " " + item) > width:
            lines.append(indent + line)
            line = ""
        line = f"{line} {item}" if line else item
    return "\n".join([*lines, indent + line])


_DRAW_EPILOG = f"""\
expressions: numbers, variables (given with --set), + - * / **, unary -, and
these functions:
{_comma_lines([f.usage for f in FUNCTIONS.values()])}
Inputs (x, a, b) may be expressions. Constants with a default (k, alpha, ...)
are optional numbers, given by position or by name: leaky_relu(x, 0.1),
hardtanh(x, max_val=2). Every variable needs a value, and every --set name
must appear in the expression.
Put the expression first. One that starts with '-' needs a space before it
(" -x*y") or '--' before it, after the options.

example:
  python -m tinygrad_edu draw "tanh(x1*w1 + x2*w2 + b)" --set x1=2 w1=-3 x2=0 w2=1 b=6.88 -o neuron.svg
"""


def _add_draw(commands: _Commands) -> None:
    draw = commands.add_parser(
        "draw",
        help="build an expression's graph, backpropagate, and draw it",
        description="Build the graph of EXPRESSION from its variables, run backward(), print the "
        "result and each variable's gradient, and draw the graph.",
        epilog=_DRAW_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draw.add_argument("expression", metavar="EXPRESSION", help='for example "tanh(x*w + b)"')
    draw.add_argument(
        "--set", dest="assignments", metavar="NAME=NUMBER", nargs="+", action="extend", default=[],
        help="the variables' values; repeat --set or list several",
    )  # fmt: skip
    draw.add_argument(
        "-o", "--output", default="graph.svg", metavar="FILE",
        help="the picture to write: .svg, .png, .pdf, or .dot for the Graphviz source (default: %(default)s)",
    )  # fmt: skip
    draw.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left to right or top to bottom")
    draw.add_argument(
        "--collapse", choices=("auto", "none", "neuron", "layer"), default="auto",
        help="group nodes by neuron or layer (auto: only for large graphs)",
    )  # fmt: skip
    draw.set_defaults(handler=_run_draw)


def _add_demo(commands: _Commands) -> None:
    demo = commands.add_parser(
        "demo",
        help="train micrograd's moons network and write its pictures",
        description="Train MLP(2, [16, 16, 1]) on two moons with micrograd's recipe (hinge loss + L2, "
        "annealed SGD) to 100%% training accuracy, then write the decision boundary, the loss curves, "
        "one neuron's graph and the backprop replay page.",
    )
    demo.add_argument(
        "--out", default="tinygrad_edu_out", metavar="DIR", help="output folder (default: %(default)s)"
    )
    demo.add_argument("--quick", action="store_true", help="40 points instead of 100 (same 100 steps)")
    demo.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .demo import run

    run(Path(args.out), quick=args.quick)
    return 0


#: One function per subcommand, each adding its parser with ``set_defaults(handler=...)``;
#: ``handler(args) -> exit status``. A new subcommand is one more entry.
_COMMANDS: tuple[Callable[[_Commands], None], ...] = (_add_draw, _add_demo)


def build_parser(prog: str = "python -m tinygrad_edu") -> argparse.ArgumentParser:
    """The argument parser, with every subcommand of ``_COMMANDS``."""
    parser = _Parser(prog=prog, description="tinygrad_edu from the command line.")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status.

    0 on success, 2 for a usage error (reported in one line on stderr,
    ``error: ...``), 1 when the command fails (for ``draw``: rendering).
    Without a command, print the usage and return 2.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _Exit as stop:
        return stop.status
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    status: int = args.handler(args)
    return status


def _run_draw(args: argparse.Namespace) -> int:
    try:
        source = ExpressionSource(args.expression)
        names = source.variables()
        values = _assignments(args.assignments)
        require_values(source, names, values, hint="give it one with --set {name}=NUMBER")
        unused = [name for name in values if name not in names]
        if unused:
            listed = ", ".join(repr(name) for name in unused)
            raise _UsageError(f"--set gives {listed}, which the expression does not use")
        output = _output(args.output)
        root, leaves = build_graph(source, values)
    except (ExpressionError, _UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    root.backward()
    _print_table(root, leaves)
    try:
        from ..viz import render
    except ImportError as e:
        print(f"error: cannot draw: the renderer tinygrad_edu.viz is not available ({e})", file=sys.stderr)
        return 1
    collapse = None if args.collapse == "none" else args.collapse
    try:
        written = render(root, output, rankdir=args.rankdir, collapse=collapse)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:
        print(f"error: {e}", file=sys.stderr)  # GraphvizNotFound: the .dot source was written
        return 1
    print(written)
    return 0


def _assignments(entries: Sequence[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` → ``{"x": 2.0, "w": -3.0}``, or a _UsageError naming the bad entry."""
    values: dict[str, float] = {}
    given: dict[str, str] = {}  # name → the entry that gave it
    for entry in entries:
        name, equals, number = (part.strip() for part in entry.partition("="))
        # Python reads identifiers NFKC-normalized ("ﬁ" is "fi"): match what the expression means
        name = unicodedata.normalize("NFKC", name)
        if not equals:
            raise _UsageError(f"--set {entry!r}: expected NAME=NUMBER")
        if not name:
            raise _UsageError(f"--set {entry!r}: the name before '=' is missing")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise _UsageError(f"--set {entry!r}: {name!r} is not a variable name")
        if not number:
            raise _UsageError(f"--set {entry!r}: the number after '=' is missing")
        try:
            value = float(number)
        except ValueError:
            raise _UsageError(f"--set {entry!r}: {number!r} is not a number") from None
        if name in values:
            raise _UsageError(f"--set gives {name!r} twice: {given[name]!r} and {entry!r}")
        values[name], given[name] = value, entry
    return values


def _output(output: str) -> Path:
    path = Path(output)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise _UsageError(f"-o/--output must end in {', '.join(OUTPUT_SUFFIXES)}, got {output!r}")
    if not path.parent.is_dir():
        raise _UsageError(f"-o/--output: the folder {str(path.parent)!r} does not exist")
    return path


def _print_table(root: Value, leaves: Mapping[str, Value]) -> None:
    """The result, then one line per variable: its value and its gradient ∂result/∂variable."""
    print(f"result = {root.data!r}")
    if not leaves:
        return
    rows = [("variable", "value", "grad")] + [(n, repr(v.data), repr(v.grad)) for n, v in leaves.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, value, grad in rows:
        print(f"{name:<{widths[0]}}  {value:<{widths[1]}}  {grad}")
