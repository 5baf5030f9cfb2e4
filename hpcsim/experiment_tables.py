"""Tables in the styles of ``tabulate`` (SmartSim's ``summary(style=...)``), without it.

Every cell is text and aligned left (``pretty`` centres), as SmartSim's summary asks tabulate
for (``disable_numparse=True``); columns are at least two characters wider than their header.
``html`` and ``unsafehtml`` tables show as HTML in a notebook.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hpcsim.errors import ConfigError

__all__ = ["STYLES", "HtmlTable", "render_table"]

Line = tuple[str, str, str, str]  # begin, fill, separator, end
Row = tuple[str, str, str]  # begin, separator, end
#: a row made by a function of (cells, padded widths)
RowFn = Callable[[list[str], list[int]], str]
LineFn = Callable[[list[int]], str]


class HtmlTable(str):
    """An HTML table that Jupyter renders as a table."""

    def _repr_html_(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _Style:
    above: Line | LineFn | None
    below_header: Line | LineFn | None
    between: Line | None
    below: Line | None
    header: Row | RowFn
    data: Row | RowFn
    padding: int
    hide_with_header: tuple[str, ...] = ()


def _box(top: str, middle: str, rows: str | None, bottom: str, bar: str = "│") -> _Style:
    """A box-drawing style from its lines, each given as begin, fill, separator and end."""

    def line(chars: str) -> Line:
        return chars[0], chars[1], chars[2], chars[3]

    between = line(rows) if rows is not None else None
    return _Style(line(top), line(middle), between, line(bottom), (bar, bar, bar), (bar, bar, bar), 1)


def _simple(cells: list[str], row: Row) -> str:
    return (row[0] + row[1].join(cells) + row[2]).rstrip()


def _pipe_line(widths: list[int]) -> str:
    return "|" + "|".join(":" + "-" * (w - 1) for w in widths) + "|"


def _html_row(tag: str, escape: bool) -> RowFn:
    def row(cells: list[str], widths: list[int]) -> str:
        text = "".join(f"<{tag}>{html.escape(c) if escape else c}</{tag}>" for c in cells).rstrip()
        return f"<table>\n<thead>\n<tr>{text}</tr>\n</thead>\n<tbody>" if tag == "th" else f"<tr>{text}</tr>"

    return row


_LATEX = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "\\": r"\textbackslash{}",
    "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}",
}


def _latex_row(escape: bool) -> RowFn:
    def row(cells: list[str], widths: list[int]) -> str:
        values = ["".join(_LATEX.get(ch, ch) for ch in c) if escape else c for c in cells]
        return _simple(values, ("", "&", "\\\\"))

    return row


def _latex(begin: str, rule: str, header_rule: str, end: str, escape: bool = True) -> _Style:
    def above(widths: list[int]) -> str:
        return f"\\begin{{{begin}}}{{{'l' * len(widths)}}}\n{rule}"

    return _Style(above, (header_rule, "", "", ""), None, (end, "", "", ""), _latex_row(escape), _latex_row(escape), 1)


def _mediawiki_row(bar: str) -> RowFn:
    return lambda cells, widths: (bar + (bar * 2).join(f" {c} " for c in cells)).rstrip()


def _moin_row(quote: str) -> RowFn:
    return lambda cells, widths: "".join(f"|| {quote}{c}{quote} " for c in cells) + "||"


def _textile_row(cells: list[str], widths: list[int]) -> str:
    return "|" + "|".join("<." + c + (" " if i == 0 else "") for i, c in enumerate(cells)) + "|"


def _asciidoc_header(cells: list[str], widths: list[int]) -> str:
    spec = ",".join(f"{w}<" for w in widths)
    return f'[cols="{spec}",options="header"]\n|====\n|' + "|".join(cells)


_STYLES: dict[str, _Style] = {
    "plain": _Style(None, None, None, None, ("", "  ", ""), ("", "  ", ""), 0),
    "simple": _Style(
        ("", "-", "  ", ""),
        ("", "-", "  ", ""),
        None,
        ("", "-", "  ", ""),
        ("", "  ", ""),
        ("", "  ", ""),
        0,
        ("above", "below"),
    ),
    "grid": _Style(
        ("+", "-", "+", "+"),
        ("+", "=", "+", "+"),
        ("+", "-", "+", "+"),
        ("+", "-", "+", "+"),
        ("|", "|", "|"),
        ("|", "|", "|"),
        1,
    ),
    "simple_grid": _box("┌─┬┐", "├─┼┤", "├─┼┤", "└─┴┘"),
    "rounded_grid": _box("╭─┬╮", "├─┼┤", "├─┼┤", "╰─┴╯"),
    "heavy_grid": _box("┏━┳┓", "┣━╋┫", "┣━╋┫", "┗━┻┛", "┃"),
    "mixed_grid": _box("┍━┯┑", "┝━┿┥", "├─┼┤", "┕━┷┙"),
    "double_grid": _box("╔═╦╗", "╠═╬╣", "╠═╬╣", "╚═╩╝", "║"),
    "fancy_grid": _box("╒═╤╕", "╞═╪╡", "├─┼┤", "╘═╧╛"),
    "outline": _Style(
        ("+", "-", "+", "+"), ("+", "=", "+", "+"), None, ("+", "-", "+", "+"), ("|", "|", "|"), ("|", "|", "|"), 1
    ),
    "simple_outline": _box("┌─┬┐", "├─┼┤", None, "└─┴┘"),
    "rounded_outline": _box("╭─┬╮", "├─┼┤", None, "╰─┴╯"),
    "heavy_outline": _box("┏━┳┓", "┣━╋┫", None, "┗━┻┛", "┃"),
    "mixed_outline": _box("┍━┯┑", "┝━┿┥", None, "┕━┷┙"),
    "double_outline": _box("╔═╦╗", "╠═╬╣", None, "╚═╩╝", "║"),
    "fancy_outline": _box("╒═╤╕", "╞═╪╡", None, "╘═╧╛"),
    "github": _Style(
        ("|", "-", "|", "|"), ("|", "-", "|", "|"), None, None, ("|", "|", "|"), ("|", "|", "|"), 1, ("above",)
    ),
    "pipe": _Style(_pipe_line, _pipe_line, None, None, ("|", "|", "|"), ("|", "|", "|"), 1, ("above",)),
    "orgtbl": _Style(None, ("|", "-", "+", "|"), None, None, ("|", "|", "|"), ("|", "|", "|"), 1),
    "jira": _Style(None, None, None, None, ("||", "||", "||"), ("|", "|", "|"), 1),
    "presto": _Style(None, ("", "-", "+", ""), None, None, ("", "|", ""), ("", "|", ""), 1),
    "pretty": _Style(
        ("+", "-", "+", "+"), ("+", "-", "+", "+"), None, ("+", "-", "+", "+"), ("|", "|", "|"), ("|", "|", "|"), 1
    ),
    "psql": _Style(
        ("+", "-", "+", "+"), ("|", "-", "+", "|"), None, ("+", "-", "+", "+"), ("|", "|", "|"), ("|", "|", "|"), 1
    ),
    "rst": _Style(
        ("", "=", "  ", ""), ("", "=", "  ", ""), None, ("", "=", "  ", ""), ("", "  ", ""), ("", "  ", ""), 0
    ),
    "mediawiki": _Style(
        ('{| class="wikitable" style="text-align: left;"', "", "", "\n|+ <!-- caption -->\n|-"),
        ("|-", "", "", ""),
        ("|-", "", "", ""),
        ("|}", "", "", ""),
        _mediawiki_row("!"),
        _mediawiki_row("|"),
        0,
    ),
    "moinmoin": _Style(None, None, None, None, _moin_row("'''"), _moin_row(""), 1),
    "youtrack": _Style(None, None, None, None, ("|| ", " || ", " || "), ("| ", " | ", " |"), 1),
    "html": _Style(
        None, None, None, ("</tbody>\n</table>", "", "", ""), _html_row("th", True), _html_row("td", True), 0
    ),
    "unsafehtml": _Style(
        None, None, None, ("</tbody>\n</table>", "", "", ""), _html_row("th", False), _html_row("td", False), 0
    ),
    "latex": _latex("tabular", "\\hline", "\\hline", "\\hline\n\\end{tabular}"),
    "latex_raw": _latex("tabular", "\\hline", "\\hline", "\\hline\n\\end{tabular}", escape=False),
    "latex_booktabs": _latex("tabular", "\\toprule", "\\midrule", "\\bottomrule\n\\end{tabular}"),
    "latex_longtable": _latex("longtable", "\\hline", "\\hline\n\\endhead", "\\hline\n\\end{longtable}"),
    "tsv": _Style(None, None, None, None, ("", "\t", ""), ("", "\t", ""), 0),
    "textile": _Style(None, None, None, None, ("|_. ", "|_.", "|"), _textile_row, 1),
    "asciidoc": _Style(None, None, None, ("|====", "", "", ""), _asciidoc_header, lambda c, w: "|" + "|".join(c), 1),
}

#: the style names, as ``tabulate.tabulate_formats`` lists them
STYLES = tuple(sorted(_STYLES))


def _line(spec: Line | LineFn, widths: list[int]) -> str:
    if callable(spec):
        return spec(widths)
    begin, fill, sep, end = spec
    return _simple([fill * w for w in widths], (begin, sep, end))


def _row(spec: Row | RowFn, cells: list[str], widths: list[int]) -> str:
    return spec(cells, widths) if callable(spec) else _simple(cells, spec)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: str) -> str:
    """``rows`` under ``headers`` in tabulate's ``style``; ConfigError for an unknown style."""
    spec = _STYLES.get(style) if isinstance(style, str) else None
    if spec is None:
        raise ConfigError(f"summary style {style!r} is not supported; use one of: {', '.join(STYLES)}")
    head = [str(h) for h in headers]
    body = [[" ".join(str(c).split("\n")).strip() for c in row] for row in rows]
    if style == "rst":  # an empty first cell would end an RST table
        head, body = [head[0] or "..", *head[1:]], [[r[0] or "..", *r[1:]] for r in body]
    extra = 0 if style == "pretty" else 2
    widths = [max([len(h) + extra, *(len(r[i]) for r in body)]) for i, h in enumerate(head)]
    align = "^" if style == "pretty" else "<"
    pad = " " * spec.padding
    padded = [w + 2 * spec.padding for w in widths]

    def cells(values: list[str]) -> list[str]:
        return [pad + f"{v:{align}{w}}" + pad for v, w in zip(values, widths, strict=True)]

    lines: list[str] = []
    if spec.above is not None and "above" not in spec.hide_with_header:
        lines.append(_line(spec.above, padded))
    lines.append(_row(spec.header, cells(head), padded))
    if spec.below_header is not None:
        lines.append(_line(spec.below_header, padded))
    for index, row in enumerate(body):
        if index and spec.between is not None:
            lines.append(_line(spec.between, padded))
        lines.append(_row(spec.data, cells(row), padded))
    if spec.below is not None and "below" not in spec.hide_with_header:
        lines.append(_line(spec.below, padded))
    text = "\n".join(lines)
    return HtmlTable(text) if style in ("html", "unsafehtml") else text
