"""The texts of the pictures: labels, notes, titles and tooltips as Graphviz shows them.

Any text — a label, module name, note or title of any length, in any characters — is drawn
shortened to a few dozen characters ending in "…" (never splitting a letter from its accents or
an emoji from its modifiers), escaped so Graphviz shows it literally, and the whole text becomes
the tooltip (an SVG's hover text) of its node, cluster or caption. :func:`number_text` is how
the pictures (and the replay page) print numbers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..checks import short
from ..engine import number

__all__ = [
    "LABEL_CHARS",
    "LABEL_LINES",
    "NOTE_CHARS",
    "NOTE_LINES",
    "OP_CHARS",
    "PATH_CHARS",
    "TITLE_CHARS",
    "TITLE_LINES",
    "TOOLTIP_CHARS",
    "number_text",
]

# Labels are plain and record labels, not HTML-like ones: the WebAssembly Graphviz is built
# without HTML-like labels (it draws node names instead), and these read the same in both.
# What XML (and so SVG) cannot carry: C0 controls other than tab/newline/carriage return,
# DEL, lone surrogates, and the non-characters U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Characters with a meaning in a quoted, record or escString label: escaped with a backslash.
_SPECIAL = re.compile(r'([\\{}|<>"])')

# How much of a text the picture shows, in characters (code points, never splitting a letter
# from its accents or an emoji from its modifiers) per line, and in lines; a shortened text
# ends in "…" and its node, cluster or caption gets a tooltip (the SVG's hover text) with all of it.
LABEL_CHARS, LABEL_LINES = 40, 3  # a Value's label, a module's name
OP_CHARS = 12  # an op's name, in its small circle (the longest in ops.py, leaky_relu, has 10)
PATH_CHARS = 90  # a cluster's module path, "layer 1 · neuron 3": past this its innermost names only
NOTE_CHARS, NOTE_LINES = 60, 6  # a node's note (draw_gradcheck's numbers), an architecture box
TITLE_CHARS, TITLE_LINES = 160, 12  # the caption above the picture
# A tooltip is bounded too: Graphviz 2.x's DOT reader refuses a quoted string with a run of more
# than 16,380 bytes between backslashes ("longer than 16384?"), and a character takes at most 5
# bytes in a tooltip (& is written &amp;, a 4-byte emoji), so 3,000 characters always fit (as
# do the shortened labels: the longest, a title, has at most 12 lines of 160).
TOOLTIP_CHARS = 3000
_JOINER = "\u200d"  # the zero-width joiner that glues emoji into one (👩‍💻)


def label_text(x: Any) -> str:
    """A label as text: a str itself, anything else (a label set to a number) as its short repr."""
    return x if isinstance(x, str) else short(x)


def _visible(s: str) -> str:
    r"""The characters a label shows for ``s``: line breaks (CR LF, CR) as newlines, tabs as spaces,
    control characters as ``\xNN`` and what XML cannot carry (surrogates, U+FFFE/U+FFFF) as U+FFFD.

    >>> _visible("a\r\nb\tc\x00")
    'a\nb c\\x00'
    """
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\x80" else "\ufffd", s)


def escape_label(s: str, end: str = "\\n") -> str:
    r"""Any string as label text that Graphviz shows literally, in a record field or a plain label.

    The characters of :func:`_visible`, with its newlines written as Graphviz's ``\n`` (or
    ``end``, e.g. ``\l`` for left-aligned lines). ``&`` is written ``&amp;`` (Graphviz decodes
    entities), ``\ { } | < > "`` get a backslash, and spaces that Graphviz would trim or
    merge (at an end, or several in a row) are hard spaces (``\ ``).

    >>> print(escape_label('a|b {c} "d" \\N'))
    a\|b \{c\} \"d\" \\N
    """
    lines = []
    for line in _visible(s).replace("&", "&amp;").split("\n"):
        escaped = _SPECIAL.sub(r"\\\1", line)
        if line != line.strip(" ") or "  " in line:
            escaped = escaped.replace(" ", "\\ ")
        lines.append(escaped)
    return end.join(lines)


def _regional(c: str) -> bool:
    """A regional indicator: two of them make a flag (🇫🇷 is F R)."""
    return "\U0001f1e6" <= c <= "\U0001f1ff"


def _extends(s: str, i: int) -> bool:
    """Whether ``s[i]`` belongs to the character before it, so a cut must not fall between them:
    a combining mark (an accent), variation selector, skin tone or tag, a zero-width joiner or
    what it joins, or the second regional indicator of a flag."""
    c, before = s[i], s[i - 1]
    if unicodedata.category(c) in ("Mn", "Mc", "Me") or _JOINER in (c, before):
        return True
    if "\U0001f3fb" <= c <= "\U0001f3ff" or "\U000e0020" <= c <= "\U000e007f":
        return True
    if _regional(c) and _regional(before):
        start = i - 1
        while start > 0 and _regional(s[start - 1]):
            start -= 1
        return (i - start) % 2 == 1  # an odd number before it: c completes a flag
    return False


def _cut(s: str, limit: int) -> str:
    """The longest start of ``s`` of at most ``limit`` characters that ends between two characters
    (looking back at most 16 code points for a boundary, so a letter under a pile of accents
    cannot grow without bound: past that it is cut anyway).

    >>> _cut("cafe\u0301s", 4), _cut("🇫🇷🇩🇪", 3)
    ('caf', '🇫🇷')
    """
    if len(s) <= limit:
        return s
    for end in range(limit, max(limit - 16, 0), -1):
        if not _extends(s, end):
            return s[:end]
    return s[:limit]


def fit_text(text: Any, width: int, lines: int = 1) -> tuple[str, bool]:
    """``text`` as the picture shows it, and whether that left something out.

    A line of more than ``width`` characters is cut to ``width - 1`` and ends in "…". Past
    ``lines`` lines: with ``lines`` = 1 the first line and "…"; otherwise the first ``lines - 2``
    lines, a line "…", and the last line (a caption's summary comes last). Characters are
    those of :func:`_visible` (a control character is the 4 characters ``\\xNN`` it shows).

    >>> fit_text("a" * 50, 10), fit_text("one\\ntwo", 10)
    (('aaaaaaaaa…', True), ('one…', True))
    """
    full = _visible(label_text(text))
    rows = full.split("\n")
    if lines == 1 and len(rows) > 1:
        return _cut(rows[0], width - 1) + "…", True
    if len(rows) > lines:
        rows = [*rows[: lines - 2], "…", rows[-1]]
    shown = "\n".join(row if len(row) <= width else _cut(row, width - 1) + "…" for row in rows)
    return shown, shown != full


def fit_path(names: tuple[str, ...]) -> tuple[str, bool]:
    """A module path as its cluster shows it ("layer 1 · neuron 3"), and whether that left
    something out: each name as :func:`fit_text` shows it in one line of LABEL_CHARS, and past
    PATH_CHARS the innermost names only, after "… · "."""
    kept = [fit_text(name, LABEL_CHARS)[0] for name in names]
    dropped = False
    while len(kept) > 1 and len(" · ".join(kept)) + (4 if dropped else 0) > PATH_CHARS:
        kept.pop(0)
        dropped = True
    shown = " · ".join((["…"] if dropped else []) + kept)
    return shown, shown != _visible(" · ".join(names))


def tooltip(*texts: str) -> dict[str, str]:
    r"""The ``tooltip`` attribute (an SVG's hover text) holding ``texts`` in full, one after the
    other; ``{}`` when there are none. Past TOOLTIP_CHARS characters it is cut, saying so.

    A tooltip is read differently from a label: Graphviz drops the backslash of any ``\x``
    (``\n`` is a line break) and then expands ``\N``, ``\G``, … and ``\\`` once more, so a
    backslash is written as four; ``&`` is ``&amp;``, and ``<`` ``>`` get a backslash so the
    ``graphviz`` package does not take ``<…>`` for an HTML-like string.

    >>> tooltip('a\\N "b"\n<c>')
    {'tooltip': 'a\\\\\\\\N \\"b\\"\\n\\<c\\>'}
    """
    full = "\n".join(_visible(t) for t in texts)
    if not full:
        return {}
    if len(full) > TOOLTIP_CHARS:
        full = _cut(full, TOOLTIP_CHARS) + f"… (shortened: {len(full)} characters in all)"
    escaped = full.replace("&", "&amp;").replace("\\", "\\\\\\\\").replace('"', '\\"')
    return {"tooltip": escaped.replace("\n", "\\n").replace("<", "\\<").replace(">", "\\>")}


def join_caption(*lines: str) -> str:
    """The non-empty lines, one per line."""
    return "\n".join(line for line in lines if line)


def number_text(x: Any) -> str:
    """A number as the pictures print it: 4 significant digits (``f"{x:.4g}"``), −0 as 0.
    A gradient that is a Value (after ``backward(create_graph=True)``) shows its data.

    >>> number_text(2 / 3), number_text(-0.0), number_text(1e-20)
    ('0.6667', '0', '1e-20')
    """
    return f"{number(x) + 0.0:.4g}"  # + 0.0 turns −0.0 into 0.0
