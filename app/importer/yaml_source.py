"""YAML reading that keeps line numbers and refuses what PyYAML would silently accept."""

from collections.abc import Hashable, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


class SeedLoader(yaml.SafeLoader):
    """Safe loader where dates stay strings (so an impossible date is a field error, not a
    YAML error) and a key written twice in one mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Drop the timestamp resolver: `2021-02-30` must reach validation as text.
SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str) -> tuple[Any, Node | None]:
    """The document's data and its node tree (for line numbers)."""
    loader = SeedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def line_of(node: Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at `path`, or of its nearest existing ancestor."""
    found = position_of(node, path)
    return None if found is None else found[0]


def position_of(node: Node | None, path: Sequence[str | int]) -> tuple[int, int] | None:
    """The 1-based line and column of the value at `path`, or of its nearest existing
    ancestor (a missing field: the mapping that lacks it)."""
    if node is None:
        return None
    current = node
    for step in path:
        child: Node | None = None
        if isinstance(current, MappingNode):
            for key_node, value_node in current.value:
                if getattr(key_node, "value", None) == step:
                    child = value_node
                    break
        elif isinstance(current, SequenceNode) and isinstance(step, int):
            if 0 <= step < len(current.value):
                child = current.value[step]
        if child is None:
            break
        current = child
    return current.start_mark.line + 1, current.start_mark.column + 1
