"""The connector's configuration, read once from the Airbyte config mapping.

The spec (spec.json) validates types and ranges before this runs; this module applies the defaults,
normalises the base URL and answers the one cross-field rule the spec cannot show well: a credential
must be present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tmdb.redaction import protect

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
SEED_LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending_day", "trending_week", "discover")
MISSING_CREDENTIALS = (
    "No TMDB credential configured: set api_key (TMDB_API_KEY) or read_access_token "
    "(TMDB_READ_ACCESS_TOKEN) in the connector configuration."
)


@dataclass(frozen=True)
class TmdbConfig:
    api_key: str | None = field(default=None, repr=False)
    read_access_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    language: str = "en-US"
    region: str | None = None
    seed_lists: tuple[str, ...] = ("popular",)
    discover_filters: Mapping[str, Any] = field(default_factory=dict)
    max_pages: int = 5
    max_movies: int = 500
    start_date: date | None = None
    requests_per_second: int = 40
    request_timeout_s: float = 30.0

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> TmdbConfig:
        start = config.get("start_date")
        parsed = cls(
            api_key=config.get("api_key") or None,
            read_access_token=config.get("read_access_token") or None,
            base_url=str(config.get("base_url") or DEFAULT_BASE_URL).rstrip("/"),
            language=config.get("language") or "en-US",
            region=config.get("region") or None,
            seed_lists=tuple(config.get("seed_lists") or ("popular",)),
            discover_filters=dict(config.get("discover_filters") or {}),
            max_pages=min(int(config.get("max_pages", 5)), 500),
            max_movies=int(config.get("max_movies", 500)),
            start_date=date.fromisoformat(start) if start else None,
            requests_per_second=max(1, int(config.get("requests_per_second", 40))),
            request_timeout_s=float(config.get("request_timeout_s", 30.0)),
        )
        unknown = [name for name in parsed.seed_lists if name not in SEED_LISTS]
        if unknown:
            raise AirbyteTracedException(
                message=f"Unknown seed list(s) {unknown}; choose from {list(SEED_LISTS)}.",
                failure_type=FailureType.config_error,
            )
        # Registered here as well as by the entrypoint, so in-process callers get the same redaction.
        protect(parsed.api_key, parsed.read_access_token)
        return parsed

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key or self.read_access_token)

    @property
    def url_base(self) -> str:
        """Base URL with a trailing slash, as urljoin needs it to keep the /3 prefix."""
        return f"{self.base_url}/"

    def changes_start(self, today: date | None = None) -> date:
        today = today or datetime.now(UTC).date()
        return self.start_date or today - timedelta(days=13)
