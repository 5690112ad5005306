"""YAML read strictly: what PyYAML accepts quietly but a policy author never meant.

A key written twice keeps only the last value (a rule's second `when:` silently replaces the
first); an impossible date such as 2026-02-30 is a ValueError deep inside PyYAML. Both become
YAML errors that say where, so the policy loader reports them like any other syntax problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

MERGE = "tag:yaml.org,2002:merge"


def _no_twice_written_keys(loader: yaml.SafeLoader, node: MappingNode) -> None:
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == MERGE or not isinstance(key_node, ScalarNode):
            continue
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first_line:
            raise ConstructorError(
                None,
                None,
                f"key {key!r} is written twice, on line {first_line[key]} and line {line}; "
                "YAML would keep only the second — remove or merge one of them",
                key_node.start_mark,
            )
        first_line[key] = line


def _checked_mapping(loader: yaml.SafeLoader, node: Node) -> Iterator[dict[Any, Any]]:
    assert isinstance(node, MappingNode)
    _no_twice_written_keys(loader, node)
    return yaml.SafeLoader.construct_yaml_map(loader, node)


def _checked_timestamp(loader: yaml.SafeLoader, node: Node) -> Any:
    assert isinstance(node, ScalarNode)
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(
            None,
            None,
            f"{node.value!r} is not a date that exists ({exc}) — write a real date, YYYY-MM-DD",
            node.start_mark,
        ) from None


def make_strict(loader: type[yaml.SafeLoader]) -> None:
    loader.add_constructor("tag:yaml.org,2002:map", _checked_mapping)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)
