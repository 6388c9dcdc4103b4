"""TMDb access: the rate-limited, retrying HTTP client, its Dagster resource and the cache."""

from mediavault_assets.tmdb.cache import CacheEntry, ResponseCache
from mediavault_assets.tmdb.client import (
    Resolution,
    SlidingWindowLimiter,
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbResource,
)

__all__ = [
    "CacheEntry",
    "Resolution",
    "ResponseCache",
    "SlidingWindowLimiter",
    "TmdbAuthError",
    "TmdbClient",
    "TmdbError",
    "TmdbResource",
]
