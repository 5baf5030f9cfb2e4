"""Writing parameter values into tagged text files (``;name;`` by default)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from hpcsim.errors import GenerationError

__all__ = ["Configured", "TagWriter"]


@dataclass
class Configured:
    """One configured text and what happened to its tags."""

    text: str
    used: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


class TagWriter:
    """Replaces ``<tag>name<tag>`` with the value of parameter ``name``.

    A tag names a parameter only if it has no whitespace in it, so ``a = ;x; ; b = ;y;``
    holds the two tags ``x`` and ``y``. A tag whose name is no parameter is replaced by
    the name itself, which turns a marked default such as ``THERMO = ;10;`` into
    ``THERMO = 10``.
    """

    def __init__(self, tag: str = ";") -> None:
        if not isinstance(tag, str) or not tag or any(c.isspace() for c in tag):
            raise GenerationError(f"tag must be a non-empty string without whitespace, got {tag!r}")
        self.tag = tag
        self._pattern = re.compile(re.escape(tag) + r"(\S+?)" + re.escape(tag))

    def configure(self, text: str, params: Mapping[str, str]) -> Configured:
        result = Configured("")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in params:
                result.used.append(name)
                return params[name]
            result.unmatched.append(name)
            return name

        result.text = self._pattern.sub(substitute, text)
        return result
