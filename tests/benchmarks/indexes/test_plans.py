"""Reading EXPLAIN JSON: nodes that use an index, scans of a table, psql-style headlines."""

from __future__ import annotations

from benchmarks.indexes.plans import PlanNode, describe, nodes_using_index, scans_of_table

PLAN: PlanNode = {
    "Node Type": "Limit",
    "Plans": [
        {
            "Node Type": "Bitmap Heap Scan",
            "Relation Name": "products",
            "Plans": [
                {
                    "Node Type": "BitmapOr",
                    "Plans": [
                        {"Node Type": "Bitmap Index Scan", "Index Name": "idx_name_trgm"},
                        {"Node Type": "Bitmap Index Scan", "Index Name": "idx_sku_trgm"},
                    ],
                }
            ],
        },
        {
            "Node Type": "Index Only Scan",
            "Index Name": "idx_orders",
            "Relation Name": "orders",
            "Scan Direction": "Backward",
        },
    ],
}


def test_headlines_read_like_text_explain() -> None:
    assert describe(PLAN["Plans"][1]) == "Index Only Scan Backward using idx_orders on orders"
    assert describe({"Node Type": "Seq Scan", "Relation Name": "t"}) == "Seq Scan on t"
    assert describe({"Node Type": "Seq Scan", "Relation Name": "t", "Parallel Aware": True}) == (
        "Parallel Seq Scan on t"
    )
    assert describe({"Node Type": "Bitmap Index Scan", "Index Name": "i"}) == (
        "Bitmap Index Scan on i"
    )


def test_nested_nodes_are_found() -> None:
    assert nodes_using_index(PLAN, "idx_sku_trgm") == ["Bitmap Index Scan on idx_sku_trgm"]
    assert nodes_using_index(PLAN, "idx_missing") == []
    assert scans_of_table(PLAN, "products") == ["Bitmap Heap Scan on products"]
