"""The shop team's own Locust file: shoppers looking items up by SKU and by id.

perfproof runs it unchanged (``perfproof bench --target target.toml``); plain
``locust -f locustfile.py --host http://127.0.0.1:8000`` runs it too.
"""

from __future__ import annotations

import random

from locust import FastHttpUser, constant, task

ITEMS = 200_000  # as seed.py makes them


class Shopper(FastHttpUser):
    wait_time = constant(0)

    @task(3)
    def by_sku(self) -> None:
        sku = f"SKU-{random.randint(1, ITEMS):06d}"
        self.client.get(f"/items/by-sku/{sku}", name="by-sku")

    @task(1)
    def by_id(self) -> None:
        self.client.get(f"/items/{random.randint(1, ITEMS)}", name="by-id")
