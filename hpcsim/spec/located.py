"""YAML whose mappings and lists remember the line of every key and item, so a spec error
can name the line it is about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hpcsim.errors import SpecError

__all__ = ["LocatedList", "LocatedMap", "load_located"]


class LocatedMap(dict[str, Any]):
    """A mapping with the (1-based) line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    """A list with the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    def construct_located_map(self, node: yaml.MappingNode) -> LocatedMap:
        result = LocatedMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} must be a string", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} appears twice", key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_located_list(self, node: yaml.SequenceNode) -> LocatedList:
        result = LocatedList(self.construct_object(item, deep=True) for item in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_located_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_located_list)


def load_located(path: Path) -> Any:
    """The YAML document in ``path``; unreadable or malformed files raise :class:`SpecError`
    with the file (and line and column, for syntax errors)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the spec: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise SpecError(f"{where}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: invalid YAML: {exc}") from None
