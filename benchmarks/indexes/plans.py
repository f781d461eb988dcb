"""Reading ``EXPLAIN (FORMAT JSON)`` output: which nodes scan what, described as psql would.

The proof asks two questions of a plan: does any node use index X, and how
does the plan read table T otherwise. Both are walks over the node tree
(``Plans`` children, including init plans and subplans).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

PlanNode = Mapping[str, Any]


def plan_nodes(node: PlanNode) -> Iterator[PlanNode]:
    """``node`` and every node below it, depth first, in plan order."""
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


def describe(node: PlanNode) -> str:
    """The node's headline as in text EXPLAIN: "Index Only Scan Backward using idx on t"."""
    # JSON keeps "Parallel" in a flag of its own; text EXPLAIN puts it in the name.
    node_type = ("Parallel " if node.get("Parallel Aware") else "") + str(node["Node Type"])
    if node_type == "Bitmap Index Scan":
        return f"Bitmap Index Scan on {node['Index Name']}"
    direction = " Backward" if node.get("Scan Direction") == "Backward" else ""
    using = f" using {node['Index Name']}" if "Index Name" in node else ""
    relation = f" on {node['Relation Name']}" if "Relation Name" in node else ""
    return f"{node_type}{direction}{using}{relation}"


def nodes_using_index(root: PlanNode, index: str) -> list[str]:
    """Descriptions of the nodes that read ``index`` (empty when the plan ignores it)."""
    return [describe(node) for node in plan_nodes(root) if node.get("Index Name") == index]


def scans_of_table(root: PlanNode, table: str) -> list[str]:
    """Descriptions of the nodes that read ``table``'s rows (seq, index, bitmap heap scans)."""
    return [
        describe(node)
        for node in plan_nodes(root)
        if node.get("Relation Name") == table and "Scan" in str(node["Node Type"])
    ]
