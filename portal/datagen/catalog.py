"""Who buys and what is sold: regions, companies, users (with tokens), products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from portal.datagen.distributions import (
    ANCHOR_US,
    DAY_US,
    Picker,
    growing_times,
    pick,
    shuffled_weights,
    stream,
    uniform_times,
    whole_ms,
    zipf_weights,
)
from portal.datagen.sorting import time_order

if TYPE_CHECKING:
    from portal.datagen.world import World

Array = npt.NDArray[Any]

REGIONS = (
    ("EU-DE", "Germany"), ("EU-FR", "France"), ("UK-GB", "United Kingdom"),
    ("NA-US-E", "US East"), ("EU-NL", "Netherlands"), ("EU-IT", "Italy"),
    ("EU-ES", "Spain"), ("EU-PL", "Poland"), ("NA-US-W", "US West"), ("EU-SE", "Sweden"),
    ("EU-AT", "Austria"), ("EU-CH", "Switzerland"), ("EU-BE", "Belgium"), ("EU-DK", "Denmark"),
    ("NA-CA", "Canada"), ("AP-JP", "Japan"), ("AP-AU", "Australia"), ("AP-SG", "Singapore"),
    ("SA-BR", "Brazil"), ("NA-MX", "Mexico"), ("AP-IN", "India"), ("AP-KR", "South Korea"),
    ("ME-AE", "United Arab Emirates"), ("AF-ZA", "South Africa"),
)  # fmt: skip

# (category, typical price in cents): prices spread log-normally around it.
CATEGORIES = (
    ("office-supplies", 1_200), ("it-hardware", 45_000), ("packaging", 2_500),
    ("cleaning", 1_800), ("safety", 3_500), ("tools", 6_000), ("electrical", 2_200),
    ("furniture", 25_000), ("catering", 900), ("printing", 4_000), ("lab", 15_000),
    ("fasteners", 300), ("lighting", 3_000), ("hvac", 30_000), ("plumbing", 2_800),
    ("automotive", 8_000), ("medical", 5_000), ("textiles", 2_000), ("software", 20_000),
    ("logistics", 7_500),
)  # fmt: skip

_COMPANY_WORDS = ("Nordwind", "Alpen", "Meridian", "Bluebird", "Vektor", "Harbor", "Kestrel",
                  "Summit", "Oakridge", "Polaris", "Atlas", "Lumen", "Cobalt",
                  "Granite")  # fmt: skip
_COMPANY_KINDS = ("Logistics", "Manufacturing", "Foods", "Systems", "Retail", "Medical",
                  "Construction", "Energy", "Trading", "Labs")  # fmt: skip
_LEGAL = ("GmbH", "Ltd", "Inc", "SA", "BV", "AG", "AB", "Srl")
_FIRST = ("Anna", "Ben", "Clara", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
          "Kira", "Luca", "Maya", "Noah", "Olga", "Pablo", "Rosa", "Sven", "Tara",
          "Yusuf")  # fmt: skip
_LAST = ("Schmidt", "Martin", "Rossi", "Garcia", "Nowak", "Jensen", "Dubois", "Smith",
         "Kowalski", "Silva", "Yilmaz", "Tanaka", "Berg", "Moreau", "Fischer",
         "Costa")  # fmt: skip
_ADJECTIVES = ("Heavy-duty", "Compact", "Premium", "Eco", "Industrial", "Standard", "Pro",
               "Basic", "Ultra", "Smart", "Classic", "Rugged")  # fmt: skip
_NOUNS = ("Box", "Drill", "Cable", "Glove", "Chair", "Label", "Filter", "Lamp", "Valve",
          "Sensor", "Tape", "Cartridge", "Pallet", "Cleaner", "Adapter", "Kit")  # fmt: skip

ADMIN_SHARE = 0.01
ACTIVE_SHARE = 0.85


def region_rows(world: World) -> tuple[list[str], list[str]]:
    """Region codes and names; past the named list, numbered extra regions."""
    codes, names = [], []
    for i in range(world.scale.regions):
        code, name = REGIONS[i] if i < len(REGIONS) else (f"XX-{i + 1:03d}", f"Region {i + 1}")
        codes.append(code)
        names.append(name)
    return codes, names


def region_weights(world: World) -> npt.NDArray[np.float64]:
    """Regions in list order are the big markets: Germany first, then a long tail."""
    return zipf_weights(world.scale.regions, exponent=1.1, offset=0.5)


@dataclass(frozen=True)
class CompanyPlan:
    region_id: Array  # int32, 1-based
    created_at: Array  # int64 us
    weights: Array  # share of users
    name_parts: Array  # (n, 3) indices into the name vocabularies


def plan_companies(world: World) -> CompanyPlan:
    """Companies founded over five years (more of them lately); ids in founding order."""
    n = world.scale.companies
    rng = stream(world.seed, "companies")
    region = pick(rng, region_weights(world), n) + 1
    created = np.sort(growing_times(rng, np.zeros(n, np.int64), days=5 * 365) - 90 * DAY_US)
    weights = shuffled_weights(rng, zipf_weights(n, exponent=1.0, offset=2.0))
    parts = rng.integers(0, (len(_COMPANY_WORDS), len(_COMPANY_KINDS), len(_LEGAL)), (n, 3))
    return CompanyPlan(region.astype(np.int32), created, weights, parts)


def company_names(plan: CompanyPlan, ids: Array) -> list[str]:
    """Names like "Nordwind Logistics 17 GmbH" (the id keeps them unique)."""
    return [
        f"{_COMPANY_WORDS[w]} {_COMPANY_KINDS[k]} {i} {_LEGAL[g]}"
        for (w, k, g), i in zip(plan.name_parts[ids - 1].tolist(), ids.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class UserPlan:
    company_id: Array  # int32
    created_at: Array  # int64 us, ascending with id
    is_admin: Array  # bool
    activity: Array  # float64 share of orders, carts and audit entries (admins 0)
    name_parts: Array  # (n, 2) indices into first and last names

    @property
    def first_buyer(self) -> int:
        """The lowest buyer id: the heaviest buyer, with orders, a cart and a wallet."""
        return int(np.flatnonzero(~self.is_admin)[0]) + 1


def plan_users(world: World) -> UserPlan:
    """Users join their company after it is founded; ~1 % admins, user 1 among them.

    Heavy buyers are mostly long-standing customers (activity rank follows age,
    with noise), and the lowest-id buyer gets the top rank so a demo or a test
    always finds a buyer with history.
    """
    n = world.scale.users
    rng = stream(world.seed, "users")
    companies = world.companies
    company = pick(rng, companies.weights, n)
    founded = companies.created_at[company]
    latest = ANCHOR_US - 30 * DAY_US
    joined = (rng.beta(1.2, 3.0, n) * np.maximum(latest - founded, DAY_US)).astype(np.int64)
    created = whole_ms(founded + joined)
    order, created = time_order(created)
    company = company[order] + 1
    is_admin = rng.random(n) < ADMIN_SHARE
    is_admin[0] = True
    if n > 1:
        is_admin[1] = False
    age_rank = np.arange(n) / n + rng.normal(0.0, 0.3, n)
    rank = np.empty(n, np.int64)
    rank[np.argsort(age_rank, kind="stable")] = np.arange(n)
    first_buyer = int(np.flatnonzero(~is_admin)[0]) if n > 1 else 0
    holder = int(np.flatnonzero(rank == 0)[0])
    rank[holder], rank[first_buyer] = rank[first_buyer], 0
    activity = zipf_weights(n, exponent=1.0, offset=max(2.0, n / 500))[rank]
    activity = np.where(is_admin, 0.0, activity)
    parts = rng.integers(0, (len(_FIRST), len(_LAST)), (n, 2))
    return UserPlan(company.astype(np.int32), created, is_admin, activity / activity.sum(), parts)


def user_names(plan: UserPlan, ids: Array) -> tuple[list[str], list[str]]:
    """(emails, names); e-mails are unique because they carry the user id."""
    parts = plan.name_parts[ids - 1].tolist()
    company = plan.company_id[ids - 1].tolist()
    emails = [
        f"{_FIRST[f].lower()}.{_LAST[la].lower()}.{i}@company{c}.example"
        for (f, la), i, c in zip(parts, ids.tolist(), company, strict=True)
    ]
    names = [f"{_FIRST[f]} {_LAST[la]}" for f, la in parts]
    return emails, names


@dataclass(frozen=True)
class ProductPlan:
    region_id: Array  # int32
    category: Array  # index into CATEGORIES
    price_cents: Array  # int64
    active: Array  # bool
    line_picker: Picker  # popularity in order lines (inactive products sold before)
    cart_picker: Picker  # the same, active products only
    stock: Array  # int32
    updated_at: Array  # int64 us, within the last year
    name_parts: Array  # (n, 2) indices into adjectives and nouns


def plan_products(world: World) -> ProductPlan:
    """Skewed regions and categories, log-normal prices, ~85 % active, Zipf popularity."""
    n = world.scale.products
    rng = stream(world.seed, "products")
    region = pick(rng, region_weights(world), n) + 1
    category = pick(rng, zipf_weights(len(CATEGORIES), exponent=0.9, offset=1.0), n)
    typical = np.array([price for _, price in CATEGORIES], dtype=np.float64)[category]
    price = np.maximum(np.round(typical * rng.lognormal(0.0, 0.7, n)), 50).astype(np.int64)
    active = rng.random(n) < ACTIVE_SHARE
    weights = shuffled_weights(rng, zipf_weights(n, exponent=1.0, offset=max(5.0, n / 2000)))
    popularity = np.where(active, weights, weights * 0.3)
    cart = np.where(active, weights, 0.0)
    stock = np.where(rng.random(n) < 0.05, 0, rng.geometric(0.002, n)).astype(np.int32)
    updated = uniform_times(rng, np.full(n, ANCHOR_US - 365 * DAY_US), ANCHOR_US)
    parts = rng.integers(0, (len(_ADJECTIVES), len(_NOUNS)), (n, 2))
    return ProductPlan(
        region_id=region.astype(np.int32),
        category=category,
        price_cents=price,
        active=active,
        line_picker=Picker(popularity),
        cart_picker=Picker(cart),
        stock=stock,
        updated_at=updated,
        name_parts=parts,
    )


def product_names(plan: ProductPlan, ids: Array) -> tuple[list[str], list[str]]:
    """(skus, names) for product ``ids``, e.g. ("SKU-00000042", "Compact Drill Q-42")."""
    skus = [f"SKU-{i:08d}" for i in ids.tolist()]
    names = [
        f"{_ADJECTIVES[a]} {_NOUNS[b]} {chr(65 + i % 26)}-{i % 997}"
        for (a, b), i in zip(plan.name_parts[ids - 1].tolist(), ids.tolist(), strict=True)
    ]
    return skus, names
