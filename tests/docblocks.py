"""The code blocks of a Markdown page, and what the docs' convention says to do with each.

Blocks whose info string is ``python``, ``bash`` or ``sh`` are run; other languages are shown.
An HTML comment right before the opening fence (blank lines and other comments between are
allowed) changes that: ``<!-- not run: REASON -->`` (REASON required) shows the block without
running it, and ``<!-- file: NAME -->`` writes its content to NAME (relative, no ``..``) in the
page's working directory. Fences are three or more backticks or tildes, indented or not
(inside list items); a directive that no fence follows is an error, as is a second one on one
block. A page whose blocks need optional packages (the ML frameworks) says so once with
``<!-- page needs: torch, keras -->``; where one is missing, the page is skipped, naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: languages whose blocks run when no directive says otherwise
RUNNABLE = frozenset({"python", "bash", "sh"})
#: a page's optional packages: ``<!-- page needs: torch, keras -->``
_PAGE_NEEDS = re.compile(r"<!--\s*page needs:\s*(?P<modules>[\w., ]+?)\s*-->")
NOT_RUN = "not run"
FILE = "file"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_COMMENT = re.compile(r"^\s*<!--(?P<body>.*?)-->\s*$")
_DIRECTIVE = re.compile(r"^(?P<name>not\s+run|file)\b\s*(?::(?P<argument>.*))?$", re.IGNORECASE)


class DocBlockError(ValueError):
    """A page breaks the convention: the message names the page and line."""


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it opens (1-based line of the fence), its language (the
    info string's first word, lower case), its text, and its directive with its argument
    (the reason of ``not run``, the name of ``file``; both empty without a directive)."""

    page: str
    line: int
    language: str
    text: str
    directive: str = ""
    argument: str = ""

    @property
    def runs(self) -> bool:
        """Whether the page's test runs this block."""
        return self.language in RUNNABLE and not self.directive


def parse(text: str, page: str) -> list[Block]:
    """Every fenced block of ``text`` (the Markdown of ``page``, which names it in errors)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    pending: tuple[int, str, str] | None = None  # (line, directive, argument) awaiting its fence
    index = 0
    while index < len(lines):
        number = index + 1
        fence = _FENCE.match(lines[index])
        if fence is not None and not (fence["fence"][0] == "`" and "`" in fence["info"]):
            index, body = _body(lines, index, fence, page)
            directive, argument = (pending[1], pending[2]) if pending else ("", "")
            info = fence["info"].split()
            blocks.append(Block(page, number, info[0].lower() if info else "", body, directive, argument))
            pending = None
            continue
        comment = _COMMENT.match(lines[index])
        if comment is not None:
            found = _directive(comment["body"].strip(), page, number)
            if found is not None:
                if pending is not None:
                    raise DocBlockError(
                        f"{page}:{number}: a second directive for one block (first at line {pending[0]})"
                    )
                pending = (number, *found)
        elif lines[index].strip() and pending is not None:
            raise DocBlockError(f"{page}:{pending[0]}: <!-- {pending[1]} --> is not followed by a fenced block")
        index += 1
    if pending is not None:
        raise DocBlockError(f"{page}:{pending[0]}: <!-- {pending[1]} --> is not followed by a fenced block")
    _check_files(blocks)
    return blocks


def _body(lines: list[str], start: int, fence: re.Match[str], page: str) -> tuple[int, str]:
    """The content of the block opened at ``start`` (its indent removed) and the index after it."""
    indent, marker = len(fence["indent"]), fence["fence"]
    closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    body: list[str] = []
    for index in range(start + 1, len(lines)):
        if closing.match(lines[index]):
            return index + 1, "".join(f"{line}\n" for line in body)
        line = lines[index]
        strip = len(line) - len(line.lstrip(" \t"))
        body.append(line[min(indent, strip) :])
    raise DocBlockError(f"{page}:{start + 1}: the block opened here is never closed")


def _directive(comment: str, page: str, number: int) -> tuple[str, str] | None:
    """``(directive, argument)`` of a comment that is a directive, else None."""
    match = _DIRECTIVE.match(comment)
    if match is None:
        return None
    name = NOT_RUN if match["name"].lower().startswith("not") else FILE
    argument = (match["argument"] or "").strip()
    if name == NOT_RUN and not argument:
        raise DocBlockError(f"{page}:{number}: <!-- not run --> needs a reason: <!-- not run: REASON -->")
    if name == FILE:
        _check_file_name(argument, page, number)
    return name, argument


def _check_file_name(name: str, page: str, number: int) -> None:
    path = PurePosixPath(name)
    if not name or " " in name:
        raise DocBlockError(f"{page}:{number}: <!-- file: NAME --> needs one relative file name, got {name!r}")
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise DocBlockError(f"{page}:{number}: file name {name!r} must be relative and stay in the page's directory")


def _check_files(blocks: list[Block]) -> None:
    seen: dict[str, int] = {}
    for block in blocks:
        if block.directive == FILE:
            if block.argument in seen:
                raise DocBlockError(
                    f"{block.page}:{block.line}: file {block.argument!r} is also written at line {seen[block.argument]}"
                )
            seen[block.argument] = block.line


def page_needs(text: str) -> list[str]:
    """The import names a page's ``<!-- page needs: ... -->`` comments list, in order."""
    return [m.strip() for found in _PAGE_NEEDS.finditer(text) for m in found["modules"].split(",") if m.strip()]
