"""``invalidation``: a write is visible in the next read of every cached route it affects.

``WRITES`` walks one story through every write that ``INVALIDATIONS``
(``portal/cache/policy.py``) declares: an admin creates a product, a buyer
puts it in the cart, changes the line, tops up, checks out, the admin renames
and reprices the product (now on the buyer's order and back in the cart), the
buyer removes the line. For each write, the cached routes it affects (the
policy's, and those ``visible`` here says it must change) are read until
they HIT, the write is made, and each is read again: that read must equal an
uncached one (``X-Cache-Bypass: 1``, computed from the database), so a stale
HIT fails. ``visible`` routes must also read differently, uncached, before
and after the write, or the story did not test what it claims to.

It writes through the portal's API only: one product (deactivated at the
end), and a top-up and an order of one buyer with an empty cart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import client
from benchmarks.checks.result import Outcome
from portal.cache.policy import CACHED_ROUTES, INVALIDATIONS
from portal.datagen.tokens_file import DatasetUser

BYPASS = {"X-Cache-Bypass": "1"}
PRICE_CENTS, NEW_PRICE_CENTS, STOCK = 1_234, 2_345, 50
TOP_UP_CENTS = 5_000  # covers the order (two at PRICE_CENTS) whatever the balance was


@dataclass
class Story:
    """What the writes so far have made: the ids later writes and reads need."""

    buyer: DatasetUser
    nonce: str
    order_id: int  # the buyer's newest order (the checkout's, once it has run)
    product_id: int = 0
    item_id: int = 0

    def read_path(self, template: str) -> str:
        if template == "/api/products":
            return f"/api/products?q={self.nonce}&limit=5"  # exactly the story's product
        return template.format(product_id=self.product_id, order_id=self.order_id)


Request = tuple[str, dict[str, Any] | None]


@dataclass(frozen=True)
class Write:
    method: str
    route: str  # as INVALIDATIONS names it
    who: Literal["admin", "buyer"]
    request: Callable[[Story], Request]
    visible: tuple[str, ...]  # cached routes whose answer this write must change
    remember: Callable[[Story, dict[str, Any]], None] | None = None
    setup: Callable[[Story, httpx.Client], None] | None = None  # before warming

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"


def _keep_product(story: Story, answer: dict[str, Any]) -> None:
    story.product_id = int(answer["id"])


def _keep_item(story: Story, answer: dict[str, Any]) -> None:
    story.item_id = int(answer["id"])


def _keep_order(story: Story, answer: dict[str, Any]) -> None:
    story.order_id = int(answer["id"])


def _cart_again(story: Story, buyer: httpx.Client) -> None:
    """Put the product back in the cart, so renaming it has a cart line to show on."""
    added = buyer.post("/api/cart/items", json={"product_id": story.product_id, "quantity": 1})
    added.raise_for_status()
    story.item_id = int(added.json()["id"])


def _new_product(story: Story) -> Request:
    body = {
        "region_id": 1, "category": "checks", "sku": f"CHECK-{story.nonce}",
        "name": f"Check product {story.nonce}", "price_cents": PRICE_CENTS, "stock": STOCK,
    }  # fmt: skip
    return "/api/products", body


def _renamed(story: Story) -> Request:
    body = {"name": f"Check product {story.nonce} renamed", "price_cents": NEW_PRICE_CENTS}
    return f"/api/products/{story.product_id}", body


WRITES: tuple[Write, ...] = (
    Write("POST", "/api/products", "admin", _new_product, ("/api/products",), _keep_product),
    Write(
        "POST", "/api/cart/items", "buyer",
        lambda s: ("/api/cart/items", {"product_id": s.product_id, "quantity": 1}),
        ("/api/cart",), _keep_item,
    ),
    Write(
        "PATCH", "/api/cart/items/{item_id}", "buyer",
        lambda s: (f"/api/cart/items/{s.item_id}", {"quantity": 2}), ("/api/cart",),
    ),
    Write(
        "POST", "/api/wallet/top-up", "buyer",
        lambda _: ("/api/wallet/top-up", {"amount_cents": TOP_UP_CENTS}), ("/api/wallet",),
    ),
    Write(
        "POST", "/api/orders", "buyer", lambda _: ("/api/orders", None),
        ("/api/orders", "/api/wallet", "/api/cart"), _keep_order,
    ),
    Write(
        "PATCH", "/api/products/{product_id}", "admin", _renamed,
        ("/api/products", "/api/products/{product_id}", "/api/orders/{order_id}", "/api/cart"),
        setup=_cart_again,
    ),
    Write(
        "DELETE", "/api/cart/items/{item_id}", "buyer",
        lambda s: (f"/api/cart/items/{s.item_id}", None), ("/api/cart",),
    ),
)  # fmt: skip


def declared_reads(write: Write) -> list[str]:
    """The cached routes the policy says ``write`` invalidates."""
    tokens = set(INVALIDATIONS[(write.method, write.route)])
    return [route.path for route in CACHED_ROUTES if tokens & set(route.depends_on)]


def uncovered_writes() -> list[str]:
    """Writes the policy invalidates for that the story does not make (or makes but it lacks)."""
    covered = {(write.method, write.route) for write in WRITES}
    declared = {key for key, tokens in INVALIDATIONS.items() if tokens}
    return [f"{method} {route}" for method, route in sorted(covered ^ declared)]


@dataclass
class Reads:
    """Every read after a write: fresh (equal to an uncached read) or stale; and how many
    the write changed (uncached reads before and after it differ)."""

    fresh: int = 0
    stale: int = 0
    changed: int = 0
    per_write: dict[str, dict[str, str]] = field(default_factory=dict)


def _warm(http: httpx.Client, path: str, outcome: Outcome) -> None:
    """Read ``path`` until it is a HIT (twice): only a stored entry can go stale."""
    http.get(path)
    warmed = http.get(path)
    label = warmed.headers.get("x-cache", "none")
    outcome.expect(
        warmed.status_code == 200 and label == "HIT",
        f"warming GET {path} answered {warmed.status_code} with X-Cache {label}: nothing stored",
    )


def _make(
    write: Write, story: Story, clients: dict[str, httpx.Client], outcome: Outcome, reads: Reads
) -> None:
    buyer = clients["buyer"]
    if write.setup is not None:
        write.setup(story, buyer)
    templates = list(dict.fromkeys([*declared_reads(write), *write.visible]))
    paths = {template: story.read_path(template) for template in templates}
    for path in paths.values():
        _warm(buyer, path, outcome)
    # What the database said before the write: the baseline of "did it change anything".
    before = {template: buyer.get(path, headers=BYPASS) for template, path in paths.items()}
    path, body = write.request(story)
    answer = clients[write.who].request(write.method, path, json=body)
    if not outcome.expect(answer.is_success, f"{write.name} answered {answer.status_code}"):
        return
    if write.remember is not None:
        write.remember(story, answer.json())
    seen: dict[str, str] = {}
    for template, read in paths.items():
        after, truth = buyer.get(read), buyer.get(read, headers=BYPASS)
        label = seen[template] = after.headers.get("x-cache", "none")
        fresh = after.status_code == truth.status_code == 200 and after.json() == truth.json()
        reads.fresh += fresh
        reads.stale += not fresh
        outcome.expect(fresh, f"after {write.name}, GET {read} ({label}) differs from the database")
        # Whether the write changed what the database says, cache or no cache.
        if truth.content != before[template].content:
            reads.changed += 1
        elif template in write.visible:
            outcome.problems.append(f"{write.name} did not change GET {read}: nothing to see")
    reads.per_write[write.name] = seen


def _tidy(story: Story, clients: dict[str, httpx.Client]) -> None:
    """Leave no product for sale and no cart line behind, whatever happened."""
    if story.item_id:
        clients["buyer"].delete(f"/api/cart/items/{story.item_id}")
    if story.product_id:
        clients["admin"].patch(f"/api/products/{story.product_id}", json={"active": False})


def check_invalidation(context: CheckContext) -> Outcome:
    portal = context.portal()
    buyer = context.buyer(empty_cart=True)
    story = Story(buyer=buyer, nonce=uuid.uuid4().hex[:12], order_id=context.newest_order(buyer))
    outcome = Outcome(tried="")
    for missing in uncovered_writes():
        outcome.problems.append(f"the story and the policy disagree about {missing}")
    reads = Reads()
    with client(portal, context.admin) as admin, client(portal, buyer) as as_buyer:
        clients = {"admin": admin, "buyer": as_buyer}
        try:
            for write in WRITES:
                _make(write, story, clients, outcome, reads)
                if outcome.problems and not story.product_id:
                    break  # no product: nothing after the first write can be made
        finally:
            _tidy(story, clients)
    outcome.observed = {
        "writes": len(reads.per_write),
        "reads_after_writes": reads.fresh + reads.stale,
        "fresh": reads.fresh,
        "stale": reads.stale,
        "changed_by_the_write": reads.changed,
        "x_cache_after": reads.per_write,
    }
    outcome.tried = (
        f"Made {len(reads.per_write)} writes (product create and update as admin "
        f"{context.admin.user_id}; cart add, change, remove, top-up and checkout as buyer "
        f"{buyer.user_id}), each after warming the cached routes it affects: of "
        f"{reads.fresh + reads.stale} reads right after, {reads.fresh} matched an uncached "
        f"read and {reads.stale} were stale (the write had changed {reads.changed} of them)."
    )
    return outcome
