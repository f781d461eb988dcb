"""What is cached and what each write invalidates: the two declared tables.

Everything the cache does is driven by ``CACHED_ROUTES`` and ``INVALIDATIONS``;
the middleware has no per-route code. A cached entry is valid while every
*version token* it depends on is unchanged; a write renews the tokens it names,
so invalidating costs one ``SET`` per token whatever the number of cached keys
(no ``KEYS``, no ``SCAN``). Token names are templates: ``{user}`` is the
caller's id, other fields are the route's path parameters.

Every entry also depends, implicitly, on the global generation and on its
namespace's token (``all`` and ``ns:<namespace>``), so the clear endpoint can
drop everything, or one namespace, with one ``SET``.

A write route that is not in ``INVALIDATIONS`` renews the global generation
(it is assumed to change anything); ``tests/portal/cache`` checks that every
write route of the app is declared, so that fallback stays a safety net.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal.settings import Settings

Namespace = Literal["products", "wallet", "orders", "cart", "users"]
NAMESPACES: tuple[Namespace, ...] = ("products", "wallet", "orders", "cart", "users")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Token:
    """A version token: ``template`` renders to its key suffix, e.g. ``wallet:u{user}``."""

    namespace: Namespace
    template: str

    def render(self, user_id: int | None, path_params: dict[str, int]) -> str:
        return self.template.format(user=user_id, **path_params)


CATALOGUE = Token("products", "products:catalogue")  # any product row changed
PRODUCT = Token("products", "product:{product_id}")
USER_WALLET = Token("wallet", "wallet:u{user}")
USER_ORDERS = Token("orders", "orders:u{user}")
USER_CART = Token("cart", "cart:u{user}")
USER_PROFILE = Token("users", "users:u{user}")


@dataclass(frozen=True, slots=True)
class CachedRoute:
    """One cached GET route: its namespace (and so its TTL), scope and dependencies.

    ``per_user`` routes answer with the caller's own data: their keys carry the
    caller's id and their responses ``Cache-Control: private``.
    """

    path: str
    namespace: Namespace
    per_user: bool
    depends_on: tuple[Token, ...]


CACHED_ROUTES: tuple[CachedRoute, ...] = (
    CachedRoute("/api/products", "products", per_user=False, depends_on=(CATALOGUE,)),
    CachedRoute("/api/products/{product_id}", "products", per_user=False, depends_on=(PRODUCT,)),
    CachedRoute("/api/wallet", "wallet", per_user=True, depends_on=(USER_WALLET,)),
    CachedRoute("/api/orders", "orders", per_user=True, depends_on=(USER_ORDERS,)),
    # Order lines show the product's current name, hence the catalogue.
    CachedRoute("/api/orders/{order_id}", "orders", True, depends_on=(USER_ORDERS, CATALOGUE)),
    # Cart lines show current name, price, stock and whether it is still sold.
    CachedRoute("/api/cart", "cart", per_user=True, depends_on=(USER_CART, CATALOGUE)),
    CachedRoute("/api/users/me", "users", per_user=True, depends_on=(USER_PROFILE,)),
)

# (method, route path) -> tokens renewed after the write succeeds. Checkout
# changes stock too; listings and product pages show stock as of up to their
# TTL ago (checkout itself always checks live stock), a trade-off the write-up
# makes: invalidating the whole catalogue on every purchase would empty it.
INVALIDATIONS: dict[tuple[str, str], tuple[Token, ...]] = {
    ("POST", "/api/products"): (CATALOGUE,),
    ("PATCH", "/api/products/{product_id}"): (CATALOGUE, PRODUCT),
    ("POST", "/api/orders"): (USER_ORDERS, USER_WALLET, USER_CART),
    ("POST", "/api/wallet/top-up"): (USER_WALLET,),
    ("POST", "/api/cart/items"): (USER_CART,),
    ("PATCH", "/api/cart/items/{item_id}"): (USER_CART,),
    ("DELETE", "/api/cart/items/{item_id}"): (USER_CART,),
    # Entries are keyed by user, not token, and authentication runs before
    # every hit, so a revoked token gets its 401 with nothing to invalidate.
    ("POST", "/api/auth/revoke"): (),
    # It is the invalidation: it renews what it is asked to.
    ("POST", "/api/performance/cache/clear"): (),
    # Switching reads on or off changes no data (writes invalidate in both modes).
    ("POST", "/api/performance/cache/mode"): (),
}


def ttl_for(namespace: Namespace, settings: Settings) -> int:
    """The lifetime of entries of ``namespace`` in seconds, from the settings."""
    ttls: dict[Namespace, int] = {
        "products": settings.cache_ttl_products_s,
        "wallet": settings.cache_ttl_wallet_s,
        "orders": settings.cache_ttl_orders_s,
        "cart": settings.cache_ttl_cart_s,
        "users": settings.cache_ttl_users_s,
    }
    return ttls[namespace]
