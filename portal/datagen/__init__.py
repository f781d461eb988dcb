"""Deterministic test data for the portal at named scales, bulk-loaded with COPY.

``load_dataset(url, scale="medium", seed=1)`` fills a database with the same
rows on every machine and every day (timestamps hang off a fixed anchor,
2026-11-01T00:00:00Z), skips the work when the database already holds that
dataset, and writes the tokens file load tests log in with.
"""

from portal.datagen.distributions import ANCHOR
from portal.datagen.fingerprint import GENERATOR_VERSION
from portal.datagen.loader import LoadResult, dataset_fingerprint, load_dataset, mark_written
from portal.datagen.scales import SCALES, Scale, database_for
from portal.datagen.tokens_file import default_tokens_path, write_tokens_file

__all__ = [
    "ANCHOR",
    "GENERATOR_VERSION",
    "SCALES",
    "LoadResult",
    "Scale",
    "database_for",
    "dataset_fingerprint",
    "default_tokens_path",
    "load_dataset",
    "mark_written",
    "write_tokens_file",
]
